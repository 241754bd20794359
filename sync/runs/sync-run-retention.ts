import type { MikroORM } from '@mikro-orm/core';
import { primaryEm } from '../../db/primary-orm';
import { findPlainRows } from '../../db/plain-rows';
import { SyncRunSchema } from '../../entities/sync-run';
import type { Logger } from '../../observability/logger';

/** How often the worker purges runs past their retention (and once at its start). */
export const SYNC_RUN_PURGE_INTERVAL_MS = 60 * 60 * 1000;

export interface SyncRunPurgeOptions {
  /** Runs that started longer ago than this are deleted. */
  retentionMs: number;
  /** Runs deleted per statement. */
  batchSize?: number;
  /** Statements per pass at most; a larger backlog is left to the next pass. */
  maxBatches?: number;
}

/**
 * Deletes the runs that started before `now - retentionMs`, oldest first, in batches (ids read by the
 * `started_at` index, then deleted by primary key), so no statement holds locks for long. Returns how many.
 */
export async function purgeSyncRuns(orm: MikroORM, options: SyncRunPurgeOptions, now = new Date()): Promise<number> {
  const { retentionMs, batchSize = 1_000, maxBatches = 100 } = options;
  const before = new Date(now.getTime() - retentionMs);
  let purged = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const em = primaryEm(orm);
    const rows = await findPlainRows(em, SyncRunSchema, {
      fields: ['id'],
      where: { startedAt: { $lt: before } },
      orderBy: { startedAt: 'asc' },
      limit: batchSize,
    });
    if (rows.length === 0) break;
    purged += await em.nativeDelete(SyncRunSchema, { id: { $in: rows.map((r) => r.id) } });
    if (rows.length < batchSize) break;
  }
  return purged;
}

/** One purge pass, its count logged. */
export async function purgeSyncRunsLogged(orm: MikroORM, log: Logger, options: SyncRunPurgeOptions): Promise<number> {
  const purged = await purgeSyncRuns(orm, options);
  const level = purged > 0 ? 'info' : 'debug';
  log[level]({ purged, retentionMs: options.retentionMs }, 'sync runs past retention purged');
  return purged;
}
