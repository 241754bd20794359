import { EntitySchema } from '@mikro-orm/core';
import { JsonColumnType } from './json-column';
import { bigintId, bigintRef, datetime, feedIndex, syncFieldProperties, type SyncFields } from './sync-fields';

export const SALE_ORDER_DIRECTIONS = ['inbound', 'outbound'] as const;
export type SaleOrderDirection = (typeof SALE_ORDER_DIRECTIONS)[number];

/**
 * Where a webshop order stands on its way into Odoo. synced: in Odoo as a quotation; confirming / confirmed:
 * `action_confirm` sent / done; cancelling: `action_cancel` on its way (or nothing to send before the create);
 * conflict: Odoo does not allow what the webshop asked (a delivered or invoiced order cancelled), an operator decides.
 */
export const SYNC_STATES = [
  'pending',
  'awaiting_dependency',
  'syncing',
  'synced',
  'failed',
  'cancelled',
  'confirming',
  'confirmed',
  'cancelling',
  'conflict',
] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** Odoo's `sale.order` states (Odoo 17 has `done` only for orders locked before the upgrade). */
export const ODOO_ORDER_STATES = ['draft', 'sent', 'sale', 'cancel', 'done'] as const;
export type OdooOrderState = (typeof ODOO_ORDER_STATES)[number];

/** One field on which the webshop and Odoo disagree (contract: `conflicts: [{field, webshop, odoo}]`). */
export interface SyncConflict {
  field: string;
  webshop: unknown;
  odoo: unknown;
}

/** An order line as the webshop and Odoo are compared: in the webshop's terms (product external ids). */
export interface OrderLineVersion {
  product: string;
  quantity: number;
  price_unit: number | null;
  discount: number | null;
}

/** What of a webshop order is kept in sync both ways: the header fields a quotation may change, and the lines. */
export interface OrderVersion {
  partner: string;
  date_order: string | null;
  lines: OrderLineVersion[];
}

/** Odoo's version of a webshop order as last read: the same, with Odoo's line ids and what Odoo alone decides. */
export interface OdooOrderVersion extends OrderVersion {
  lines: (OrderLineVersion & { odoo_line_id: number; qty_delivered: number })[];
  state: OdooOrderState;
  invoice_status: string | null;
  /** Odoo's total, as Odoo computes it. */
  amount_total: number | null;
  /** nothing | partial | full, from the lines' delivered quantities. */
  delivery_status: 'nothing' | 'partial' | 'full';
}

/**
 * Each side's version from when the order was last in sync with Odoo: the base of the three-way merge (each side's
 * changes are what differs from its own base). `forced`: an operator's decisions, taken by the next merge.
 */
export interface OrderSyncBase {
  webshop: OrderVersion;
  /** Null until the first merge after the create reads Odoo's version. */
  odoo: OrderVersion | null;
  forced?: string[];
}

export interface SaleOrder extends SyncFields {
  /** inbound: pushed by Odoo; outbound: a webshop order on its way into Odoo. */
  direction: SaleOrderDirection;
  name: string | null;
  partnerExternalId: string;
  state: string | null;
  dateOrder: Date | null;
  currency: string | null;
  amountTotal: number | null;
  syncState: SyncState | null;
  syncAttempts: number;
  lastSyncError: string | null;
  /**
   * Set just before a create is sent to Odoo and cleared once its outcome is known. While set, a create whose
   * answer was lost may still land in Odoo, so no second create is sent until it has had time to show up.
   * Once the order is in Odoo, the same marker guards its confirm and cancel (`action_confirm`, `action_cancel`).
   */
  syncCreateStartedAt: Date | null;
  /** The Odoo order's state as last read or left by the sync-back; null before the create (or not read yet). */
  odooState: OdooOrderState | null;
  /** Set while the order is in `conflict`: what the webshop asked and what Odoo has. */
  syncConflicts: SyncConflict[] | null;
  /** The base of the next merge; null until the order is in Odoo (or for orders created before the merge). */
  syncBase: OrderSyncBase | null;
  /** Odoo's version as the sync-back last read it (state, delivery, invoice, lines); served in the outbound feed. */
  odooData: OdooOrderVersion | null;
}

export interface SaleOrderLine {
  id: number;
  saleOrderId: number;
  lineNo: number;
  productExternalId: string;
  quantity: number;
  priceUnit: number | null;
  discount: number | null;
}

export const SaleOrderSchema = new EntitySchema<SaleOrder>({
  name: 'SaleOrder',
  tableName: 'sale_orders',
  properties: {
    ...syncFieldProperties,
    // Inbound and webshop order numbers live in different namespaces.
    externalId: { type: 'string', length: 191 },
    direction: { type: 'string', length: 8, index: true },
    name: { type: 'string', length: 255, nullable: true },
    partnerExternalId: { type: 'string', length: 191, index: true },
    state: { type: 'string', length: 32, nullable: true },
    dateOrder: { ...datetime, nullable: true },
    currency: { type: 'string', length: 8, nullable: true },
    amountTotal: { type: 'double', nullable: true },
    syncState: { type: 'string', length: 32, nullable: true, index: true },
    syncAttempts: { type: 'integer', default: 0 },
    lastSyncError: { type: 'text', nullable: true },
    syncCreateStartedAt: { ...datetime, nullable: true },
    odooState: { type: 'string', length: 16, nullable: true },
    syncConflicts: { type: JsonColumnType, nullable: true },
    syncBase: { type: JsonColumnType, nullable: true },
    odooData: { type: JsonColumnType, nullable: true },
  },
  uniques: [
    {
      name: 'sale_orders_direction_external_id_unique',
      properties: ['direction', 'externalId'],
    },
  ],
  indexes: [feedIndex('sale_orders')],
});

export const SaleOrderLineSchema = new EntitySchema<SaleOrderLine>({
  name: 'SaleOrderLine',
  tableName: 'sale_order_lines',
  properties: {
    id: bigintId(),
    saleOrderId: { ...bigintRef(), index: true },
    lineNo: { type: 'integer' },
    productExternalId: { type: 'string', length: 191, index: true },
    quantity: { type: 'double' },
    priceUnit: { type: 'double', nullable: true },
    discount: { type: 'double', nullable: true },
  },
  uniques: [{ properties: ['saleOrderId', 'lineNo'] }],
});
