import { UniqueConstraintViolationException, type EntityManager, type RequiredEntityData } from '@mikro-orm/core';
import type { SyncFields } from '../../entities/sync-fields';
import type { DependencyRef } from '../inbound/spec';
import { newSyncFields } from '../shared/sync-row-fields';
import { inboundSpecFor } from '../inbound/specs';
import type { LegacyDirectory, LegacyLookup } from './legacy-lookup';

export interface StubOutcome {
  /** Stubs this call created (or found created meanwhile by a concurrent lookup or a full push). */
  available: DependencyRef[];
  notFound: DependencyRef[];
  /** Set when the legacy database could not answer; the refs it could not answer are in neither list. */
  unavailable: string | null;
}

interface StubSource {
  externalId: string;
  odooId: number | null;
  /** The key fields the contract lets a stub carry: partner `type`, product `context`. */
  keyFields: Record<string, string | null>;
}

async function lookUp(
  legacy: LegacyDirectory,
  entityType: string,
  ids: string[],
): Promise<Map<string, LegacyLookup<StubSource>>> {
  if (entityType === 'partner') {
    const found = await legacy.findLegacyPartners(ids);
    return mapFound(found, (p) => ({ externalId: p.externalId, odooId: p.odooId, keyFields: { type: p.type } }));
  }
  if (entityType === 'product') {
    const found = await legacy.findLegacyProducts(ids);
    return mapFound(found, (p) => ({ externalId: p.externalId, odooId: p.odooId, keyFields: { context: p.context } }));
  }
  return new Map(ids.map((id) => [id, { status: 'not_found' } as const]));
}

function mapFound<T>(
  answers: Map<string, LegacyLookup<T>>,
  to: (t: T) => StubSource,
): Map<string, LegacyLookup<StubSource>> {
  return new Map(
    [...answers].map(([id, answer]) => [
      id,
      answer.status === 'found' ? { status: 'found', record: to(answer.record) } : answer,
    ]),
  );
}

function stubRow(source: StubSource, now: Date): Record<string, unknown> {
  const keyFields = Object.fromEntries(Object.entries(source.keyFields).filter(([, v]) => v !== null));
  const data = { external_id: source.externalId, odoo_id: source.odooId, ...keyFields };
  return {
    ...keyFields,
    ...newSyncFields(
      {
        externalId: source.externalId,
        odooId: source.odooId,
        data,
        changedFields: Object.keys(data).sort(),
        processingState: 'stub',
        stubCreatedAt: now,
      },
      now,
    ),
  };
}

/**
 * Creates a stub for each missing dependency the legacy database knows. A stub that already exists
 * (another waiter's lookup, or Odoo's full push, won the race) is left as it is: never a duplicate.
 */
export async function createStubsFromLegacy(
  em: EntityManager,
  legacy: LegacyDirectory,
  refs: readonly DependencyRef[],
  now = new Date(),
): Promise<StubOutcome> {
  const outcome: StubOutcome = { available: [], notFound: [], unavailable: null };
  const types = [...new Set(refs.map((r) => r.entityType))];
  for (const entityType of types) {
    const group = refs.filter((r) => r.entityType === entityType);
    const answers = await lookUp(
      legacy,
      entityType,
      group.map((r) => r.externalId),
    );
    for (const ref of group) {
      const answer = answers.get(ref.externalId);
      if (answer?.status === 'unavailable') {
        outcome.unavailable = answer.error;
      } else if (answer?.status === 'found') {
        await insertStub(em, entityType, answer.record, now);
        outcome.available.push(ref);
      } else {
        outcome.notFound.push(ref);
      }
    }
  }
  return outcome;
}

async function insertStub(em: EntityManager, entityType: DependencyRef['entityType'], source: StubSource, now: Date) {
  const spec = inboundSpecFor(entityType);
  const fork = em.fork();
  try {
    fork.create(spec.entity, stubRow(source, now) as unknown as RequiredEntityData<SyncFields>, { persist: true });
    await fork.flush();
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }
}
