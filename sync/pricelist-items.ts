import { createHash } from 'node:crypto';
import type { RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { JsonColumnType } from '../entities/json-column';
import { PricelistItemSchema, type PricelistItem } from '../entities/pricelist-item';
import { changedFields, numbersEqual } from './change-detection';
import type { PriceRecord } from './records/product';

const MAX_KEY_LENGTH = 255;

/** A product's prices as pushed: the parsed entries and their raw payloads, index for index. */
export interface PushedPrices {
  productExternalId: string;
  prices: readonly PriceRecord[];
  raw: readonly unknown[];
}

/** Identity of a pricelist item: pricelist, product, minimum quantity and validity dates. */
export function pricelistItemKey(productExternalId: string, price: PriceRecord): string {
  const key = JSON.stringify([
    price.pricelist_id,
    productExternalId,
    price.min_quantity,
    price.date_start?.toISOString() ?? null,
    price.date_end?.toISOString() ?? null,
  ]);
  return key.length <= MAX_KEY_LENGTH ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** What a push is compared against: read as plain rows, since hydrating thousands of entities is slow. */
interface StoredItem {
  id: number;
  price: number;
  data: Record<string, unknown>;
}

async function storedItems(em: EntityManager, productIds: string[]): Promise<Map<string, StoredItem>> {
  const rows: { id: number; itemKey: string; price: number; data: unknown }[] = await em
    .createQueryBuilder(PricelistItemSchema)
    .select(['id', 'itemKey', 'price', 'data'])
    .where({ productExternalId: { $in: productIds } })
    .execute('all', true);
  const json = new JsonColumnType();
  return new Map(
    rows.map((r) => [
      r.itemKey,
      { id: r.id, price: r.price, data: json.convertToJSValue(r.data, em.getPlatform()) as Record<string, unknown> },
    ]),
  );
}

/**
 * Upserts the pricelist items of a batch of products: one SELECT for all their stored items, new items
 * persisted for a batched insert, and only really changed items updated (batched at the caller's flush).
 * A new item and a real price change set `priceChanged`; a change of its other fields updates it without
 * entering the price-change feed.
 */
export async function upsertPricelistItems(em: EntityManager, pushed: readonly PushedPrices[], now: Date) {
  const wanted = new Map<string, { productExternalId: string; price: PriceRecord; raw: Record<string, unknown> }>();
  for (const { productExternalId, prices, raw } of pushed) {
    prices.forEach((price, i) => {
      const entry = { productExternalId, price, raw: raw[i] as Record<string, unknown> };
      wanted.set(pricelistItemKey(productExternalId, price), entry);
    });
  }
  if (wanted.size === 0) return;

  const stored = await storedItems(em, [...new Set([...wanted.values()].map((w) => w.productExternalId))]);
  for (const [itemKey, { productExternalId, price, raw }] of wanted) {
    const item = stored.get(itemKey);
    if (!item) {
      em.create(PricelistItemSchema, newItem(itemKey, productExternalId, price, raw, now), { persist: true });
      continue;
    }
    const priceMoved = !numbersEqual(item.price, price.price);
    if (!priceMoved && changedFields(item.data, raw).length === 0) continue;
    // A reference is enough: the flush updates exactly the columns assigned here.
    const update = em.getReference(PricelistItemSchema, item.id);
    if (priceMoved) Object.assign(update, { previousPrice: item.price, price: price.price, priceChanged: true });
    Object.assign(update, {
      isPromo: price.is_promo,
      isAction: price.is_action,
      data: raw,
      changedAt: now,
      updatedAt: now,
    });
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
    priceChanged: true,
    isPromo: price.is_promo,
    isAction: price.is_action,
    dateStart: price.date_start,
    dateEnd: price.date_end,
    data: raw,
    changedAt: now,
    acknowledgedAt: null,
    servedAt: null,
    createdAt: now,
    updatedAt: now,
  };
}
