import type { EntityManager } from '@mikro-orm/knex';
import type { OdooClient } from '../../odoo/odoo-client';
import type { PullEntityType, PullPlan, PullStreamPlan, PullTrigger } from '../../workflows/contract';
import { findPlainRows } from '../../db/plain-rows';
import { SyncRunSchema } from '../../entities/sync-run';
import { finishSyncRun, startSyncRun, type SyncRunMetrics, type SyncRunStatus } from '../runs/sync-run-store';
import { odooDateTime, fromOdooDateTime } from '../../odoo/odoo-values';
import { pageDomain } from './pull-page';
import { streamsOf } from './streams';
import { loadWatermark, markReadUpTo } from './watermarks';

export interface BeginRequest {
  entityType: PullEntityType;
  trigger: PullTrigger;
  since?: string;
  full?: boolean;
  workflowId: string | null;
}

/**
 * Where each stream of a run starts reading. Incremental: the stored watermark less the lookback, since a long
 * Odoo transaction commits rows stamped with its start time, older than rows already read. `since` or `full`
 * move the start of the entity's own model only. A secondary stream without a watermark yet starts at its
 * latest row in Odoo (see `fromLatest`), by Odoo's clock, not ours.
 */
export async function planRun(
  em: EntityManager,
  request: BeginRequest,
  lookbackMs: number,
): Promise<{ streams: PullPlan['streams']; from: { writeDate: string; id: number } | null }> {
  const streams = streamsOf(request.entityType);
  const watermarks = await Promise.all(streams.map((s) => loadWatermark(em, s.key)));
  const override = request.full ? null : request.since ? odooDateTime(new Date(request.since)) : undefined;
  return {
    from: watermarks[0] ?? null,
    streams: streams.map((stream, i): PullStreamPlan => {
      const watermark = watermarks[i];
      const plan = { key: stream.key, after: null, done: false };
      if (i === 0 && override !== undefined) return { ...plan, since: override };
      if (watermark) return { ...plan, since: behind(watermark.writeDate, lookbackMs) };
      return i === 0 ? { ...plan, since: null } : { ...plan, since: null, fromLatest: true };
    }),
  };
}

function behind(writeDate: string, lookbackMs: number): string {
  return odooDateTime(new Date(fromOdooDateTime(writeDate).getTime() - lookbackMs));
}

/**
 * Settles where first-time secondary streams start, then counts what the streams match as the run starts
 * (what a progress bar counts up to).
 */
export async function countRun(
  odoo: OdooClient,
  entityType: PullEntityType,
  plan: PullPlan['streams'],
  lookbackMs: number,
): Promise<{ streams: PullPlan['streams']; total: number }> {
  const models = streamsOf(entityType).map((s) => s.model);
  const streams = await Promise.all(
    plan.map(async (stream, i): Promise<PullStreamPlan> => {
      if (!stream.fromLatest) return stream;
      const [latest] = await odoo.searchRead(models[i]!, [], ['write_date'], {
        limit: 1,
        order: 'write_date desc, id desc',
        context: { active_test: false },
      });
      const writeDate = typeof latest?.write_date === 'string' ? latest.write_date : null;
      return writeDate
        ? { key: stream.key, since: behind(writeDate, lookbackMs), after: null, done: false }
        : { key: stream.key, since: null, after: null, done: false };
    }),
  );
  const counts = await Promise.all(
    streams.map((stream, i) =>
      odoo.call<number>(models[i]!, 'search_count', [pageDomain(stream)], { context: { active_test: false } }),
    ),
  );
  return { streams, total: counts.reduce((sum, n) => sum + n, 0) };
}

export async function beginRun(
  em: EntityManager,
  request: BeginRequest,
  plan: Awaited<ReturnType<typeof planRun>>,
  now: Date,
): Promise<number> {
  // The activity retried after its insert: the run already has its record.
  if (request.workflowId) {
    const [open] = await findPlainRows(em, SyncRunSchema, {
      fields: ['id'],
      where: { workflowId: request.workflowId, kind: 'pull', status: 'running' },
    });
    if (open) return open.id;
  }
  return startSyncRun(
    em,
    {
      kind: 'pull',
      entityType: request.entityType,
      trigger: request.trigger,
      watermarkFrom: plan.from,
      workflowId: request.workflowId,
    },
    now,
  );
}

/**
 * Ends the run's record; a run that read every stream to its end also notes that everything written in Odoo
 * before it began has been read (the pull's lag is measured from there).
 */
export async function endRun(
  em: EntityManager,
  end: {
    entityType: PullEntityType;
    runId: number;
    status: Exclude<SyncRunStatus, 'running'>;
    error: string | null;
    startedAt: string;
    complete: boolean;
  },
  metrics?: SyncRunMetrics,
): Promise<void> {
  if (end.complete) {
    for (const stream of streamsOf(end.entityType)) await markReadUpTo(em, stream.key, new Date(end.startedAt));
  }
  await finishSyncRun(em, end.runId, { status: end.status, error: end.error }, new Date(), metrics);
}
