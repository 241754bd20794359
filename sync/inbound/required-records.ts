import type { EntityType } from '../../entities/processing-state';
import type { DependencyRef } from './spec';

/**
 * One reference per distinct, non-empty id. Reads stored payloads leniently: the data was validated when
 * it was pushed, and a rule tightened since must not make its dependencies disappear.
 */
export function refsTo(entityType: EntityType, ids: readonly unknown[]): DependencyRef[] {
  const distinct = new Set(ids.filter((id): id is string => typeof id === 'string').map((id) => id.trim()));
  distinct.delete('');
  return [...distinct].map((externalId) => ({ entityType, externalId }));
}

/** The `product_external_id` of every line of a stored order. */
export function lineProductIds(data: Record<string, unknown>): unknown[] {
  const lines = Array.isArray(data.lines) ? (data.lines as unknown[]) : [];
  return lines.map((line) =>
    typeof line === 'object' && line !== null ? (line as Record<string, unknown>).product_external_id : undefined,
  );
}
