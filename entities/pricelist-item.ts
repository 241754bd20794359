import { EntitySchema } from '@mikro-orm/core';
import { JsonColumnType } from './json-column';
import { bigintId, datetime } from './sync-fields';

/** A product's price on one pricelist, extracted from the product push. */
export interface PricelistItem {
  id: number;
  /** Identity of the item within its pricelist: pricelist, product, minimum quantity and validity dates. */
  itemKey: string;
  pricelistId: string;
  productExternalId: string;
  minQuantity: number;
  price: number;
  previousPrice: number | null;
  /** The price the webshop last acknowledged; null until it first does. */
  acknowledgedPrice: number | null;
  /** Set only when the price really changed; cleared when the webshop acknowledges it. */
  priceChanged: boolean;
  isPromo: boolean;
  isAction: boolean;
  dateStart: Date | null;
  dateEnd: Date | null;
  /** When a push of the product's whole price list no longer had it; kept so the feed can say so. */
  removedAt: Date | null;
  data: Record<string, unknown>;
  changedAt: Date;
  acknowledgedAt: Date | null;
  /**
   * Up to which change time a feed has served the row: the settled instant of the page that served it (or the
   * version's own change time for a single read). An acknowledgement covers only a version that was served,
   * so a change landing between the webshop's read and its acknowledgement is not swallowed.
   */
  servedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Keyset of the price-change feed. */
export const PRICE_CHANGED_INDEX = 'pricelist_items_changed_idx';

export const PricelistItemSchema = new EntitySchema<PricelistItem>({
  name: 'PricelistItem',
  tableName: 'pricelist_items',
  properties: {
    id: bigintId(),
    itemKey: { type: 'string', length: 255, unique: true },
    pricelistId: { type: 'string', length: 64 },
    productExternalId: { type: 'string', length: 191, index: true },
    minQuantity: { type: 'double', default: 0 },
    price: { type: 'double' },
    previousPrice: { type: 'double', nullable: true },
    acknowledgedPrice: { type: 'double', nullable: true },
    priceChanged: { type: 'boolean', default: false },
    isPromo: { type: 'boolean', default: false },
    isAction: { type: 'boolean', default: false },
    dateStart: { ...datetime, nullable: true },
    dateEnd: { ...datetime, nullable: true },
    removedAt: { ...datetime, nullable: true },
    data: { type: JsonColumnType },
    changedAt: { ...datetime },
    acknowledgedAt: { ...datetime, nullable: true },
    servedAt: { ...datetime, nullable: true },
    createdAt: { ...datetime },
    updatedAt: { ...datetime },
  },
  indexes: [
    {
      name: PRICE_CHANGED_INDEX,
      properties: ['priceChanged', 'changedAt', 'id'],
    },
    {
      name: 'pricelist_items_pricelist_idx',
      properties: ['pricelistId', 'id'],
    },
  ],
});
