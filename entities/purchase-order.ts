import { EntitySchema } from '@mikro-orm/core';
import { bigintId, bigintRef, datetime, feedIndex, syncFieldProperties, type SyncFields } from './sync-fields';

/** externalId is the Odoo external id, or the order's name when Odoo sent none. */
export interface PurchaseOrder extends SyncFields {
  name: string;
  vendorExternalId: string | null;
  state: string | null;
  createdBy: string | null;
  orderDate: Date | null;
  /** The product whose push carried this order, when it arrived embedded. */
  sourceProductExternalId: string | null;
}

export interface PurchaseOrderLine {
  id: number;
  purchaseOrderId: number;
  lineNo: number;
  productExternalId: string;
  quantity: number;
  qtyReceived: number | null;
  priceUnit: number | null;
  datePlanned: Date | null;
  repliedByVendor: boolean | null;
}

export const PurchaseOrderSchema = new EntitySchema<PurchaseOrder>({
  name: 'PurchaseOrder',
  tableName: 'purchase_orders',
  properties: {
    ...syncFieldProperties,
    name: { type: 'string', length: 191, index: true },
    vendorExternalId: {
      type: 'string',
      length: 191,
      nullable: true,
      index: true,
    },
    state: { type: 'string', length: 32, nullable: true },
    createdBy: { type: 'string', length: 191, nullable: true },
    orderDate: { ...datetime, nullable: true },
    sourceProductExternalId: { type: 'string', length: 191, nullable: true },
  },
  indexes: [feedIndex('purchase_orders')],
});

export const PurchaseOrderLineSchema = new EntitySchema<PurchaseOrderLine>({
  name: 'PurchaseOrderLine',
  tableName: 'purchase_order_lines',
  properties: {
    id: bigintId(),
    purchaseOrderId: { ...bigintRef(), index: true },
    lineNo: { type: 'integer' },
    productExternalId: { type: 'string', length: 191, index: true },
    quantity: { type: 'double' },
    qtyReceived: { type: 'double', nullable: true },
    priceUnit: { type: 'double', nullable: true },
    datePlanned: { ...datetime, nullable: true },
    repliedByVendor: { type: 'boolean', nullable: true },
  },
  uniques: [{ properties: ['purchaseOrderId', 'lineNo'] }],
});
