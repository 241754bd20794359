import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Metrics } from '../observability/metrics';
import type { OdooClient } from '../odoo/odoo-client';
import { clearWaits, registerWaits } from '../sync/inbound/dependency-waits';
import { createSaleOrderOnce, saleOrderValues } from '../sync/sync-back/odoo-sale-order';
import { resolveOrderDependencies, unresolvedKeys, type OrderDependencies } from '../sync/sync-back/dependencies';
import {
  beginAttempt,
  createMarker,
  loadWebshopOrder,
  markAwaitingDependencies,
  markCancelled,
  markFailed,
  markSynced,
  markWaitingForOdoo,
  noteAttemptError,
} from '../sync/sync-back/state';
import { syncBackWorkflowId, SYNC_BACK_FAILURE_TYPES } from '../workflows/contract';
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
  | { state: 'synced'; odooId: number }
  | { state: 'cancelled' }
  | { state: 'awaiting_dependency'; awaitingOn: string[]; missing: string[] }
  | { state: 'odoo_not_configured'; message: string };

export type SyncFailure =
  { reason: 'odoo_rejected' | 'dependencies' | 'other'; message: string } | { reason: 'deadline'; deadlineMs: number };

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
      if (order.syncState === 'synced' && order.odooId !== null) return { state: 'synced', odooId: order.odooId };
      if (order.syncState === 'cancelled') return { state: 'cancelled' };

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
        await markSynced(em, order, result.odooId);
        metrics.syncBackOutcomes.inc({ outcome: 'synced' });
        log.debug('webshop order in Odoo', {
          externalId,
          odooId: result.odooId,
          created: result.created,
          attempt: Context.current().info.attempt,
        });
        return { state: 'synced', odooId: result.odooId };
      } catch (err) {
        const failure = toRetryFailure(err, odoo.breakerState, breakerOpenMs);
        await noteAttemptError(em, order.id, failure.message).catch((noteErr: unknown) =>
          log.warn('could not store the attempt error', { externalId, error: String(noteErr) }),
        );
        throw failure;
      }
    }
  };

  return {
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
      const message =
        failure.reason === 'deadline'
          ? `Not in Odoo after ${describeDuration(failure.deadlineMs)} of retries: ${order.lastSyncError ?? 'no answer'}`
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
