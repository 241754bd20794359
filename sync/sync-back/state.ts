import type { EntityManager } from '@mikro-orm/knex';
import {
  SaleOrderLineSchema,
  SaleOrderSchema,
  type OdooOrderState,
  type SaleOrder,
  type SaleOrderLine,
  type SyncConflict,
} from '../../entities/sale-order';
import { mergeChangedFields } from '../shared/change-detection';
import type { CreateMarker } from './odoo-sale-order';

/** Where a webshop order stands, written by the sync-back as it goes. */
export async function loadWebshopOrder(
  em: EntityManager,
  externalId: string,
): Promise<{ order: SaleOrder; lines: SaleOrderLine[] } | null> {
  const order = await em.findOne(SaleOrderSchema, { direction: 'outbound', externalId });
  if (!order) return null;
  const lines = await em.find(SaleOrderLineSchema, { saleOrderId: order.id }, { orderBy: { lineNo: 'asc' } });
  return { order, lines };
}

/** Writes only if the order is still the version read, so a repost landing meanwhile is never overwritten. */
async function updateIfUnchanged(em: EntityManager, order: SaleOrder, values: Partial<SaleOrder>): Promise<boolean> {
  const updated = await em.nativeUpdate(SaleOrderSchema, { id: order.id, updatedAt: order.updatedAt }, values);
  return updated > 0;
}

export function markAwaitingDependencies(em: EntityManager, order: SaleOrder): Promise<boolean> {
  if (order.syncState === 'awaiting_dependency') return Promise.resolve(true);
  return updateIfUnchanged(em, order, {
    syncState: 'awaiting_dependency',
    processingState: 'awaiting_dependency',
    updatedAt: new Date(),
  });
}

export function markWaitingForOdoo(em: EntityManager, order: SaleOrder, message: string): Promise<boolean> {
  if (order.syncState === 'pending' && order.lastSyncError === message) return Promise.resolve(true);
  return updateIfUnchanged(em, order, {
    syncState: 'pending',
    processingState: 'pending',
    lastSyncError: message,
    updatedAt: new Date(),
  });
}

/** Counts an attempt; false when a repost changed the order since it was read. */
export function beginAttempt(em: EntityManager, order: SaleOrder): Promise<boolean> {
  return updateIfUnchanged(em, order, {
    syncState: 'syncing',
    processingState: 'processing',
    syncAttempts: order.syncAttempts + 1,
    updatedAt: new Date(),
  });
}

/** The error of an attempt that will be retried; the order stays `syncing`. */
export async function noteAttemptError(em: EntityManager, id: number, message: string): Promise<void> {
  await em.nativeUpdate(
    SaleOrderSchema,
    { id },
    { lastSyncError: message, errorMessage: message, updatedAt: new Date() },
  );
}

/** The order is in Odoo: it keeps the Odoo id and enters the outbound feed. */
export async function markSynced(
  em: EntityManager,
  order: SaleOrder,
  odooId: number,
  odooState: OdooOrderState | null,
): Promise<void> {
  const now = new Date();
  await em.nativeUpdate(
    SaleOrderSchema,
    { id: order.id },
    {
      odooId,
      data: { ...order.data, odoo_id: odooId },
      previousData: order.data,
      changedFields: ['odoo_id'],
      unackedChangedFields: mergeChangedFields(order.unackedChangedFields, ['odoo_id']),
      syncState: 'synced',
      processingState: 'processed',
      lastSyncError: null,
      errorMessage: null,
      syncCreateStartedAt: null,
      odooState,
      feedPending: true,
      changedAt: now,
      updatedAt: now,
    },
  );
}

/** Gives up until an operator (or a changed repost) asks again. */
export async function markFailed(em: EntityManager, order: SaleOrder, message: string): Promise<void> {
  await em.nativeUpdate(
    SaleOrderSchema,
    { id: order.id, syncState: { $ne: 'synced' } },
    {
      syncState: 'failed',
      processingState: 'failed',
      lastSyncError: message,
      errorMessage: message,
      retryCount: order.retryCount + 1,
      updatedAt: new Date(),
    },
  );
}

/** An order already in Odoo stays as it is there: cancelling its workflow cannot take it back. */
export async function markCancelled(em: EntityManager, order: SaleOrder, message: string): Promise<boolean> {
  const updated = await em.nativeUpdate(
    SaleOrderSchema,
    { id: order.id, syncState: { $ne: 'synced' }, odooId: null },
    {
      syncState: 'cancelled',
      processingState: 'failed',
      lastSyncError: message,
      errorMessage: message,
      updatedAt: new Date(),
    },
  );
  return updated > 0;
}

export function createMarker(em: EntityManager, order: SaleOrder): CreateMarker {
  const write = (syncCreateStartedAt: Date | null) =>
    em.nativeUpdate(SaleOrderSchema, { id: order.id }, { syncCreateStartedAt }).then(() => undefined);
  return {
    startedAt: order.syncCreateStartedAt,
    set: (at) => write(at),
    clear: () => write(null),
  };
}

/** The Odoo id of an order whose create answer was lost, found in Odoo by a later search. */
export async function recordOdooId(em: EntityManager, order: SaleOrder, odooId: number): Promise<void> {
  await em.nativeUpdate(
    SaleOrderSchema,
    { id: order.id },
    { odooId, syncCreateStartedAt: null, updatedAt: new Date() },
  );
}

/**
 * The marker of a confirm or cancel: the create's column, free once the order is in Odoo. Setting it also
 * records which action is on its way (`confirming`, `cancelling`).
 */
export function actionMarker(
  em: EntityManager,
  order: SaleOrder,
  syncState: 'confirming' | 'cancelling',
): CreateMarker {
  return {
    startedAt: order.syncCreateStartedAt,
    set: async (at) => {
      await em.nativeUpdate(
        SaleOrderSchema,
        { id: order.id },
        { syncState, processingState: 'processing', syncCreateStartedAt: at, updatedAt: new Date() },
      );
    },
    clear: async () => {
      await em.nativeUpdate(SaleOrderSchema, { id: order.id }, { syncCreateStartedAt: null });
    },
  };
}

export async function markConfirmed(em: EntityManager, order: SaleOrder, odooState: OdooOrderState): Promise<void> {
  await em.nativeUpdate(
    SaleOrderSchema,
    { id: order.id },
    {
      syncState: 'confirmed',
      processingState: 'processed',
      odooState,
      lastSyncError: null,
      errorMessage: null,
      syncConflicts: null,
      syncCreateStartedAt: null,
      updatedAt: new Date(),
    },
  );
}

/** Cancelled by the webshop or abandoned by an operator: in Odoo too, if it was there. */
export async function markCancelledOnRequest(
  em: EntityManager,
  order: SaleOrder,
  message: string,
  odooState: OdooOrderState | null,
): Promise<void> {
  await em.nativeUpdate(
    SaleOrderSchema,
    { id: order.id },
    {
      syncState: 'cancelled',
      processingState: 'processed',
      odooState,
      lastSyncError: message,
      errorMessage: null,
      syncConflicts: null,
      syncCreateStartedAt: null,
      updatedAt: new Date(),
    },
  );
}

/** Odoo does not allow what the webshop asked; the order waits for an operator. */
export async function markConflict(
  em: EntityManager,
  order: SaleOrder,
  message: string,
  odooState: OdooOrderState | null,
  conflicts: SyncConflict[],
): Promise<void> {
  await em.nativeUpdate(
    SaleOrderSchema,
    { id: order.id },
    {
      syncState: 'conflict',
      processingState: 'failed',
      odooState,
      lastSyncError: message,
      errorMessage: message,
      syncConflicts: conflicts,
      syncCreateStartedAt: null,
      updatedAt: new Date(),
    },
  );
}
