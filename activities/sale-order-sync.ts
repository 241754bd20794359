import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Metrics } from '../observability/metrics';
import type { OdooClient } from '../odoo/odoo-client';
import { clearWaits, registerWaits } from '../sync/inbound/dependency-waits';
import {
  SaleOrderSchema,
  type OdooOrderState,
  type OdooOrderVersion,
  type SyncConflict,
  type SyncState,
} from '../entities/sale-order';
import {
  cancelSaleOrderOnce,
  confirmSaleOrderOnce,
  createSaleOrderOnce,
  CreateOutcomePending,
  findOdooSaleOrder,
  saleOrderValues,
  settlePendingWrite,
  writeSaleOrderOnce,
  type LifecycleResult,
} from '../sync/sync-back/odoo-sale-order';
import { planMerge, writeRefusal } from '../sync/sync-back/order-merge';
import { baseOf, odooWriteValues, readOdooVersion, webshopVersion } from '../sync/sync-back/order-versions';
import { resolveOrderDependencies, unresolvedKeys, type OrderDependencies } from '../sync/sync-back/dependencies';
import {
  beginAttempt,
  createMarker,
  loadWebshopOrder,
  markAwaitingDependencies,
  actionMarker,
  markCancelled,
  markCancelledOnRequest,
  markConfirmed,
  markConflict,
  markFailed,
  markSynced,
  markWaitingForOdoo,
  markInSync,
  markMergeConflict,
  noteAttemptError,
  recordOdooId,
  recordResolutions,
  storeSyncBase,
  syncStateOf,
  type ResolutionEntry,
} from '../sync/sync-back/state';
import { syncBackWorkflowId, SYNC_BACK_FAILURE_TYPES, type CancelReason } from '../workflows/contract';
import { describeDuration, toRetryFailure } from './sync-back-retry';
import { withHeartbeats } from './heartbeat';

export interface SaleOrderSyncDeps {
  orm: MikroORM;
  metrics: Metrics;
  /** The worker's one Odoo client; undefined while Odoo is not configured. */
  odoo: OdooClient | undefined;
  /** How long a create whose answer was lost is given to show up in Odoo before it is sent again. */
  unknownOutcomeSettleMs: number;
  /** The Odoo client's breaker open period, which paces retries while Odoo is down. */
  breakerOpenMs: number;
}

export type SyncOutcome =
  /** In Odoo; `stored` and `odooState` (absent from results recorded before them): where the order stands. */
  | { state: 'synced'; odooId: number; stored?: SyncState; odooState?: OdooOrderState | null }
  | { state: 'cancelled' }
  | { state: 'awaiting_dependency'; awaitingOn: string[]; missing: string[] }
  | { state: 'odoo_not_configured'; message: string };

export type SyncFailure = (
  { reason: 'odoo_rejected' | 'dependencies' | 'other'; message: string } | { reason: 'deadline'; deadlineMs: number }
) & {
  /** The Odoo action that failed; absent: the create. */
  action?: 'confirm' | 'cancel' | 'update';
};

/** Where a confirm or cancel left the order. */
export type LifecycleOutcome =
  | { state: 'confirmed' | 'cancelled'; odooState: OdooOrderState | null }
  | { state: 'conflict'; odooState: OdooOrderState | null; message: string; conflicts: SyncConflict[] };

/** Where a merge with the Odoo order left it. */
export type ReconcileOutcome =
  | { state: 'in_sync'; syncState: SyncState; odooState: OdooOrderState; wrote: boolean }
  | { state: 'cancelled'; odooState: OdooOrderState | null }
  | { state: 'conflict'; odooState: OdooOrderState | null; message: string; conflicts: SyncConflict[] };

/** An operator's decision on an order in conflict: per field, or (no fields) for every field in conflict. */
export interface ConflictDecision {
  keep: 'webshop' | 'odoo';
  fields?: string[];
  /** Who decided: an API token's name, or the Temporal client's identity. */
  by: string;
}

/** What a decision does next: merge again (a merge conflict), cancel again, or keep the order (a refused cancel). */
export type DecisionEffect = 'merge' | 'cancel_again' | 'cancel_dropped';

export const ODOO_NOT_CONFIGURED =
  'Odoo is not configured (ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY): the order waits until it is';

const REPOST_RACE_RETRIES = 3;

export function saleOrderSyncActivities(deps: SaleOrderSyncDeps) {
  const { orm, metrics, odoo, unknownOutcomeSettleMs, breakerOpenMs } = deps;
  const fork = () => orm.em.fork() as EntityManager;

  const load = async (em: EntityManager, externalId: string) => {
    const loaded = await loadWebshopOrder(em, externalId);
    if (!loaded) {
      throw ApplicationFailure.nonRetryable(
        `No stored webshop order ${externalId}`,
        SYNC_BACK_FAILURE_TYPES.orderNotFound,
      );
    }
    return loaded;
  };

  /** Registers before it checks again, so a dependency landing in between still wakes the workflow. */
  const awaitDependencies = async (
    em: EntityManager,
    workflowId: string,
    found: OrderDependencies,
    recheck: () => Promise<OrderDependencies>,
  ): Promise<OrderDependencies> => {
    const keys = unresolvedKeys(found);
    await registerWaits(em, workflowId, keys);
    const again = await recheck();
    const still = unresolvedKeys(again);
    const resolved = keys.filter((k) => !still.includes(k));
    if (resolved.length) await clearWaits(em, workflowId, resolved);
    return again;
  };

  /**
   * One attempt at bringing a webshop order into Odoo: waits (registers) for a partner or product without an
   * Odoo id, otherwise creates the order in Odoo once (search by the order number first) and stores its id.
   */
  const syncOnce = async (externalId: string): Promise<SyncOutcome> => {
    const workflowId = syncBackWorkflowId(externalId);
    for (let read = 1; ; read++) {
      const em = fork();
      const { order, lines } = await load(em, externalId);
      if (order.syncState === 'cancelled') return { state: 'cancelled' };
      if (order.odooId !== null) {
        return {
          state: 'synced',
          odooId: order.odooId,
          stored: order.syncState ?? 'synced',
          odooState: order.odooState,
        };
      }

      const products = lines.map((l) => l.productExternalId);
      const recheck = () => resolveOrderDependencies(em, order.partnerExternalId, products);
      let deps = await recheck();
      if (unresolvedKeys(deps).length) deps = await awaitDependencies(em, workflowId, deps, recheck);
      else if (order.syncState === 'awaiting_dependency' || order.syncState === 'failed') {
        await clearWaits(em, workflowId);
      }
      if (unresolvedKeys(deps).length) {
        await markAwaitingDependencies(em, order);
        return { state: 'awaiting_dependency', awaitingOn: unresolvedKeys(deps), missing: deps.missing };
      }

      if (!odoo) {
        await markWaitingForOdoo(em, order, ODOO_NOT_CONFIGURED);
        log.warn(ODOO_NOT_CONFIGURED, { externalId });
        return { state: 'odoo_not_configured', message: ODOO_NOT_CONFIGURED };
      }
      if (!(await beginAttempt(em, order))) {
        if (read < REPOST_RACE_RETRIES) continue;
        throw ApplicationFailure.retryable('The order keeps changing; trying again', 'WebshopOrderChanging');
      }
      try {
        const values = saleOrderValues(externalId, deps.partnerId!, lines, deps.productIds);
        const marker = createMarker(em, order);
        const result = await createSaleOrderOnce(odoo, externalId, values, marker, unknownOutcomeSettleMs);
        await markSynced(em, order, result.odooId, result.created ? 'draft' : null, webshopVersion(order, lines));
        metrics.syncBackOutcomes.inc({ outcome: 'synced' });
        log.debug('webshop order in Odoo', {
          externalId,
          odooId: result.odooId,
          created: result.created,
          attempt: Context.current().info.attempt,
        });
        return { state: 'synced', odooId: result.odooId, stored: 'synced', odooState: result.created ? 'draft' : null };
      } catch (err) {
        const failure = toRetryFailure(err, odoo.breakerState, breakerOpenMs);
        await noteAttemptError(em, order.id, failure.message).catch((noteErr: unknown) =>
          log.warn('could not store the attempt error', { externalId, error: String(noteErr) }),
        );
        throw failure;
      }
    }
  };

  /** Runs one Odoo action attempt; a failure is noted on the order and mapped onto Temporal's retry policy. */
  const attempt = async <T>(externalId: string, orderId: number, work: (client: OdooClient) => Promise<T>) => {
    if (!odoo) throw ApplicationFailure.retryable(ODOO_NOT_CONFIGURED, 'OdooNotConfigured');
    try {
      return await work(odoo);
    } catch (err) {
      const failure = toRetryFailure(err, odoo.breakerState, breakerOpenMs);
      await noteAttemptError(fork(), orderId, failure.message).catch((noteErr: unknown) =>
        log.warn('could not store the attempt error', { externalId, error: String(noteErr) }),
      );
      throw failure;
    }
  };

  const settle = async (
    em: EntityManager,
    externalId: string,
    order: Awaited<ReturnType<typeof load>>['order'],
    result: LifecycleResult,
    cancelMessage: string,
  ): Promise<LifecycleOutcome> => {
    if (result.state === 'conflict') {
      await markConflict(em, order, result.message, result.odooState, result.conflicts);
      metrics.syncBackLifecycle.inc({ event: 'conflict' });
      log.warn('webshop order in conflict', { externalId, message: result.message });
      return { state: 'conflict', odooState: result.odooState, message: result.message, conflicts: result.conflicts };
    }
    if (result.state === 'confirmed') {
      await markConfirmed(em, order, result.odooState ?? 'sale');
      if (result.sent) metrics.syncBackLifecycle.inc({ event: 'confirm' });
      return { state: 'confirmed', odooState: result.odooState };
    }
    await markCancelledOnRequest(em, order, cancelMessage, result.odooState);
    return { state: 'cancelled', odooState: result.odooState };
  };

  const confirmOnce = async (externalId: string): Promise<LifecycleOutcome> => {
    const em = fork();
    const { order } = await load(em, externalId);
    if (order.syncState === 'confirmed') return { state: 'confirmed', odooState: order.odooState };
    const odooId = order.odooId;
    if (odooId === null) {
      throw ApplicationFailure.nonRetryable(
        `Webshop order ${externalId} is not in Odoo yet`,
        SYNC_BACK_FAILURE_TYPES.odooRejected,
      );
    }
    // The first attempt right after this service created the order knows it is a draft: one read fewer.
    const knownDraft =
      order.syncState === 'synced' &&
      order.odooState === 'draft' &&
      order.syncCreateStartedAt === null &&
      Context.current().info.attempt === 1;
    const result = await attempt(externalId, order.id, (client) =>
      confirmSaleOrderOnce(
        client,
        odooId,
        actionMarker(em, order, 'confirming'),
        unknownOutcomeSettleMs,
        undefined,
        knownDraft,
      ),
    );
    log.debug('webshop order confirm', { externalId, odooId, result: result.state });
    return settle(em, externalId, order, result, '');
  };

  const cancelOnce = async (externalId: string, reason: CancelReason): Promise<LifecycleOutcome> => {
    const em = fork();
    const { order } = await load(em, externalId);
    if (order.syncState === 'cancelled') return { state: 'cancelled', odooState: order.odooState };
    const message = reason === 'abandon' ? 'Abandoned by an operator' : 'Cancelled by the webshop';
    let odooId = order.odooId;
    const markerAt = order.syncCreateStartedAt;
    if (odooId === null && markerAt) {
      // A create whose answer was lost may have landed: cancel that order, or give it time to show up.
      odooId =
        (await attempt(externalId, order.id, async (client) => {
          const found = await findOdooSaleOrder(client, externalId);
          const waited = Date.now() - markerAt.getTime();
          if (found === undefined && waited < unknownOutcomeSettleMs) {
            throw new CreateOutcomePending(unknownOutcomeSettleMs - waited);
          }
          return found;
        })) ?? null;
      if (odooId !== null) {
        await recordOdooId(em, order, odooId);
        order.syncCreateStartedAt = null;
      }
    }
    let result: LifecycleResult;
    if (odooId === null) {
      result = { state: 'cancelled', odooState: null, sent: false };
    } else {
      const id = odooId;
      result = await attempt(externalId, order.id, (client) =>
        cancelSaleOrderOnce(client, id, actionMarker(em, order, 'cancelling'), unknownOutcomeSettleMs),
      );
    }
    const outcome = await settle(em, externalId, order, result, message);
    if (outcome.state === 'cancelled') {
      await clearWaits(em, syncBackWorkflowId(externalId));
      metrics.syncBackLifecycle.inc({ event: reason === 'abandon' ? 'abandon' : 'cancel' });
      metrics.syncBackOutcomes.inc({ outcome: 'cancelled' });
      log.info('webshop order cancelled', {
        externalId,
        reason,
        odooId,
        sentToOdoo: result.state === 'cancelled' && result.sent,
      });
    }
    return outcome;
  };

  const countResolutions = (entries: readonly ResolutionEntry[]) => {
    for (const entry of entries) metrics.syncResolutions.inc({ rule: entry.rule });
  };

  /**
   * Brings the webshop order and its Odoo order together: reads Odoo's version, merges it with the webshop's
   * (three-way, against each side's version when last in sync), writes the webshop's changes to Odoo once, and stores
   * the new base with Odoo's version as read back. A cancel in Odoo wins over the webshop's edits.
   */
  const reconcileOnce = async (externalId: string): Promise<ReconcileOutcome> => {
    const workflowId = syncBackWorkflowId(externalId);
    const em = fork();
    const { order, lines } = await load(em, externalId);
    if (order.syncState === 'cancelled') return { state: 'cancelled', odooState: order.odooState };
    const odooId = order.odooId;
    if (odooId === null) {
      throw ApplicationFailure.nonRetryable(
        `Webshop order ${externalId} is not in Odoo yet`,
        SYNC_BACK_FAILURE_TYPES.odooRejected,
      );
    }
    const marker = actionMarker(em, order, 'syncing');
    settlePendingWrite(marker, unknownOutcomeSettleMs);
    const read = (client: OdooClient) => readOdooVersion(client, em, odooId);
    const before = await attempt(externalId, order.id, read);
    if (!before) {
      const message = `sale.order ${odooId} no longer exists in Odoo`;
      const conflicts = [{ field: 'state', webshop: order.odooState, odoo: null }];
      await markConflict(em, order, message, null, conflicts);
      return { state: 'conflict', odooState: null, message, conflicts };
    }
    const webshop = webshopVersion(order, lines);
    const base = order.syncBase ?? { webshop, odoo: null };
    if (before.state === 'cancel') {
      await markInSync(em, order, { webshop, odoo: baseOf(before) }, before);
      const edits = JSON.stringify(webshop) !== JSON.stringify(base.webshop);
      const entry: ResolutionEntry = {
        rule: 'cancel_wins',
        field: 'state',
        webshop: edits ? 'edited' : order.odooState,
        odoo: 'cancel',
      };
      await recordResolutions(em, externalId, workflowId, [entry], 'rule');
      countResolutions([entry]);
      metrics.syncBackOutcomes.inc({ outcome: 'cancelled' });
      log.info('webshop order cancelled in Odoo', { externalId, odooId });
      return { state: 'cancelled', odooState: 'cancel' };
    }
    const plan = planMerge({
      webshop,
      webshopBase: base.webshop,
      odoo: before,
      odooBase: base.odoo ?? baseOf(before),
      forced: base.forced,
    });
    if (plan.conflicts.length) {
      const why = writeRefusal(before);
      const message = why
        ? `The webshop changed the order, but ${why}: ${plan.conflicts.map((c) => c.field).join(', ')}`
        : `Changed on both sides: ${plan.conflicts.map((c) => c.field).join(', ')}`;
      await markMergeConflict(em, order, message, before, plan.conflicts);
      metrics.syncBackLifecycle.inc({ event: 'conflict' });
      log.warn('webshop order in conflict', { externalId, fields: plan.conflicts.map((c) => c.field) });
      return { state: 'conflict', odooState: before.state, message, conflicts: plan.conflicts };
    }
    let after: OdooOrderVersion = before;
    if (plan.write) {
      const values = await odooWriteValues(em, plan.write);
      try {
        await attempt(externalId, order.id, (client) =>
          writeSaleOrderOnce(client, odooId, values, marker, unknownOutcomeSettleMs),
        );
      } catch (err) {
        const refused = err instanceof ApplicationFailure && err.type === SYNC_BACK_FAILURE_TYPES.odooRejected;
        if (!refused) throw err;
        // Odoo refused the change for good: the fields it was for wait for an operator.
        const conflicts = plan.resolutions
          .filter((r) => r.rule === 'webshop_only')
          .map((r) => ({ field: r.field, webshop: r.webshop, odoo: r.odoo }));
        const message = `Odoo refused the change: ${err.message}`;
        await markMergeConflict(em, order, message, before, conflicts);
        metrics.syncBackLifecycle.inc({ event: 'conflict' });
        return { state: 'conflict', odooState: before.state, message, conflicts };
      }
      after = (await attempt(externalId, order.id, read)) ?? before;
      metrics.syncBackLifecycle.inc({ event: 'update' });
    }
    await markInSync(em, order, { webshop, odoo: baseOf(after) }, after);
    await recordResolutions(em, externalId, workflowId, plan.resolutions, 'rule');
    countResolutions(plan.resolutions);
    log.debug('webshop order in sync with Odoo', { externalId, odooId, wrote: plan.write !== null });
    return {
      state: 'in_sync',
      syncState: syncStateOf(after.state),
      odooState: after.state,
      wrote: plan.write !== null,
    };
  };

  /**
   * An operator's decision on an order in conflict, stored for the next step: a merge conflict takes the chosen side
   * per field (the next merge writes the webshop's value to Odoo, or leaves Odoo's); a refused cancel is tried again
   * (webshop) or dropped, the order staying as Odoo has it (odoo). Recorded with who decided.
   */
  const resolveOnce = async (externalId: string, decision: ConflictDecision): Promise<DecisionEffect> => {
    const em = fork();
    const { order, lines } = await load(em, externalId);
    const conflicts = order.syncConflicts ?? [];
    const chosen = conflicts.filter((c) => !decision.fields?.length || decision.fields.includes(c.field));
    const rule = decision.keep === 'webshop' ? 'operator_webshop' : 'operator_odoo';
    const entries = chosen.map((c) => ({ rule, field: c.field, webshop: c.webshop, odoo: c.odoo }) as const);
    const workflowId = syncBackWorkflowId(externalId);
    const cancelConflict = conflicts.some((c) => c.field === 'state' && c.webshop === 'cancel');
    if (cancelConflict) {
      await recordResolutions(em, externalId, workflowId, entries, decision.by);
      countResolutions(entries);
      if (decision.keep === 'webshop') return 'cancel_again';
      await em.nativeUpdate(
        SaleOrderSchema,
        { id: order.id },
        {
          syncState: order.odooState ? syncStateOf(order.odooState) : 'synced',
          processingState: 'processed',
          syncConflicts: null,
          lastSyncError: null,
          errorMessage: null,
          updatedAt: new Date(),
        },
      );
      return 'cancel_dropped';
    }
    const base = order.syncBase ?? { webshop: webshopVersion(order, lines), odoo: null };
    const forced = chosen.map((c) => (decision.keep === 'webshop' ? c.field : `${c.field}:odoo`));
    await storeSyncBase(em, order, { ...base, forced: [...(base.forced ?? []), ...forced] });
    await recordResolutions(em, externalId, workflowId, entries, decision.by);
    countResolutions(entries);
    return 'merge';
  };

  return {
    /** Merges the webshop's pending version and Odoo's changes (see reconcileOnce); heartbeats like the create. */
    async reconcileSaleOrder(externalId: string): Promise<ReconcileOutcome> {
      return withHeartbeats(() => reconcileOnce(externalId));
    },

    /** Stores an operator's decision on an order in conflict (see resolveOnce). */
    async resolveSaleOrderConflict(externalId: string, decision: ConflictDecision): Promise<DecisionEffect> {
      return resolveOnce(externalId, decision);
    },

    /** Confirms the order in Odoo once (reads its state first); heartbeats like the create. */
    async confirmSaleOrder(externalId: string): Promise<LifecycleOutcome> {
      return withHeartbeats(() => confirmOnce(externalId));
    },

    /**
     * Cancels the order: in Odoo once if it is there (reads its state first), otherwise only here. A refusal
     * by Odoo (delivered, invoiced, locked) puts the order in conflict.
     */
    async cancelSaleOrder(externalId: string, reason: CancelReason): Promise<LifecycleOutcome> {
      return withHeartbeats(() => cancelOnce(externalId, reason));
    },

    /** One attempt, heartbeating while it waits for an Odoo slot and for Odoo's answer. */
    async syncSaleOrder(externalId: string): Promise<SyncOutcome> {
      return withHeartbeats(() => syncOnce(externalId));
    },

    /** Fails (and is retried) until this worker has an Odoo client: a restart with ODOO_* set ends the wait. */
    async awaitOdooConfigured(): Promise<void> {
      if (!odoo) throw ApplicationFailure.retryable(ODOO_NOT_CONFIGURED, 'OdooNotConfigured');
    },

    /** Marks the order failed with the reason; returns the message stored. */
    async markSaleOrderSyncFailed(externalId: string, failure: SyncFailure): Promise<string> {
      const em = fork();
      const { order } = await load(em, externalId);
      const what =
        failure.action === 'confirm'
          ? 'Not confirmed in Odoo'
          : failure.action === 'cancel'
            ? 'Not cancelled in Odoo'
            : failure.action === 'update'
              ? 'Not updated in Odoo'
              : 'Not in Odoo';
      const message =
        failure.reason === 'deadline'
          ? `${what} after ${describeDuration(failure.deadlineMs)} of retries: ${order.lastSyncError ?? 'no answer'}`
          : failure.message;
      await markFailed(em, order, message);
      metrics.syncBackOutcomes.inc({ outcome: 'failed' });
      log.warn('webshop order failed', { externalId, reason: failure.reason, message });
      return message;
    },

    /** The operator cancelled the workflow; an order already in Odoo stays synced. */
    async markSaleOrderSyncCancelled(externalId: string): Promise<void> {
      const em = fork();
      const loaded = await loadWebshopOrder(em, externalId);
      if (!loaded) return;
      const { order } = loaded;
      const pending = order.syncCreateStartedAt
        ? `; a create sent at ${order.syncCreateStartedAt.toISOString()} got no answer: check Odoo for client_order_ref ${externalId}`
        : '';
      if (await markCancelled(em, order, `Cancelled by an operator${pending}`)) {
        metrics.syncBackOutcomes.inc({ outcome: 'cancelled' });
      }
      await clearWaits(em, syncBackWorkflowId(externalId));
    },
  };
}
