import { createHash } from 'node:crypto';
import type { RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { findPlainRows } from '../../../db/plain-rows';
import { PricelistItemSchema, type PricelistItem } from '../../../entities/pricelist-item';
import { isNewsToWebshop } from '../../shared/acknowledged-value';
import { changedFields, numbersEqual } from '../../shared/change-detection';
import type { PriceRecord } from './record';

const MAX_KEY_LENGTH = 255;

/** A product's prices as pushed: the parsed entries and their raw payloads, index for index. */
export interface PushedPrices {
  productExternalId: string;
  prices: readonly PriceRecord[];
  raw: readonly unknown[];
  /** The push carried the product's whole price list: stored items it lacks are removed. */
  complete: boolean;
}

/** An instant as a JSON string (an ISO date-time holds nothing JSON escapes), or JSON's null. */
const isoJson = (date: Date | null) => (date ? `"${date.toISOString()}"` : 'null');

/**
 * Identity of a pricelist item: pricelist, product, minimum quantity and validity dates, as the JSON array
 * `[pricelist, product, min quantity, start, end]` (spelled out piece by piece: it is built for every pushed price).
 */
export function pricelistItemKey(productExternalId: string, price: PriceRecord): string {
  const key =
    `[${JSON.stringify(price.pricelist_id)},${JSON.stringify(productExternalId)},${JSON.stringify(price.min_quantity)},` +
    `${isoJson(price.date_start)},${isoJson(price.date_end)}]`;
  return key.length <= MAX_KEY_LENGTH ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** What a push is compared against: read as plain rows, since hydrating thousands of entities is slow. */
type StoredItem = Pick<
  PricelistItem,
  | 'id'
  | 'itemKey'
  | 'productExternalId'
  | 'price'
  | 'data'
  | 'acknowledgedPrice'
  | 'acknowledgedAt'
  | 'servedAt'
  | 'removedAt'
>;

async function storedItems(em: EntityManager, productIds: string[]): Promise<Map<string, StoredItem>> {
  const rows = await findPlainRows(em, PricelistItemSchema, {
    fields: [
      'id',
      'itemKey',
      'productExternalId',
      'price',
      'data',
      'acknowledgedPrice',
      'acknowledgedAt',
      'servedAt',
      'removedAt',
    ],
    where: { productExternalId: { $in: productIds } },
  });
  const byKey = new Map<string, StoredItem>();
  for (const row of rows) byKey.set(row.itemKey, row);
  return byKey;
}

/**
 * Upserts the pricelist items of a batch of products: one SELECT for all their stored items, new items
 * persisted for a batched insert, and only really changed items updated (batched at the caller's flush).
 * A new item and a real price change set `priceChanged` (a price back at the acknowledged one, with nothing
 * served in between, clears it); a change of its other fields updates it without entering the price-change feed.
 */
export async function upsertPricelistItems(em: EntityManager, pushed: readonly PushedPrices[], now: Date) {
  const wanted = new Map<string, { productExternalId: string; price: PriceRecord; raw: Record<string, unknown> }>();
  // The products whose stored items are read: those with prices, then those whose whole list was pushed.
  const products = new Set<string>();
  const complete = new Set<string>();
  for (const { productExternalId, prices, raw, complete: whole } of pushed) {
    for (let i = 0; i < prices.length; i++) {
      const price = prices[i]!;
      wanted.set(pricelistItemKey(productExternalId, price), {
        productExternalId,
        price,
        raw: raw[i] as Record<string, unknown>,
      });
      products.add(productExternalId);
    }
    if (whole) complete.add(productExternalId);
  }
  for (const product of complete) products.add(product);
  if (products.size === 0) return;

  const stored = await storedItems(em, [...products]);
  for (const [itemKey, { productExternalId, price, raw }] of wanted) {
    const item = stored.get(itemKey);
    if (!item) {
      em.create(PricelistItemSchema, newItem(itemKey, productExternalId, price, raw, now), { persist: true });
      continue;
    }
    const returned = item.removedAt !== null;
    const priceMoved = !numbersEqual(item.price, price.price);
    if (!returned && !priceMoved && changedFields(item.data, raw).length === 0) continue;
    // A reference is enough: the flush updates exactly the columns assigned here.
    const update = em.getReference(PricelistItemSchema, item.id);
    if (priceMoved || returned) {
      const priceChanged = isNewsToWebshop(price.price, { ...item, acknowledged: item.acknowledgedPrice });
      Object.assign(update, { previousPrice: item.price, price: price.price, priceChanged, removedAt: null });
    }
    Object.assign(update, {
      isPromo: price.is_promo,
      isAction: price.is_action,
      data: raw,
      changedAt: now,
      updatedAt: now,
    });
  }
  removeMissingItems(em, stored, wanted, complete, now);
}

/**
 * Items of a complete price list that the push no longer has. One the webshop was never shown is deleted;
 * the others stay as removals in the price-change feed until the webshop acknowledges them.
 */
function removeMissingItems(
  em: EntityManager,
  stored: ReadonlyMap<string, StoredItem>,
  wanted: ReadonlyMap<string, unknown>,
  complete: ReadonlySet<string>,
  now: Date,
) {
  for (const [itemKey, item] of stored) {
    if (wanted.has(itemKey) || !complete.has(item.productExternalId) || item.removedAt !== null) continue;
    const update = em.getReference(PricelistItemSchema, item.id);
    if (item.acknowledgedAt === null && item.servedAt === null) {
      em.remove(update);
      continue;
    }
    Object.assign(update, { removedAt: now, priceChanged: true, changedAt: now, updatedAt: now });
  }
}

function newItem(
  itemKey: string,
  productExternalId: string,
  price: PriceRecord,
  raw: Record<string, unknown>,
  now: Date,
): RequiredEntityData<PricelistItem> {
  return {
    itemKey,
    pricelistId: price.pricelist_id,
    productExternalId,
    minQuantity: price.min_quantity,
    price: price.price,
    previousPrice: null,
    acknowledgedPrice: null,
    priceChanged: true,
    isPromo: price.is_promo,
    isAction: price.is_action,
    dateStart: price.date_start,
    dateEnd: price.date_end,
    removedAt: null,
    data: raw,
    changedAt: now,
    acknowledgedAt: null,
    servedAt: null,
    createdAt: now,
    updatedAt: now,
  };
}
