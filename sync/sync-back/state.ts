import type { EntityManager } from '@mikro-orm/knex';
import { SaleOrderLineSchema, SaleOrderSchema, type SaleOrder, type SaleOrderLine } from '../../entities/sale-order';
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
export async function markSynced(em: EntityManager, order: SaleOrder, odooId: number): Promise<void> {
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

/** An order already in Odoo stays synced: cancelling its workflow cannot take it back. */
export async function markCancelled(em: EntityManager, order: SaleOrder, message: string): Promise<boolean> {
  const updated = await em.nativeUpdate(
    SaleOrderSchema,
    { id: order.id, syncState: { $ne: 'synced' } },
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
