import type { EntityManager } from '@mikro-orm/knex';
import {
  SaleOrderLineSchema,
  SaleOrderSchema,
  type OdooOrderState,
  type OdooOrderVersion,
  type OrderSyncBase,
  type OrderVersion,
  type SaleOrder,
  type SaleOrderLine,
  type SyncConflict,
  type SyncState,
} from '../../entities/sale-order';
import { SyncResolutionSchema, type ResolutionRule } from '../../entities/sync-resolution';
import { mergeChangedFields } from '../shared/change-detection';
import { odooView } from './order-versions';
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

/**
 * The order is in Odoo: it keeps the Odoo id and enters the outbound feed. `created`: the webshop version the create
 * sent, the webshop side of the merge base (a repost that landed meanwhile is merged into the Odoo order next).
 */
export async function markSynced(
  em: EntityManager,
  order: SaleOrder,
  odooId: number,
  odooState: OdooOrderState | null,
  created: OrderVersion,
): Promise<void> {
  const now = new Date();
  const values: Partial<SaleOrder> = {
    odooId,
    syncState: 'synced',
    processingState: 'processed',
    lastSyncError: null,
    errorMessage: null,
    syncCreateStartedAt: null,
    odooState,
    syncBase: { webshop: created, odoo: null },
    feedPending: true,
    changedAt: now,
    updatedAt: now,
  };
  const feed = {
    data: { ...order.data, odoo_id: odooId },
    previousData: order.data,
    changedFields: ['odoo_id'],
    unackedChangedFields: mergeChangedFields(order.unackedChangedFields, ['odoo_id']),
  };
  // The posted data gains its odoo_id, unless a repost replaced it meanwhile: that one is kept as posted.
  if (await updateIfUnchanged(em, order, { ...values, ...feed })) return;
  await em.nativeUpdate(SaleOrderSchema, { id: order.id }, values);
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
  syncState: 'confirming' | 'cancelling' | 'syncing',
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

/** What the webshop is told in the outbound feed when Odoo's version of its order changed. */
function odooSideChanged(before: OdooOrderVersion | null, after: OdooOrderVersion): boolean {
  if (!before) return true;
  const seen = (v: OdooOrderVersion) =>
    JSON.stringify([v.state, v.invoice_status, v.delivery_status, v.partner, v.date_order, v.amount_total, v.lines]);
  return seen(before) !== seen(after);
}

/** The sync state an order in Odoo has from Odoo's state. */
export function syncStateOf(odooState: OdooOrderState): SyncState {
  if (odooState === 'cancel') return 'cancelled';
  return odooState === 'sale' || odooState === 'done' ? 'confirmed' : 'synced';
}

/**
 * The order is in sync with Odoo: the new merge base, Odoo's version as read, and its state. A change on Odoo's
 * side enters the outbound feed (`changed_fields: ["odoo"]`), so the webshop learns its order was confirmed,
 * shipped, invoiced, cancelled or edited in Odoo. Never overwrites the webshop's data or lines.
 */
export async function markInSync(
  em: EntityManager,
  order: SaleOrder,
  base: OrderSyncBase,
  odoo: OdooOrderVersion,
): Promise<void> {
  const now = new Date();
  const changed = odooSideChanged(order.odooData, odoo);
  const values: Partial<SaleOrder> = {
    syncBase: base,
    odooData: odoo,
    odooState: odoo.state,
    syncState: syncStateOf(odoo.state),
    processingState: 'processed',
    lastSyncError: null,
    errorMessage: null,
    syncConflicts: null,
    syncCreateStartedAt: null,
    updatedAt: now,
    ...(changed
      ? {
          feedPending: true,
          changedAt: now,
          changedFields: ['odoo'],
          unackedChangedFields: mergeChangedFields(order.unackedChangedFields, ['odoo']),
        }
      : {}),
  };
  // Unless a repost landed meanwhile (compared by changedAt: a repost sets it, the action marker does not): then
  // its data stays as posted and the order stays `pending` for its own merge (the sweep's too, should its signal
  // have been lost). The feed serves Odoo's version as `data.odoo`.
  const where = { id: order.id, changedAt: order.changedAt };
  const data = changed ? { data: { ...order.data, odoo: odooView(odoo) } } : {};
  if ((await em.nativeUpdate(SaleOrderSchema, where, { ...values, ...data })) > 0) return;
  const { processingState: _processed, ...rest } = values;
  await em.nativeUpdate(SaleOrderSchema, { id: order.id }, rest);
}

/** A merge found changes it cannot settle by rule: the order waits for an operator, with Odoo's version as read. */
export async function markMergeConflict(
  em: EntityManager,
  order: SaleOrder,
  message: string,
  odoo: OdooOrderVersion,
  conflicts: SyncConflict[],
): Promise<void> {
  await em.nativeUpdate(
    SaleOrderSchema,
    { id: order.id },
    {
      syncState: 'conflict',
      processingState: 'failed',
      odooState: odoo.state,
      odooData: odoo,
      lastSyncError: message,
      errorMessage: message,
      syncConflicts: conflicts,
      syncCreateStartedAt: null,
      updatedAt: new Date(),
    },
  );
}

/** An operator's decision for the next merge (`forced`), or a changed base. */
export async function storeSyncBase(em: EntityManager, order: SaleOrder, base: OrderSyncBase): Promise<void> {
  await em.nativeUpdate(SaleOrderSchema, { id: order.id }, { syncBase: base, updatedAt: new Date() });
}

export interface ResolutionEntry {
  rule: ResolutionRule;
  field: string;
  webshop: unknown;
  odoo: unknown;
}

/** The record of how each difference was settled: by a rule (`decidedBy: rule`) or by an operator. */
export async function recordResolutions(
  em: EntityManager,
  externalId: string,
  workflowId: string,
  entries: readonly ResolutionEntry[],
  decidedBy: string,
): Promise<void> {
  if (!entries.length) return;
  const createdAt = new Date();
  await em.insertMany(
    SyncResolutionSchema,
    entries.map((entry) => ({
      entityType: 'sale_order',
      externalId,
      workflowId,
      rule: entry.rule,
      field: entry.field.slice(0, 255),
      webshopValue: entry.webshop ?? null,
      odooValue: entry.odoo ?? null,
      decidedBy: decidedBy.slice(0, 191),
      createdAt,
    })),
  );
}
