import type { EntityManager } from '@mikro-orm/knex';
import { ProductSchema, type Product } from '../../../entities/product';
import { storeEmbeddedPurchaseOrders, type EmbeddedPurchaseOrder } from './embedded-purchase-orders';
import type { ExtractedChanges, InboundSpec, StoredRecord } from '../spec';
import { upsertPricelistItems } from './pricelist-items';
import { productRecordSchema, type ProductRecord } from './record';
import { isOutOfDate } from '../../shared/write-date';

type StoredProduct = StoredRecord<ProductRecord, Product>;

const rawList = (raw: Record<string, unknown>, key: string): unknown[] =>
  Array.isArray(raw[key]) ? (raw[key] as unknown[]) : [];

/**
 * Prices and purchase orders travel with every product push, changed or not; an out-of-date push carries none.
 * A push with a `prices` array carries the product's whole price list; one without leaves the stored prices be.
 */
async function extractProductParts(em: EntityManager, stored: StoredProduct[], now: Date): Promise<ExtractedChanges> {
  const current = stored.filter(({ record, row }) => !isOutOfDate(record.write_date, row.sourceWriteDate));
  await upsertPricelistItems(
    em,
    current.map(({ record, raw }) => ({
      productExternalId: record.external_id,
      prices: record.prices,
      raw: rawList(raw, 'prices'),
      complete: Array.isArray(raw.prices),
    })),
    now,
  );
  const embedded: EmbeddedPurchaseOrder[] = current.flatMap(({ record, raw }) => {
    const raws = rawList(raw, 'purchase_orders');
    return record.purchase_orders.map((po, i) => ({
      record: po,
      raw: raws[i] as Record<string, unknown>,
      productExternalId: record.external_id,
    }));
  });
  const purchaseOrders = await storeEmbeddedPurchaseOrders(em, embedded, now);
  return purchaseOrders.length ? { purchase_order: purchaseOrders } : {};
}

/** Maps a pushed product onto its row, its pricelist items and the purchase orders it carries. */
export const productInbound: InboundSpec<ProductRecord, Product> = {
  entityType: 'product',
  batchKey: 'products',
  schema: productRecordSchema,
  entity: ProductSchema,
  externalIdOf: (r) => r.external_id,
  writeDateOf: (r) => r.write_date,
  diffIgnore: ['write_date', 'prices', 'purchase_orders'],
  columnsOf: (r) => ({
    context: r.context,
    name: r.name,
    defaultCode: r.default_code,
    barcode: r.barcode,
    active: r.active,
    listPrice: r.list_price,
  }),
  extract: extractProductParts,
};
