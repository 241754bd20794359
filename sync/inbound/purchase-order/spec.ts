import { PurchaseOrderLineSchema, PurchaseOrderSchema, type PurchaseOrder } from '../../../entities/purchase-order';
import type { EntityManager } from '@mikro-orm/knex';
import type { InboundSpec } from '../spec';
import { replaceLines } from '../order-lines';
import { purchaseOrderExternalId, purchaseOrderRecordSchema, type PurchaseOrderRecord } from './record';
import { lineProductIds, refsTo } from '../required-records';

export const PURCHASE_ORDER_DIFF_IGNORE = ['write_date'] as const;

export function purchaseOrderColumns(r: PurchaseOrderRecord): Partial<PurchaseOrder> {
  return {
    name: r.name,
    vendorExternalId: r.vendor_external_id,
    state: r.state,
    createdBy: r.created_by,
    orderDate: r.order_date,
  };
}

/** Replaces the stored lines of purchase orders whose push changed them. */
export function replacePurchaseOrderLines(
  em: EntityManager,
  orders: readonly { row: PurchaseOrder; record: PurchaseOrderRecord }[],
): Promise<void> {
  return replaceLines(
    em,
    PurchaseOrderLineSchema,
    'purchaseOrderId',
    orders.map(({ row, record }) => ({
      parentId: row.id,
      lines: record.lines.map((l) => ({
        productExternalId: l.product_external_id,
        quantity: l.quantity,
        qtyReceived: l.qty_received,
        priceUnit: l.price_unit,
        datePlanned: l.date_planned,
        repliedByVendor: l.replied_by_vendor,
      })),
    })),
  );
}

/** Maps a pushed purchase order onto its row and lines. */
export const purchaseOrderInbound: InboundSpec<PurchaseOrderRecord, PurchaseOrder> = {
  entityType: 'purchase_order',
  batchKey: 'purchase_orders',
  schema: purchaseOrderRecordSchema,
  entity: PurchaseOrderSchema,
  externalIdOf: purchaseOrderExternalId,
  writeDateOf: (r) => r.write_date,
  diffIgnore: PURCHASE_ORDER_DIFF_IGNORE,
  columnsOf: purchaseOrderColumns,
  dependenciesOf: (data) => refsTo('product', lineProductIds(data)),
  extract: async (em, stored) => {
    await replacePurchaseOrderLines(
      em,
      stored.filter((s) => s.changed),
    );
    return {};
  },
};
