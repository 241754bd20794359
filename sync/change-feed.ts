import type { EntitySchema, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { SyncFields } from '../entities/sync-fields';
import { encodeCursor, type FeedPosition } from './feed-cursor';

/** States the webshop may see; records still waiting or failed stay out of its feed. */
export const SERVED_STATES = ['processed', 'stub'] as const;

export interface FeedQuery {
  since?: Date;
  after?: FeedPosition;
  limit: number;
  /** Extra conditions, e.g. a sale order's direction. */
  where?: Record<string, unknown>;
}

/** Unacknowledged changes, oldest first, by keyset on (changedAt, id). */
export async function readChangeFeed<E extends SyncFields>(
  em: EntityManager,
  entity: EntitySchema<E>,
  query: FeedQuery,
): Promise<{ items: E[]; nextCursor: string | null }> {
  const conditions: Record<string, unknown>[] = [
    { feedPending: true, processingState: { $in: SERVED_STATES } },
    query.where ?? {},
  ];
  if (query.since) conditions.push({ changedAt: { $gte: query.since } });
  if (query.after) {
    const { changedAt, id } = query.after;
    conditions.push({ $or: [{ changedAt: { $gt: changedAt } }, { changedAt, id: { $gt: id } }] });
  }
  const rows = await em.find(entity, { $and: conditions } as unknown as FilterQuery<E>, {
    orderBy: { changedAt: 'asc', id: 'asc' } as never,
    limit: query.limit + 1,
  });
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

/** Marks records consumed; returns the ids that were pending. Acknowledging again is a no-op. */
export async function acknowledge<E extends SyncFields>(
  em: EntityManager,
  entity: EntitySchema<E>,
  ids: readonly number[],
  now = new Date(),
): Promise<{ acknowledged: number[]; unknown: number[] }> {
  if (ids.length === 0) return { acknowledged: [], unknown: [] };
  const existing = await em.find(entity, { id: { $in: ids } } as unknown as FilterQuery<E>, {
    fields: ['id', 'feedPending'] as never,
  });
  const pending = existing.filter((r) => r.feedPending).map((r) => r.id);
  if (pending.length) {
    await em.nativeUpdate(
      entity,
      { id: { $in: pending }, feedPending: true } as unknown as FilterQuery<E>,
      {
        feedPending: false,
        isNew: false,
        unackedChangedFields: [],
        acknowledgedAt: now,
      } as never,
    );
  }
  const known = new Set(existing.map((r) => r.id));
  return { acknowledged: pending, unknown: ids.filter((id) => !known.has(id)) };
}
