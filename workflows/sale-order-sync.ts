import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type {
  DecisionEffect,
  LifecycleOutcome,
  ReconcileOutcome,
  SyncFailure,
  SyncOutcome,
} from '../activities/sale-order-sync';
import {
  abandonSignal,
  cancelOrderSignal,
  dependencyReadySignal,
  recordChangedSignal,
  resolveConflictUpdate,
  retrySignal,
  SEARCH_ATTRIBUTES,
  syncBackStateQuery,
  SYNC_BACK_FAILURE_TYPES,
  type CancelReason,
  type ResolveConflictInput,
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

/**
 * Marks the histories of workflows that go on after the create (confirm, cancel, abandon). A workflow started
 * before it ends at the quotation, as it always did: it is never confirmed by the newer code.
 */
export const LIFECYCLE_PATCH = 'sync-back-order-lifecycle';

/**
 * Marks the histories of workflows that keep the order in sync with Odoo after the create: each change on either
 * side merged (the webshop's written to Odoo once, Odoo's stored and fed back), conflicts decided by an operator.
 */
export const ORDER_UPDATES_PATCH = 'sync-back-order-updates';

/** What the workflow knows between activity runs. */
class SyncBackRun {
  pushed = false;
  retryRequested = false;
  readyDependencies = new Set<string>();
  /** The webshop cancelled the order; taken when the cancel starts. */
  cancelRequested = false;
  /** An operator gave up on the failed order; taken when the compensation starts. */
  abandonRequested = false;
  /** An operator's decision on the conflict, stored by the update handler; taken by the waiting step. */
  decision: DecisionEffect | undefined;
  /** The confirm is done (or was never to be sent again: the order was cancelled in Odoo). */
  confirmDone = false;
  checksWithoutProgress: number;
  status: SaleOrderSyncStatus = { state: 'pending', awaitingOn: [], odooId: null, lastError: null, odooState: null };
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

  /** A cancel (the webshop's, or an operator's abandon) is waiting to be carried out. */
  get cancelWanted(): boolean {
    return this.cancelRequested || this.abandonRequested;
  }

  take(): void {
    this.pushed = false;
    this.retryRequested = false;
    this.readyDependencies.clear();
  }

  /** Takes the operator's decision, if one came. */
  takeDecision(): DecisionEffect | undefined {
    const decision = this.decision;
    this.decision = undefined;
    return decision;
  }

  /** Takes the pending cancel: why it is cancelled. */
  takeCancel(): CancelReason {
    const reason = this.abandonRequested ? 'abandon' : 'webshop';
    this.cancelRequested = false;
    this.abandonRequested = false;
    return reason;
  }

  update(change: Partial<SaleOrderSyncStatus>): void {
    this.status = { ...this.status, ...change };
    this.publish();
  }

  /**
   * Writes the search attributes only when they change: each write is a history event. The current details (no
   * event) follow every change, e.g. a second conflict on other fields.
   */
  private publish(): void {
    const { state, awaitingOn } = this.status;
    const snapshot = JSON.stringify([state, awaitingOn]);
    wf.setCurrentDetails(describe(this.status));
    if (snapshot === this.published) return;
    this.published = snapshot;
    wf.upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.SyncState, value: state },
      { key: SEARCH_ATTRIBUTES.AwaitingOn, value: awaitingOn },
    ]);
  }
}

function describe(status: SaleOrderSyncStatus): string {
  const inOdoo = status.odooId === null ? '' : ` (sale.order ${status.odooId})`;
  switch (status.state) {
    case 'awaiting_dependency':
      return `Waiting for ${status.awaitingOn.join(', ')} to be known with an Odoo id`;
    case 'failed':
      return `Failed: ${status.lastError ?? 'unknown error'} (send "retry" once the cause is fixed, or "abandon" to cancel the order${status.odooId === null ? '' : ' in Odoo'})`;
    case 'synced':
      return `In Odoo as sale.order ${status.odooId}`;
    case 'confirming':
      return `Confirming sale.order ${status.odooId} in Odoo`;
    case 'confirmed':
      return `Confirmed in Odoo as sale.order ${status.odooId}`;
    case 'cancelling':
      return `Cancelling${inOdoo}`;
    case 'cancelled':
      return status.odooId === null ? 'Cancelled before it reached Odoo' : `Cancelled, in Odoo too${inOdoo}`;
    case 'conflict':
      return [
        `Conflict${inOdoo}: ${status.lastError ?? 'Odoo does not allow it'}.`,
        ...(status.conflicts ?? []).map(
          (c) => `- ${c.field}: webshop ${JSON.stringify(c.webshop)}, Odoo ${JSON.stringify(c.odoo)}`,
        ),
        'Waits for an operator: the Update "resolveConflict" ({"keep": "webshop" | "odoo", "fields": [...]}), or "retry".',
      ].join('\n');
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
 * operator sends `retry` (or the webshop reposts it changed). Cancelling the workflow marks the order cancelled.
 *
 * Then the order's lifecycle in Odoo, one step after the other: the confirm (`timing.confirm`), as a saga whose
 * compensation is the cancel in Odoo (`abandon` on a failed confirm), and the webshop's cancel (`cancelOrder`),
 * which a delivered or invoiced order refuses: the order then waits in `conflict`.
 */
export async function saleOrderSyncWorkflow(input: SaleOrderSyncInput): Promise<SaleOrderSyncStatus> {
  const run = new SyncBackRun(input.externalId, input.checksWithoutProgress ?? 0);
  wf.setHandler(recordChangedSignal, () => void (run.pushed = true));
  wf.setHandler(retrySignal, () => void (run.retryRequested = true));
  wf.setHandler(dependencyReadySignal, (key) => void run.readyDependencies.add(key));
  wf.setHandler(cancelOrderSignal, () => void (run.cancelRequested = true));
  wf.setHandler(abandonSignal, () => {
    if (run.status.state === 'failed') run.abandonRequested = true;
    else wf.log.warn('abandon ignored: the order is not failed', { state: run.status.state });
  });
  wf.setHandler(syncBackStateQuery, () => run.status);
  const lifecycle = wf.patched(LIFECYCLE_PATCH);
  const updates = lifecycle && wf.patched(ORDER_UPDATES_PATCH);
  wf.setHandler(resolveConflictUpdate, (decision) => resolveConflict(run, decision), {
    validator: (decision) => validateDecision(run, decision, updates),
  });
  try {
    const created = await syncUntilDone(input, run, updates);
    // A new run for an order confirmed earlier (a change, a cancel) goes on after the create too.
    const inOdoo = created.state === 'synced' || (updates && created.state === 'confirmed');
    if (!inOdoo) return created;
    // Histories from before the lifecycle end here, unless the new cancel signal reached them.
    if (!lifecycle && !run.cancelWanted) return created;
    return await afterCreate(input, run, lifecycle && input.timing.confirm === true, updates);
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

async function syncUntilDone(
  input: SaleOrderSyncInput,
  run: SyncBackRun,
  updates = false,
): Promise<SaleOrderSyncStatus> {
  const { externalId, timing } = input;
  const odoo = odooActivities(timing);
  for (;;) {
    if (run.cancelWanted) {
      // A cancel an operator dropped (kept Odoo's side) goes on with the order as Odoo has it.
      const cancelled = await cancelOrder(input, run, updates);
      if (cancelled) return cancelled;
      continue;
    }
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
      if (outcome.stored === 'confirmed') run.update({ state: 'confirmed', odooState: outcome.odooState ?? 'sale' });
      else if (outcome.odooState !== undefined) run.update({ odooState: outcome.odooState });
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
    if (await wf.condition(() => run.hasWork || run.cancelWanted, waitMs)) continue;
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

/**
 * Marks the order failed, then waits for a retry, a changed repost, (for dependencies) an arrival, or a cancel:
 * the webshop's, or an operator's `abandon`.
 */
async function failAndWait(run: SyncBackRun, failure: SyncFailure): Promise<void> {
  const message = await store.markSaleOrderSyncFailed(run.externalId, failure);
  run.update({ state: 'failed', lastError: message });
  await wf.condition(() => run.hasWork || run.cancelWanted);
  run.checksWithoutProgress = 0;
}

/**
 * The steps after the create, in order; a cancel comes first whenever one is asked for. With `updates`, then the
 * merge with Odoo's order, again whenever the webshop posts a change or Odoo's version is pushed, until nothing is
 * left to do (a later change starts the workflow again).
 */
async function afterCreate(
  input: SaleOrderSyncInput,
  run: SyncBackRun,
  confirm: boolean,
  updates: boolean,
): Promise<SaleOrderSyncStatus> {
  if (run.status.state === 'confirmed') run.confirmDone = true;
  for (;;) {
    if (run.cancelWanted) {
      const cancelled = await cancelOrder(input, run, updates);
      if (cancelled) return cancelled;
      continue;
    }
    if (!updates) {
      if (!confirm || run.status.state === 'confirmed') return run.status;
      await confirmOrder(input, run, updates);
      continue;
    }
    if (confirm && !run.confirmDone) {
      await confirmOrder(input, run, updates);
      continue;
    }
    const outcome = await reconcile(input, run);
    if (outcome === 'cancelled') return run.status;
    if (outcome === 'conflict') continue;
    if (!run.hasWork && !run.cancelWanted) return run.status;
  }
}

/**
 * One merge of the webshop's version with Odoo's (the activity writes the webshop's changes once and reads Odoo's
 * back). A conflict waits for an operator's decision, a change from either side, or a cancel.
 */
async function reconcile(input: SaleOrderSyncInput, run: SyncBackRun): Promise<'in_sync' | 'cancelled' | 'conflict'> {
  const odoo = odooActivities(input.timing);
  run.take();
  run.update({ state: 'syncing', lastError: null });
  let outcome: ReconcileOutcome;
  try {
    outcome = await odoo.reconcileSaleOrder(run.externalId);
  } catch (err) {
    if (!(err instanceof wf.ActivityFailure) || wf.isCancellation(err)) throw err;
    await failAndWait(run, { ...failureOf(err, input.timing), action: 'update' });
    return 'conflict';
  }
  if (outcome.state === 'in_sync') {
    run.update({ state: outcome.syncState, odooState: outcome.odooState, lastError: null, conflicts: undefined });
    return 'in_sync';
  }
  if (outcome.state === 'cancelled') {
    run.update({ state: 'cancelled', odooState: outcome.odooState, lastError: null, conflicts: undefined });
    return 'cancelled';
  }
  await conflictAndWait(run, outcome);
  return 'conflict';
}

/** Checks an operator's decision before it is accepted: there must be a conflict, and each field must be in it. */
function validateDecision(run: SyncBackRun, decision: ResolveConflictInput, updates: boolean): void {
  if (!updates) throw new Error('This workflow predates conflict decisions: send "retry" instead');
  if (run.status.state !== 'conflict') throw new Error(`There is no conflict to resolve (state ${run.status.state})`);
  if (decision?.keep !== 'webshop' && decision?.keep !== 'odoo') throw new Error('keep must be "webshop" or "odoo"');
  const inConflict = (run.status.conflicts ?? []).map((c) => c.field);
  const unknown = (decision.fields ?? []).filter((f) => !inConflict.includes(f));
  if (unknown.length) throw new Error(`Not in conflict: ${unknown.join(', ')} (in conflict: ${inConflict.join(', ')})`);
}

/** Stores the decision (an activity: recorded with who decided) and wakes the step waiting in conflict. */
async function resolveConflict(run: SyncBackRun, decision: ResolveConflictInput) {
  const effect = await store.resolveSaleOrderConflict(run.externalId, {
    keep: decision.keep,
    ...(decision.fields?.length ? { fields: decision.fields } : {}),
    by: decision.by?.trim() || 'temporal',
  });
  const fields = (run.status.conflicts ?? [])
    .map((c) => c.field)
    .filter((f) => !decision.fields?.length || decision.fields.includes(f));
  run.decision = effect;
  return { effect, fields };
}

/**
 * Confirms the order in Odoo (the activity reads its state first, so the confirm is sent once). A refusal
 * marks it failed until `retry`, or `abandon` (the saga's compensation: cancel in Odoo). Returns once it is
 * confirmed, or when a cancel is wanted.
 */
async function confirmOrder(input: SaleOrderSyncInput, run: SyncBackRun, updates: boolean): Promise<void> {
  const odoo = odooActivities(input.timing);
  for (;;) {
    run.take();
    run.update({ state: 'confirming', lastError: null });
    let outcome: LifecycleOutcome;
    try {
      outcome = await odoo.confirmSaleOrder(run.externalId);
    } catch (err) {
      if (!(err instanceof wf.ActivityFailure) || wf.isCancellation(err)) throw err;
      await failAndWait(run, { ...failureOf(err, input.timing), action: 'confirm' });
      if (run.cancelWanted) return;
      continue;
    }
    if (outcome.state !== 'conflict') {
      run.update({ state: 'confirmed', odooState: outcome.odooState, lastError: null });
      run.confirmDone = true;
      return;
    }
    if (updates && outcome.odooState === 'cancel') {
      // Cancelled in Odoo meanwhile: that cancel wins (the merge that follows records it); nothing to confirm.
      run.confirmDone = true;
      return;
    }
    await conflictAndWait(run, outcome);
    if (run.cancelWanted) return;
  }
}

/**
 * Cancels the order: in Odoo once if it is there (nothing is sent before the create), then here. A refusal
 * by Odoo (delivered, invoiced, locked) is a conflict: the order waits, and `retry` tries the cancel again.
 */
async function cancelOrder(
  input: SaleOrderSyncInput,
  run: SyncBackRun,
  updates = false,
): Promise<SaleOrderSyncStatus | undefined> {
  const odoo = odooActivities(input.timing);
  const reason = run.takeCancel();
  for (;;) {
    run.take();
    run.update({ state: 'cancelling', awaitingOn: [], lastError: null });
    let outcome: LifecycleOutcome;
    try {
      outcome = await odoo.cancelSaleOrder(run.externalId, reason);
    } catch (err) {
      if (!(err instanceof wf.ActivityFailure) || wf.isCancellation(err)) throw err;
      await failAndWait(run, { ...failureOf(err, input.timing), action: 'cancel' });
      run.takeCancel();
      continue;
    }
    if (outcome.state !== 'conflict') {
      run.update({ state: 'cancelled', odooState: outcome.odooState, lastError: null, conflicts: undefined });
      return run.status;
    }
    await conflictAndWait(run, outcome);
    run.takeCancel();
    // An operator kept Odoo's side: the cancel is dropped, the order goes on as Odoo has it.
    if (updates && run.takeDecision() === 'cancel_dropped') {
      run.update({ state: 'syncing', lastError: null, conflicts: undefined });
      return undefined;
    }
  }
}

/**
 * Odoo does not allow what was asked, or both sides changed the same thing: the order waits for an operator's
 * decision (the Update `resolveConflict`), `retry`, a change from either side, or a cancel.
 */
async function conflictAndWait(
  run: SyncBackRun,
  outcome: (LifecycleOutcome | ReconcileOutcome) & { state: 'conflict' },
): Promise<void> {
  run.decision = undefined;
  run.update({
    state: 'conflict',
    odooState: outcome.odooState,
    lastError: outcome.message,
    conflicts: outcome.conflicts,
  });
  await wf.condition(() => run.hasWork || run.cancelWanted || run.decision !== undefined);
}

async function continueAsNewIfSuggested(input: SaleOrderSyncInput, run: SyncBackRun): Promise<void> {
  if (!wf.workflowInfo().continueAsNewSuggested || run.hasWork || run.cancelWanted) return;
  await wf.continueAsNew<typeof saleOrderSyncWorkflow>({ ...input, checksWithoutProgress: run.checksWithoutProgress });
}
