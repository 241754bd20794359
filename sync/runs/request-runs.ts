import type { MikroORM } from '@mikro-orm/core';
import { primaryEm } from '../../db/primary-orm';
import { summarizeError, type Logger } from '../../observability/logger';
import {
  recordRequestRun,
  type SyncRunCounts,
  type SyncRunFailure,
  type SyncRunMetrics,
  type SyncRunStatus,
} from './sync-run-store';

export type RequestRun = Parameters<typeof recordRequestRun>[1];

/** A request's status: success when nothing failed, failed when nothing was accepted, partial otherwise. */
export function requestRunStatus(counts: SyncRunCounts): Exclude<SyncRunStatus, 'running'> {
  if (counts.failed === 0) return 'success';
  return counts.failed >= counts.read ? 'failed' : 'partial';
}

/** What a run's `error` says of an unexpected error: its class and codes, never a database error's message (SQL). */
export function runErrorText(err: unknown): string {
  const { type, name, code, message } = summarizeError(err);
  const kind = [name ?? type, code].filter(Boolean).join(' ');
  return message ? `${kind}: ${message}` : kind;
}

/** The failure entry of an invalid record, with the ids it carried (if any). */
export function requestFailure(raw: unknown, message: string): SyncRunFailure {
  const record = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  return {
    odoo_id: Number.isSafeInteger(record.odoo_id) ? (record.odoo_id as number) : null,
    external_id: typeof record.external_id === 'string' ? record.external_id : null,
    message,
  };
}

/**
 * Records one push request's run: a single INSERT once the request is done. Never fails the request: an error is
 * logged (its class and codes, never the run or the request's records) and swallowed.
 */
export async function recordRequestRunQuietly(
  deps: { orm: MikroORM; log: Logger; metrics: SyncRunMetrics },
  run: RequestRun,
): Promise<void> {
  try {
    await recordRequestRun(primaryEm(deps.orm), run, new Date(), deps.metrics);
  } catch (err) {
    deps.log.warn(
      { kind: run.kind, entityType: run.entityType, error: summarizeError(err) },
      'sync run of a request not recorded',
    );
  }
}
