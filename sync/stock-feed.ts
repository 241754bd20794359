import { StockSchema, type Stock } from '../entities/stock';
import { SERVED_STATES, type FeedTable } from './change-feed';

/** Stock rows whose quantity changed since the webshop last acknowledged them. */
export const stockFeedTable: FeedTable<Stock> = {
  entity: StockSchema,
  pendingFlag: 'quantityChanged',
  servedWhere: { processingState: { $in: SERVED_STATES } },
  onAcknowledge: (now) => ({ acknowledgedAt: now }),
};
