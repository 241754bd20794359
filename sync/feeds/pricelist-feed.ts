import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { PRICE_CHANGED_INDEX, PricelistItemSchema, type PricelistItem } from '../../entities/pricelist-item';
import type { FeedTable } from './change-feed';

/** What the price feeds serve of each item. */
export const PRICELIST_FEED_FIELDS = [
  'id',
  'pricelistId',
  'productExternalId',
  'minQuantity',
  'price',
  'previousPrice',
  'acknowledgedPrice',
  'priceChanged',
  'isPromo',
  'isAction',
  'dateStart',
  'dateEnd',
  'removedAt',
  'changedAt',
] as const satisfies readonly (keyof PricelistItem)[];

export type PricelistFeedRow = Pick<PricelistItem, (typeof PRICELIST_FEED_FIELDS)[number]>;

/** The price-change feed: only items whose price really changed, until acknowledged. */
export const pricelistFeedTable: FeedTable<PricelistItem, (typeof PRICELIST_FEED_FIELDS)[number]> = {
  entity: PricelistItemSchema,
  pendingFlag: 'priceChanged',
  keysetIndex: PRICE_CHANGED_INDEX,
  fields: PRICELIST_FEED_FIELDS,
  // The acknowledgement covers only a served, unchanged version, so the item's price is the one served; once a
  // removal is acknowledged the webshop has no price for the item.
  onAcknowledge: (now) => ({
    acknowledgedAt: now,
    acknowledgedPrice: raw('case when removed_at is null then price end'),
  }),
};

export interface PricelistSummary {
  pricelistId: string;
  itemCount: number;
  changedCount: number;
}

/** Pricelists with their item counts, by pricelist id, from after `afterId`. */
export async function listPricelists(
  em: EntityManager,
  afterId: string | undefined,
  limit: number,
): Promise<PricelistSummary[]> {
  const qb = em
    .createQueryBuilder(PricelistItemSchema)
    .select([
      'pricelistId',
      raw('sum(case when removed_at is null then 1 else 0 end) as item_count'),
      raw('sum(case when price_changed then 1 else 0 end) as changed_count'),
    ])
    .groupBy('pricelistId')
    .orderBy({ pricelistId: 'asc' })
    .limit(limit);
  if (afterId !== undefined) qb.where({ pricelistId: { $gt: afterId } });
  const rows: { pricelist_id: string; item_count: number | string; changed_count: number | string | null }[] =
    await qb.execute('all', false);
  return rows.map((r) => ({
    pricelistId: r.pricelist_id,
    itemCount: Number(r.item_count),
    changedCount: Number(r.changed_count ?? 0),
  }));
}

/** A whole pricelist as it stands (removed items left out), by item id, for a full resync. */
export async function pricelistItems(
  em: EntityManager,
  pricelistId: string,
  afterId: number,
  limit: number,
): Promise<PricelistItem[]> {
  return em.find(
    PricelistItemSchema,
    { pricelistId, removedAt: null, id: { $gt: afterId } },
    { orderBy: { id: 'asc' }, limit },
  );
}
