import type { EntitySchema, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { findPlainRows } from '../../db/plain-rows';
import { feedIndexName, type SyncFields } from '../../entities/sync-fields';
import { encodeCursor, type FeedPosition } from './feed-cursor';

/** States the webshop may see; records still waiting or failed stay out of its feed. */
export const SERVED_STATES = ['processed', 'stub'] as const;

/** What every feed row has: an id, a change time, and when the feed last served it. */
export interface FeedRow {
  id: number;
  changedAt: Date;
  servedAt: Date | null;
}

/**
 * A table read as a change feed: which rows are in it, which flag marks them, which properties a page serves,
 * what acknowledging writes.
 */
export interface FeedTable<E extends FeedRow, K extends keyof E & string = keyof E & string> {
  entity: EntitySchema<E>;
  /** What a page reads of each row (read as plain rows: no entity hydration on the feed's hot path). */
  fields: readonly K[];
  /** Boolean column that is true while a change awaits acknowledgement. */
  pendingFlag: keyof E & string;
  /** The index on (pendingFlag, changedAt, id) the keyset reads by. */
  keysetIndex: string;
  /** Further conditions a row must meet to be served (e.g. its processing state). */
  servedWhere?: Record<string, unknown>;
  /** Column values written when a change is acknowledged, besides clearing the flag. */
  onAcknowledge(now: Date): Record<string, unknown>;
}

/** What the feed of a synced entity serves of each record. */
export const SYNC_FEED_FIELDS = [
  'id',
  'externalId',
  'odooId',
  'processingState',
  'unackedChangedFields',
  'isNew',
  'changedAt',
  'data',
] as const satisfies readonly (keyof SyncFields)[];

export type SyncFeedRow = Pick<SyncFields, (typeof SYNC_FEED_FIELDS)[number]>;

/** The feed of a synced entity (`updated-<entity>`). */
export function syncFeedTable<E extends SyncFields>(
  entity: EntitySchema<E>,
): FeedTable<E, (typeof SYNC_FEED_FIELDS)[number]> {
  return {
    entity,
    keysetIndex: feedIndexName(entity.meta.tableName),
    fields: SYNC_FEED_FIELDS,
    pendingFlag: 'feedPending',
    servedWhere: { processingState: { $in: SERVED_STATES } },
    onAcknowledge: (now) => ({ isNew: false, unackedChangedFields: [], acknowledgedAt: now }),
  };
}

export interface FeedQuery {
  since?: Date;
  after?: FeedPosition;
  limit: number;
  /**
   * Only changes at or before this instant are served. Change times come from application clocks and
   * transactions commit in their own order, so the newest instants are held back until they are settled:
   * a page never moves the cursor past a change that is yet to become visible.
   */
  settledBefore: Date;
  /** Extra conditions, e.g. a sale order's direction. */
  where?: Record<string, unknown>;
}

/** Unacknowledged changes, oldest first, by keyset on (changedAt, id); the served versions are noted. */
export async function readChangeFeed<E extends FeedRow, K extends keyof E & string>(
  em: EntityManager,
  table: FeedTable<E, K>,
  query: FeedQuery,
): Promise<{ items: Pick<E, K | 'id' | 'changedAt'>[]; nextCursor: string | null }> {
  const conditions: Record<string, unknown>[] = [
    { [table.pendingFlag]: true, changedAt: { $lte: query.settledBefore }, ...table.servedWhere },
    query.where ?? {},
  ];
  if (query.since) conditions.push({ changedAt: { $gte: query.since } });
  if (query.after) {
    const { changedAt, id } = query.after;
    // The leading `>=` gives every database a range start on the (flag, changedAt, id) index.
    conditions.push(
      { changedAt: { $gte: changedAt } },
      { $or: [{ changedAt: { $gt: changedAt } }, { id: { $gt: id } }] },
    );
  }
  const rows = await findPlainRows(em, table.entity, {
    fields: [...new Set<K | 'id' | 'changedAt'>([...table.fields, 'id', 'changedAt'])],
    where: { $and: conditions } as unknown as FilterQuery<E>,
    orderBy: { changedAt: 'asc', id: 'asc' } as never,
    limit: query.limit + 1,
    index: table.keysetIndex,
  });
  const items = rows.slice(0, query.limit);
  // Served up to the settled instant, not up to now: a version changed after it may still have been committing
  // during the read (the page holds its predecessor), so it must not count as served.
  await markServed(
    em,
    table.entity,
    items.map((r) => r.id),
    query.settledBefore,
  );
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

/**
 * Notes that the versions changed at or before `servedUpTo` were served. An acknowledgement then covers a
 * version only if `changed_at <= served_at`, so `servedUpTo` must be no later than the newest version the read
 * could have seen.
 */
export async function markServed<E extends FeedRow>(
  em: EntityManager,
  entity: EntitySchema<E>,
  ids: number[],
  servedUpTo: Date,
) {
  if (ids.length === 0) return;
  await em.nativeUpdate(entity, { id: { $in: ids } } as unknown as FilterQuery<E>, { servedAt: servedUpTo } as never);
}

export interface AckResult {
  acknowledged: number[];
  /** Ids the table does not have. */
  unknown: number[];
  /** Changed again since the feed last served them (or never served): not acknowledged, still in the feed. */
  unseen: number[];
}

/**
 * Marks served versions consumed. Acknowledging twice, or a record with nothing pending, is a no-op; a version
 * the webshop has not been served stays pending, so a change landing between its read and its
 * acknowledgement is never swallowed. Two statements whatever the number of ids (a third after a race).
 */
export async function acknowledge<E extends FeedRow>(
  em: EntityManager,
  table: FeedTable<E>,
  ids: readonly number[],
  now = new Date(),
): Promise<AckResult> {
  if (ids.length === 0) return { acknowledged: [], unknown: [], unseen: [] };
  const flag = table.pendingFlag;
  const rows = await findPlainRows(em, table.entity, {
    fields: ['id', flag, 'changedAt', 'servedAt'],
    where: { id: { $in: ids } } as unknown as FilterQuery<E>,
  });
  const pending = rows.filter((r) => r[flag]);
  const seen = pending.filter((r) => r.servedAt && r.changedAt.getTime() <= r.servedAt.getTime()).map((r) => r.id);
  let acknowledged: number[] = [];
  if (seen.length) {
    // The served-version condition again in the update: a change committed after the read above stays pending.
    const { affectedRows } = await em
      .createQueryBuilder(table.entity)
      .update({ [flag]: false, ...table.onAcknowledge(now) } as never)
      .where({ id: { $in: seen }, [flag]: true } as never)
      .andWhere('changed_at <= served_at')
      .execute('run');
    if (affectedRows === seen.length) {
      acknowledged = seen;
    } else {
      // Some changed meanwhile: find out which ones were acknowledged.
      const after = await findPlainRows(em, table.entity, {
        fields: ['id', flag],
        where: { id: { $in: seen } } as unknown as FilterQuery<E>,
      });
      acknowledged = after.filter((r) => !r[flag]).map((r) => r.id);
    }
  }
  const known = new Set(rows.map((r) => r.id));
  const done = new Set(acknowledged);
  return {
    acknowledged,
    unknown: ids.filter((id) => !known.has(id)),
    unseen: pending.filter((r) => !done.has(r.id)).map((r) => r.id),
  };
}
