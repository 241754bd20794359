import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { SyncFailure, SyncOutcome } from '../activities/sale-order-sync';
import {
  dependencyReadySignal,
  recordChangedSignal,
  retrySignal,
  SEARCH_ATTRIBUTES,
  syncBackStateQuery,
  SYNC_BACK_FAILURE_TYPES,
  type SaleOrderSyncInput,
  type SaleOrderSyncStatus,
  type SyncBackTiming,
} from './contract';

type Activities = ReturnType<typeof createActivities>;

/** Quick database work. */
const store = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Retried without limit: the wait for ODOO_* ends only with a worker restarted with them set. */
const odooConfig = wf.proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The Odoo create: Temporal's retry policy is the backoff, the schedule-to-close timeout the deadline. */
function odooActivities(timing: SyncBackTiming) {
  return wf.proxyActivities<Activities>({
    startToCloseTimeout: timing.attemptTimeoutMs,
    ...(timing.heartbeatTimeoutMs ? { heartbeatTimeout: timing.heartbeatTimeoutMs } : {}),
    scheduleToCloseTimeout: timing.deadlineMs,
    retry: {
      initialInterval: timing.retryInitialMs,
      backoffCoefficient: 2,
      maximumInterval: timing.retryMaxMs,
    },
    // A create in flight is let finish, so a cancelled workflow never leaves an unknown order behind.
    cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

/** What the workflow knows between activity runs. */
class SyncBackRun {
  pushed = false;
  retryRequested = false;
  readyDependencies = new Set<string>();
  checksWithoutProgress: number;
  status: SaleOrderSyncStatus = { state: 'pending', awaitingOn: [], odooId: null, lastError: null };
  private published = '';

  constructor(
    readonly externalId: string,
    checksWithoutProgress: number,
  ) {
    this.checksWithoutProgress = checksWithoutProgress;
  }

  get hasWork(): boolean {
    return this.pushed || this.retryRequested || this.readyDependencies.size > 0;
  }

  take(): void {
    this.pushed = false;
    this.retryRequested = false;
    this.readyDependencies.clear();
  }

  update(change: Partial<SaleOrderSyncStatus>): void {
    this.status = { ...this.status, ...change };
    this.publish();
  }

  /** Writes the search attributes only when they change: each write is a history event. */
  private publish(): void {
    const { state, awaitingOn } = this.status;
    const snapshot = JSON.stringify([state, awaitingOn]);
    if (snapshot === this.published) return;
    this.published = snapshot;
    wf.upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.SyncState, value: state },
      { key: SEARCH_ATTRIBUTES.AwaitingOn, value: awaitingOn },
    ]);
    wf.setCurrentDetails(describe(this.status));
  }
}

function describe(status: SaleOrderSyncStatus): string {
  switch (status.state) {
    case 'awaiting_dependency':
      return `Waiting for ${status.awaitingOn.join(', ')} to be known with an Odoo id`;
    case 'failed':
      return `Failed: ${status.lastError ?? 'unknown error'} (send "retry" once the cause is fixed)`;
    case 'synced':
      return `In Odoo as sale.order ${status.odooId}`;
    case 'pending':
      return status.lastError ? `Pending: ${status.lastError}` : 'Pending';
    default:
      return `State: ${status.state}`;
  }
}

function failureOf(err: wf.ActivityFailure, timing: SyncBackTiming): SyncFailure {
  // Past the deadline Temporal ends the retries with the last attempt's failure, or with a timeout.
  if (err.retryState === 'TIMEOUT' || err.cause instanceof wf.TimeoutFailure) {
    return { reason: 'deadline', deadlineMs: timing.deadlineMs };
  }
  if (err.cause instanceof wf.ApplicationFailure && err.cause.type === SYNC_BACK_FAILURE_TYPES.odooRejected) {
    return { reason: 'odoo_rejected', message: err.cause.message };
  }
  return { reason: 'other', message: err.cause?.message ?? err.message };
}

/**
 * The sync-back of one webshop order. The order lives in the database; the workflow carries its number.
 * It waits until the partner and every product are known with an Odoo id (woken by a signal, looking in the
 * legacy database after the grace period and again at growing intervals), then has the order created in
 * Odoo exactly once. A refusal by Odoo, or no success before the deadline, marks the order failed until an
 * operator sends `retry` (or the webshop reposts it changed). Cancelling marks the order cancelled.
 */
export async function saleOrderSyncWorkflow(input: SaleOrderSyncInput): Promise<SaleOrderSyncStatus> {
  const run = new SyncBackRun(input.externalId, input.checksWithoutProgress ?? 0);
  wf.setHandler(recordChangedSignal, () => void (run.pushed = true));
  wf.setHandler(retrySignal, () => void (run.retryRequested = true));
  wf.setHandler(dependencyReadySignal, (key) => void run.readyDependencies.add(key));
  wf.setHandler(syncBackStateQuery, () => run.status);
  try {
    return await syncUntilDone(input, run);
  } catch (err) {
    if (wf.isCancellation(err)) {
      await wf.CancellationScope.nonCancellable(async () => {
        await store.markSaleOrderSyncCancelled(input.externalId);
        run.update({ state: 'cancelled', awaitingOn: [] });
      });
    }
    throw err;
  }
}

async function syncUntilDone(input: SaleOrderSyncInput, run: SyncBackRun): Promise<SaleOrderSyncStatus> {
  const { externalId, timing } = input;
  const odoo = odooActivities(timing);
  for (;;) {
    run.take();
    if (run.status.state !== 'awaiting_dependency') run.update({ state: 'syncing', lastError: null });
    let outcome: SyncOutcome;
    try {
      outcome = await odoo.syncSaleOrder(externalId);
    } catch (err) {
      if (!(err instanceof wf.ActivityFailure) || wf.isCancellation(err)) throw err;
      const notFound =
        err.cause instanceof wf.ApplicationFailure && err.cause.type === SYNC_BACK_FAILURE_TYPES.orderNotFound;
      if (notFound) throw err;
      await failAndWait(run, failureOf(err, timing));
      continue;
    }

    if (outcome.state === 'synced') {
      run.update({ state: 'synced', odooId: outcome.odooId, awaitingOn: [], lastError: null });
      return run.status;
    }
    if (outcome.state === 'cancelled') {
      run.update({ state: 'cancelled', awaitingOn: [] });
      return run.status;
    }
    if (outcome.state === 'odoo_not_configured') {
      run.update({ state: 'pending', lastError: outcome.message });
      await odooConfig.awaitOdooConfigured();
      continue;
    }

    run.update({ state: 'awaiting_dependency', awaitingOn: outcome.awaitingOn });
    await continueAsNewIfSuggested(input, run);
    const waitMs = Math.min(timing.gracePeriodMs * 2 ** run.checksWithoutProgress, timing.maxLookupIntervalMs);
    if (await wf.condition(() => run.hasWork, waitMs)) continue;
    if (outcome.missing.length) {
      const lookup = await store.resolveFromLegacy(outcome.missing);
      if (lookup.unavailable || lookup.stubbed.length > 0) continue;
    }
    run.checksWithoutProgress += 1;
    if (run.checksWithoutProgress < timing.legacyLookupAttempts) continue;
    await failAndWait(run, {
      reason: 'dependencies',
      message: `Still not known with an Odoo id after ${run.checksWithoutProgress} checks (legacy database included): ${outcome.awaitingOn.join(', ')}`,
    });
  }
}

/** Marks the order failed, then waits for a retry, a changed repost or (for dependencies) an arrival. */
async function failAndWait(run: SyncBackRun, failure: SyncFailure): Promise<void> {
  const message = await store.markSaleOrderSyncFailed(run.externalId, failure);
  run.update({ state: 'failed', lastError: message });
  await wf.condition(() => run.hasWork);
  run.checksWithoutProgress = 0;
}

async function continueAsNewIfSuggested(input: SaleOrderSyncInput, run: SyncBackRun): Promise<void> {
  if (!wf.workflowInfo().continueAsNewSuggested || run.hasWork) return;
  await wf.continueAsNew<typeof saleOrderSyncWorkflow>({ ...input, checksWithoutProgress: run.checksWithoutProgress });
}
