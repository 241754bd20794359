import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { findPlainRows } from '../../db/plain-rows';
import { SyncRunSchema, type SyncRun, type SyncRunKind, type SyncRunStatus } from '../../entities/sync-run';
import { decodeKeyCursor, encodeKeyCursor } from '../feeds/feed-cursor';
import { SYNC_RUN_FIELDS } from './sync-run-store';

export interface SyncRunFilters {
  entityType?: string;
  kind?: SyncRunKind;
  status?: SyncRunStatus;
}

export interface SyncRunPage {
  runs: SyncRun[];
  /** The id of the last run served, when more may follow. */
  nextCursor: string | null;
}

/** The id of the last run a page served; null when `cursor` is not one this API issued. */
export function decodeRunCursor(cursor: string): number | null {
  const text = decodeKeyCursor(cursor);
  if (text === null || !/^[1-9]\d{0,15}$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * One page of the audit log, newest first: keyset on the id (runs are numbered as they start), so a page never
 * repeats or skips a run whatever is inserted while a client pages.
 */
export async function listSyncRuns(
  em: EntityManager,
  query: { filters: SyncRunFilters; before?: number; limit: number },
): Promise<SyncRunPage> {
  const { entityType, kind, status } = query.filters;
  const where: FilterQuery<SyncRun> = {
    ...(entityType === undefined ? {} : { entityType }),
    ...(kind === undefined ? {} : { kind }),
    ...(status === undefined ? {} : { status }),
    ...(query.before === undefined ? {} : { id: { $lt: query.before } }),
  };
  const rows = await findPlainRows(em, SyncRunSchema, {
    fields: SYNC_RUN_FIELDS,
    where,
    orderBy: { id: 'desc' },
    limit: query.limit + 1,
  });
  const runs = rows.slice(0, query.limit);
  const more = rows.length > query.limit;
  return { runs, nextCursor: more ? encodeKeyCursor(runs[runs.length - 1]!.id) : null };
}
