import { ApplicationFailure } from '@temporalio/activity';
import type { BreakerState } from '../odoo/circuit-breaker';
import { OdooError } from '../odoo/odoo-errors';
import { CreateOutcomePending } from '../sync/sync-back/odoo-sale-order';
import { SYNC_BACK_FAILURE_TYPES } from '../workflows/contract';

const between = (min: number, max: number) => min + Math.random() * (max - min);

/**
 * While the breaker is open, calls fail at once without reaching Odoo, and the retry waits about one open
 * period: the breaker's probe notices Odoo's recovery, and the backlog follows within that period instead of
 * sleeping out a long exponential backoff. Jitter spreads the backlog. During a probe, the others retry soon.
 */
export function circuitRetryDelayMs(breaker: BreakerState, openMs: number): number {
  return breaker === 'half_open' ? between(500, 2_000) : between(openMs / 2, openMs);
}

function odooErrorName(err: OdooError): string {
  if (err.odooName) return err.odooName.slice(err.odooName.lastIndexOf('.') + 1);
  return err.status ? `HTTP ${err.status}` : 'Odoo error';
}

/** Maps a failed attempt onto what Temporal's retry policy does next: retry (when), or stop. */
export function toRetryFailure(err: unknown, breaker: BreakerState, breakerOpenMs: number): Error {
  if (err instanceof CreateOutcomePending) {
    return ApplicationFailure.create({
      message: err.message,
      type: 'OdooCreatePending',
      nextRetryDelay: err.retryInMs,
    });
  }
  if (!(err instanceof OdooError)) return err instanceof Error ? err : new Error(String(err));
  if (err.kind === 'permanent') {
    return ApplicationFailure.nonRetryable(
      `${odooErrorName(err)}: ${err.message}`,
      SYNC_BACK_FAILURE_TYPES.odooRejected,
    );
  }
  if (breaker !== 'closed') {
    const nextRetryDelay = Math.round(circuitRetryDelayMs(breaker, breakerOpenMs));
    return ApplicationFailure.create({ message: err.message, type: 'OdooCircuitOpen', nextRetryDelay });
  }
  return ApplicationFailure.retryable(
    err.message,
    err.kind === 'unknown_outcome' ? 'OdooOutcomeUnknown' : 'OdooUnavailable',
  );
}

export function describeDuration(ms: number): string {
  const units = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const;
  for (const [unit, size] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
