import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Metrics } from '../observability/metrics';
import type { OdooClient } from '../odoo/odoo-client';
import { clearWaits, registerWaits } from '../sync/inbound/dependency-waits';
import type { OdooOrderState, SyncConflict, SyncState } from '../entities/sale-order';
import {
  cancelSaleOrderOnce,
  confirmSaleOrderOnce,
  createSaleOrderOnce,
  CreateOutcomePending,
  findOdooSaleOrder,
  saleOrderValues,
  type LifecycleResult,
} from '../sync/sync-back/odoo-sale-order';
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
  noteAttemptError,
  recordOdooId,
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
  action?: 'confirm' | 'cancel';
};

/** Where a confirm or cancel left the order. */
export type LifecycleOutcome =
  | { state: 'confirmed' | 'cancelled'; odooState: OdooOrderState | null }
  | { state: 'conflict'; odooState: OdooOrderState | null; message: string; conflicts: SyncConflict[] };

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
        await markSynced(em, order, result.odooId, result.created ? 'draft' : null);
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
    const result = await attempt(externalId, order.id, (client) =>
      confirmSaleOrderOnce(client, odooId, actionMarker(em, order, 'confirming'), unknownOutcomeSettleMs),
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

  return {
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
