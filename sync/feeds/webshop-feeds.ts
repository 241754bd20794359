import type { EntityManager } from '@mikro-orm/knex';
import { forceIndexHint } from '../../db/dialect';
import { PartnerSchema } from '../../entities/partner';
import { ProductSchema } from '../../entities/product';
import { PurchaseOrderSchema } from '../../entities/purchase-order';
import { SaleOrderSchema } from '../../entities/sale-order';
import { syncFeedTable, type FeedRow, type FeedTable } from './change-feed';
import { pricelistFeedTable } from './pricelist-feed';
import { stockFeedTable } from './stock-feed';

/** Every feed the webshop consumes, by the path it is served at (under `/api/v1/`). */
export const WEBSHOP_FEEDS: readonly { feed: string; table: FeedTable<FeedRow, 'id'> }[] = [
  { feed: 'updated-products', table: syncFeedTable(ProductSchema) },
  { feed: 'updated-partners', table: syncFeedTable(PartnerSchema) },
  { feed: 'updated-sale-orders', table: syncFeedTable(SaleOrderSchema) },
  { feed: 'pricelists/updated', table: pricelistFeedTable },
  { feed: 'stocks/changed', table: stockFeedTable },
  { feed: 'purchase-orders/updated', table: syncFeedTable(PurchaseOrderSchema) },
] as unknown as { feed: string; table: FeedTable<FeedRow, 'id'> }[];

export interface FeedBacklog {
  feed: string;
  /** Change time of the oldest change the feed serves that the webshop has not acknowledged; null: none. */
  oldestUnacknowledged: Date | null;
  /** Its age in seconds; 0 when nothing waits. */
  backlogSeconds: number;
}

/**
 * How far behind the webshop is on each feed: the oldest unacknowledged change it could be served. One index
 * seek per feed (the keyset index starts with the pending flag), so it is cheap enough for every scrape.
 */
export async function feedBacklogs(em: EntityManager, now = new Date()): Promise<FeedBacklog[]> {
  return Promise.all(
    WEBSHOP_FEEDS.map(async ({ feed, table }) => {
      // ORDER BY ... LIMIT 1 rather than MIN(): MySQL computes a MIN() with a condition outside the index by
      // reading every pending row, but stops an ordered read at the first that matches.
      const qb = em
        .createQueryBuilder(table.entity)
        .select('changedAt')
        .where({ [table.pendingFlag]: true, ...table.servedWhere } as never)
        .orderBy({ changedAt: 'asc' } as never)
        .limit(1);
      const hint = forceIndexHint(em, table.keysetIndex);
      if (hint) qb.indexHint(hint);
      const rows: { changedAt: Date }[] = await qb.execute('all', true);
      const oldest = rows[0]?.changedAt ?? null;
      const backlogSeconds = oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0;
      return { feed, oldestUnacknowledged: oldest, backlogSeconds };
    }),
  );
}
