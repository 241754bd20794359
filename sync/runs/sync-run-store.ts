import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { findPlainRows } from '../../db/plain-rows';
import {
  SyncRunSchema,
  type SyncRun,
  type SyncRunFailure,
  type SyncRunKind,
  type SyncRunStatus,
  type SyncRunTrigger,
} from '../../entities/sync-run';
import type { Metrics } from '../../observability/metrics';

export type { SyncRun, SyncRunFailure, SyncRunKind, SyncRunStatus, SyncRunTrigger } from '../../entities/sync-run';

export interface SyncRunCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

/** A position in Odoo's `(write_date, id)` order; `writeDate` is Odoo's text, `YYYY-MM-DD HH:MM:SS`. */
export interface RunCursor {
  writeDate: string;
  id: number;
}

/** The metrics a run counts when it ends (`sync_runs_total`) and a pull page when it applies (`pull_records_read_total`). */
export type SyncRunMetrics = Pick<Metrics, 'syncRuns' | 'pullRecordsRead'>;

/** Failures kept per run; the rest are only counted. */
export const MAX_RUN_FAILURES = 100;
const MAX_FAILURE_MESSAGE = 500;
const MAX_ERROR = 2_000;
const WRITE_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Every column of a run, as the store reads it back. */
export const SYNC_RUN_FIELDS = [
  'id',
  'kind',
  'entityType',
  'trigger',
  'status',
  'startedAt',
  'finishedAt',
  'pages',
  'readCount',
  'createdCount',
  'updatedCount',
  'unchangedCount',
  'failedCount',
  'watermarkFromDate',
  'watermarkFromId',
  'watermarkToDate',
  'watermarkToId',
  'error',
  'failures',
  'workflowId',
] as const satisfies readonly (keyof SyncRun)[];

function clip(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function checkCounts(counts: SyncRunCounts): void {
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`count ${name} must be a non-negative integer`);
  }
}

function cursorColumns(cursor: RunCursor | null | undefined, which: 'From' | 'To') {
  if (cursor && (!WRITE_DATE.test(cursor.writeDate) || !Number.isSafeInteger(cursor.id))) {
    throw new RangeError(`watermark${which} must be {writeDate: 'YYYY-MM-DD HH:MM:SS', id: integer}`);
  }
  return { [`watermark${which}Date`]: cursor?.writeDate ?? null, [`watermark${which}Id`]: cursor?.id ?? null };
}

function countColumns(counts: SyncRunCounts) {
  return {
    readCount: counts.read,
    createdCount: counts.created,
    updatedCount: counts.updated,
    unchangedCount: counts.unchanged,
    failedCount: counts.failed,
  };
}

const trimFailure = (f: SyncRunFailure): SyncRunFailure => ({
  odoo_id: f.odoo_id,
  external_id: clip(f.external_id, 255),
  message: clip(f.message, MAX_FAILURE_MESSAGE) ?? '',
});

async function labelsOf(em: EntityManager, runId: number) {
  const [row] = await findPlainRows(em, SyncRunSchema, { fields: ['kind', 'entityType'], where: { id: runId } });
  return row;
}

/** Inserts a `running` run, returns its id. */
export async function startSyncRun(
  em: EntityManager,
  run: {
    kind: SyncRunKind;
    entityType: string;
    trigger: SyncRunTrigger;
    watermarkFrom?: RunCursor | null;
    workflowId?: string | null;
  },
  now: Date = new Date(),
): Promise<number> {
  const id = await em.insert(SyncRunSchema, {
    kind: run.kind,
    entityType: run.entityType,
    trigger: run.trigger,
    status: 'running',
    startedAt: now,
    finishedAt: null,
    pages: 0,
    ...countColumns({ read: 0, created: 0, updated: 0, unchanged: 0, failed: 0 }),
    ...cursorColumns(run.watermarkFrom, 'From'),
    ...cursorColumns(null, 'To'),
    error: null,
    failures: null,
    workflowId: run.workflowId ?? null,
  });
  return Number(id);
}

/**
 * Adds one page's counts and failures (kept up to MAX_RUN_FAILURES per run), sets watermark_to (left as it was
 * when `watermarkTo` is null) and increments pages: only if the run is still running and has exactly
 * `expectedPages` pages so far, so a retried page is not counted twice. One conditional UPDATE; a page with
 * failures to keep reads the kept ones first (the same condition makes a concurrent retry apply once).
 * Returns whether it applied. With `metrics`, an applied page counts its records in `pull_records_read_total`.
 */
export async function recordSyncRunPage(
  em: EntityManager,
  runId: number,
  page: { expectedPages: number; counts: SyncRunCounts; failures: SyncRunFailure[]; watermarkTo: RunCursor | null },
  metrics?: SyncRunMetrics,
): Promise<boolean> {
  checkCounts(page.counts);
  const { counts } = page;
  const where = { id: runId, pages: page.expectedPages, status: 'running' as const };
  const watermark = page.watermarkTo ? cursorColumns(page.watermarkTo, 'To') : {};
  let failures: SyncRunFailure[] | undefined;
  if (page.failures.length > 0) {
    const [row] = await findPlainRows(em, SyncRunSchema, { fields: ['failures'], where });
    if (!row) return false;
    const kept = row.failures ?? [];
    if (kept.length < MAX_RUN_FAILURES) {
      failures = [...kept, ...page.failures.slice(0, MAX_RUN_FAILURES - kept.length).map(trimFailure)];
    }
  }
  const values = {
    pages: raw('pages + 1'),
    readCount: raw('read_count + ?', [counts.read]),
    createdCount: raw('created_count + ?', [counts.created]),
    updatedCount: raw('updated_count + ?', [counts.updated]),
    unchangedCount: raw('unchanged_count + ?', [counts.unchanged]),
    failedCount: raw('failed_count + ?', [counts.failed]),
    ...watermark,
    ...(failures ? { failures } : {}),
  };
  const applied = (await em.nativeUpdate(SyncRunSchema, where, values as never)) > 0;
  if (applied && metrics && counts.read > 0) {
    const labels = await labelsOf(em, runId);
    if (labels) metrics.pullRecordsRead.inc({ entity_type: labels.entityType }, counts.read);
  }
  return applied;
}

/**
 * Ends a run (status, error, finished_at) unless it already ended; with `metrics`, counts the run it ended in
 * `sync_runs_total`.
 */
export async function finishSyncRun(
  em: EntityManager,
  runId: number,
  end: { status: Exclude<SyncRunStatus, 'running'>; error?: string | null },
  now: Date = new Date(),
  metrics?: SyncRunMetrics,
): Promise<void> {
  const ended = await em.nativeUpdate(
    SyncRunSchema,
    { id: runId, status: 'running' },
    { status: end.status, error: clip(end.error, MAX_ERROR), finishedAt: now },
  );
  if (ended > 0 && metrics) {
    const labels = await labelsOf(em, runId);
    if (labels) metrics.syncRuns.inc({ kind: labels.kind, entity_type: labels.entityType, status: end.status });
  }
}

/**
 * One finished run for one push request (kind push or webshop): a single INSERT. `failures` (kept up to
 * MAX_RUN_FAILURES) name the records the request could not import. With `metrics`, counts it in `sync_runs_total`.
 */
export async function recordRequestRun(
  em: EntityManager,
  run: {
    kind: 'push' | 'webshop';
    entityType: string;
    trigger: 'odoo' | 'webshop';
    startedAt: Date;
    counts: SyncRunCounts;
    status: Exclude<SyncRunStatus, 'running'>;
    error?: string | null;
    failures?: SyncRunFailure[];
  },
  now: Date = new Date(),
  metrics?: SyncRunMetrics,
): Promise<void> {
  checkCounts(run.counts);
  const failures = run.failures?.slice(0, MAX_RUN_FAILURES).map(trimFailure) ?? [];
  await em.insert(SyncRunSchema, {
    kind: run.kind,
    entityType: run.entityType,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: now,
    pages: 0,
    ...countColumns(run.counts),
    ...cursorColumns(null, 'From'),
    ...cursorColumns(null, 'To'),
    error: clip(run.error, MAX_ERROR),
    failures: failures.length ? failures : null,
    workflowId: null,
  });
  metrics?.syncRuns.inc({ kind: run.kind, entity_type: run.entityType, status: run.status });
}

/** One run as stored, or null. */
export async function getSyncRun(em: EntityManager, id: number): Promise<SyncRun | null> {
  const [row] = await findPlainRows(em, SyncRunSchema, { fields: SYNC_RUN_FIELDS, where: { id } });
  return row ?? null;
}
