import { EntitySchema } from '@mikro-orm/core';
import { feedIndex, syncFieldProperties, type SyncFields } from './sync-fields';

/** One row per (supplier, product); externalId is `<supplier_external_id>/<product_external_id>`. */
export interface Stock extends SyncFields {
  supplierExternalId: string;
  productExternalId: string;
  quantity: number;
  previousQuantity: number | null;
  /** The quantity changed since the webshop last acknowledged the row. */
  quantityChanged: boolean;
  purchasePrice: number | null;
  salePrice: number | null;
}

export const StockSchema = new EntitySchema<Stock>({
  name: 'Stock',
  tableName: 'stocks',
  properties: {
    ...syncFieldProperties,
    supplierExternalId: { type: 'string', length: 191 },
    productExternalId: { type: 'string', length: 191, index: true },
    quantity: { type: 'double' },
    previousQuantity: { type: 'double', nullable: true },
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
      name: 'stocks_changed_idx',
      properties: ['quantityChanged', 'changedAt', 'id'],
    },
  ],
});
