import {
  LockMode,
  UniqueConstraintViolationException,
  type FilterQuery,
  type RequiredEntityData,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { supportsRowLocks } from '../db/dialect';
import type { SyncFields } from '../entities/sync-fields';
import { changedFields, mergeChangedFields } from './change-detection';
import type { InboundSpec } from './inbound-spec';

export type ImportStatus = 'created' | 'updated' | 'unchanged';

export interface AcceptedRecord<R> {
  index: number;
  record: R;
  raw: Record<string, unknown>;
}

export interface ImportOutcome {
  index: number;
  externalId: string;
  status: ImportStatus;
  id: number;
  /** The record was a stub and this push is its full version. */
  upgradedStub: boolean;
}

const MAX_ATTEMPTS = 3;

/**
 * Stores a batch of validated records in one transaction: new ones inserted, changed ones updated with
 * their changed field paths and set `pending`, unchanged or out-of-date ones left untouched (no write).
 * A concurrent push that inserts the same new record first makes this transaction retry against it.
 */
export async function importRecords<R, E extends SyncFields>(
  em: EntityManager,
  spec: InboundSpec<R, E>,
  accepted: readonly AcceptedRecord<R>[],
  now: () => Date = () => new Date(),
): Promise<ImportOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.fork().transactional((tx) => importInTransaction(tx as EntityManager, spec, accepted, now()));
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

async function importInTransaction<R, E extends SyncFields>(
  em: EntityManager,
  spec: InboundSpec<R, E>,
  accepted: readonly AcceptedRecord<R>[],
  now: Date,
): Promise<ImportOutcome[]> {
  const latest = lastPushPerExternalId(spec, accepted);
  const ids = [...latest.keys()];
  const lockMode = supportsRowLocks(em) ? LockMode.PESSIMISTIC_WRITE : undefined;
  const existingRows = await em.find(spec.entity, { externalId: { $in: ids } } as unknown as FilterQuery<E>, {
    lockMode,
  });
  const existing = new Map(existingRows.map((row) => [row.externalId, row]));

  const outcomes: { index: number; externalId: string; status: ImportStatus; row: E; upgradedStub: boolean }[] = [];
  const seen = new Map<string, E>();
  for (const item of accepted) {
    const externalId = spec.externalIdOf(item.record);
    const row = existing.get(externalId) ?? seen.get(externalId);
    if (latest.get(externalId) !== item) {
      // An earlier copy of a record repeated later in the same batch: the later one wins.
      outcomes.push({ index: item.index, externalId, status: 'unchanged', row: row as E, upgradedStub: false });
      continue;
    }
    if (!row) {
      const created = em.create(spec.entity, newRow(spec, item, now) as unknown as RequiredEntityData<E>, {
        persist: true,
      });
      seen.set(externalId, created as E);
      outcomes.push({ index: item.index, externalId, status: 'created', row: created as E, upgradedStub: false });
      continue;
    }
    const upgradedStub = row.processingState === 'stub';
    const changed = applyPush(spec, row, item, now);
    outcomes.push({
      index: item.index,
      externalId,
      status: changed ? 'updated' : 'unchanged',
      row,
      upgradedStub: changed && upgradedStub,
    });
  }
  await em.flush();
  return outcomes.map((o) => ({
    index: o.index,
    externalId: o.externalId,
    status: o.status,
    id: o.row.id,
    upgradedStub: o.upgradedStub,
  }));
}

function lastPushPerExternalId<R, E extends SyncFields>(
  spec: InboundSpec<R, E>,
  accepted: readonly AcceptedRecord<R>[],
) {
  const latest = new Map<string, AcceptedRecord<R>>();
  for (const item of accepted) latest.set(spec.externalIdOf(item.record), item);
  return latest;
}

function newRow<R, E extends SyncFields>(spec: InboundSpec<R, E>, item: AcceptedRecord<R>, now: Date): Partial<E> {
  const fields = changedFields(null, item.raw, { ignore: spec.diffIgnore });
  return {
    ...spec.columnsOf(item.record),
    externalId: spec.externalIdOf(item.record),
    odooId: (item.record as { odoo_id?: number | null }).odoo_id ?? null,
    data: item.raw,
    previousData: null,
    changedFields: fields,
    unackedChangedFields: fields,
    processingState: 'pending',
    errorMessage: null,
    retryCount: 0,
    isNew: true,
    sourceWriteDate: spec.writeDateOf(item.record),
    changedAt: now,
    feedPending: true,
    acknowledgedAt: null,
    stubCreatedAt: null,
    createdAt: now,
    updatedAt: now,
  } as Partial<E>;
}

/** Applies a push to an existing row; returns false (and writes nothing) when nothing changed. */
function applyPush<R, E extends SyncFields>(
  spec: InboundSpec<R, E>,
  row: E,
  item: AcceptedRecord<R>,
  now: Date,
): boolean {
  const writeDate = spec.writeDateOf(item.record);
  if (writeDate && row.sourceWriteDate && writeDate.getTime() < row.sourceWriteDate.getTime()) return false;
  const isStub = row.processingState === 'stub';
  // A stub holds only what the legacy store knew, so the full record is new information in every field.
  const fields = isStub
    ? changedFields(null, item.raw, { ignore: spec.diffIgnore })
    : changedFields(row.data, item.raw, { ignore: spec.diffIgnore });
  if (fields.length === 0) return false;
  Object.assign(row, spec.columnsOf(item.record), {
    odooId: (item.record as { odoo_id?: number | null }).odoo_id ?? row.odooId,
    previousData: row.data,
    data: item.raw,
    changedFields: fields,
    unackedChangedFields: row.feedPending ? mergeChangedFields(row.unackedChangedFields, fields) : fields,
    processingState: 'pending',
    errorMessage: null,
    sourceWriteDate: writeDate ?? row.sourceWriteDate,
    feedPending: true,
    updatedAt: now,
  });
  return true;
}
