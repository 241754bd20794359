import { EntitySchema } from '@mikro-orm/core';
import { feedIndex, syncFieldProperties, type SyncFields } from './sync-fields';

export interface Product extends SyncFields {
  context: string | null;
  name: string | null;
  defaultCode: string | null;
  barcode: string | null;
  active: boolean | null;
  listPrice: number | null;
}

export const ProductSchema = new EntitySchema<Product>({
  name: 'Product',
  tableName: 'products',
  properties: {
    ...syncFieldProperties,
    context: { type: 'string', length: 64, nullable: true },
    name: { type: 'string', length: 255, nullable: true },
    defaultCode: { type: 'string', length: 128, nullable: true, index: true },
    barcode: { type: 'string', length: 64, nullable: true },
    active: { type: 'boolean', nullable: true },
    listPrice: { type: 'double', nullable: true },
  },
  indexes: [feedIndex('products')],
});
