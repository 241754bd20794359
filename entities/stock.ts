import { EntitySchema } from '@mikro-orm/core';
import { feedIndex, syncFieldProperties, type SyncFields } from './sync-fields';

/** One row per (supplier, product); externalId is `<supplier_external_id>/<product_external_id>`. */
export interface Stock extends SyncFields {
  supplierExternalId: string;
  productExternalId: string;
  quantity: number;
  /** The quantity of the push before the last change. */
  previousQuantity: number | null;
  /** The quantity the webshop last acknowledged; null until it first does. */
  acknowledgedQuantity: number | null;
  /** The quantity differs from what the webshop may know since its last acknowledgement. */
  quantityChanged: boolean;
  purchasePrice: number | null;
  salePrice: number | null;
}

/** Keyset of the quantity-change feed. */
export const STOCK_CHANGED_INDEX = 'stocks_changed_idx';

export const StockSchema = new EntitySchema<Stock>({
  name: 'Stock',
  tableName: 'stocks',
  properties: {
    ...syncFieldProperties,
    supplierExternalId: { type: 'string', length: 191 },
    productExternalId: { type: 'string', length: 191, index: true },
    quantity: { type: 'double' },
    previousQuantity: { type: 'double', nullable: true },
    acknowledgedQuantity: { type: 'double', nullable: true },
    quantityChanged: { type: 'boolean', default: false },
    purchasePrice: { type: 'double', nullable: true },
    salePrice: { type: 'double', nullable: true },
  },
  uniques: [
    {
      name: 'stocks_supplier_product_unique',
      properties: ['supplierExternalId', 'productExternalId'],
    },
  ],
  indexes: [
    feedIndex('stocks'),
    {
      name: STOCK_CHANGED_INDEX,
      properties: ['quantityChanged', 'changedAt', 'id'],
    },
  ],
});
