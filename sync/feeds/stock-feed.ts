import { raw } from '@mikro-orm/core';
import { STOCK_CHANGED_INDEX, StockSchema, type Stock } from '../../entities/stock';
import { SERVED_STATES, type FeedTable } from './change-feed';

/** What the stock feeds serve of each row. */
export const STOCK_FEED_FIELDS = [
  'id',
  'supplierExternalId',
  'productExternalId',
  'quantity',
  'previousQuantity',
  'acknowledgedQuantity',
  'quantityChanged',
  'purchasePrice',
  'salePrice',
  'processingState',
  'changedAt',
] as const satisfies readonly (keyof Stock)[];

export type StockFeedRow = Pick<Stock, (typeof STOCK_FEED_FIELDS)[number]>;

/** Stock rows whose quantity changed since the webshop last acknowledged them. */
export const stockFeedTable: FeedTable<Stock, (typeof STOCK_FEED_FIELDS)[number]> = {
  entity: StockSchema,
  pendingFlag: 'quantityChanged',
  keysetIndex: STOCK_CHANGED_INDEX,
  fields: STOCK_FEED_FIELDS,
  servedWhere: { processingState: { $in: SERVED_STATES } },
  // The acknowledgement covers only a served, unchanged version, so the row's quantity is the one served.
  onAcknowledge: (now) => ({ acknowledgedAt: now, acknowledgedQuantity: raw('quantity') }),
};
