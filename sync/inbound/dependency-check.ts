import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { SyncFields } from '../../entities/sync-fields';
import { inboundWorkflowId } from '../../workflows/contract';
import { inboundSpecFor } from './specs';
import type { DependencyRef } from './spec';

/** A dependency is there once it is processed, or stands in as a stub. */
export const AVAILABLE_STATES = ['processed', 'stub'] as const;

export function dependencyKey(ref: DependencyRef): string {
  return inboundWorkflowId(ref.entityType, ref.externalId);
}

export function uniqueDependencies(refs: readonly DependencyRef[]): DependencyRef[] {
  const byKey = new Map(refs.map((ref) => [dependencyKey(ref), ref]));
  return [...byKey.values()];
}

/** The dependencies not yet available, with one query per entity type. */
export async function findMissingDependencies(
  em: EntityManager,
  refs: readonly DependencyRef[],
): Promise<DependencyRef[]> {
  const missing: DependencyRef[] = [];
  const byType = new Map<DependencyRef['entityType'], DependencyRef[]>();
  for (const ref of uniqueDependencies(refs)) byType.set(ref.entityType, [...(byType.get(ref.entityType) ?? []), ref]);
  for (const [entityType, group] of byType) {
    const spec = inboundSpecFor(entityType);
    const rows = await em.find(
      spec.entity,
      {
        ...spec.rowScope,
        externalId: { $in: group.map((r) => r.externalId) },
        processingState: { $in: AVAILABLE_STATES },
      } as FilterQuery<SyncFields>,
      { fields: ['externalId'] },
    );
    const present = new Set(rows.map((r) => r.externalId));
    missing.push(...group.filter((r) => !present.has(r.externalId)));
  }
  return missing;
}
