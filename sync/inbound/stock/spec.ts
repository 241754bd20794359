import { StockSchema, type Stock } from '../../../entities/stock';
import { stockExternalId } from '../../../workflows/contract';
import { isNewsToWebshop } from '../../shared/acknowledged-value';
import type { InboundSpec, StoredRecord } from '../spec';
import { stockRecordSchema, type StockRecord } from './record';

/**
 * Flags the rows whose quantity is news to the webshop and keeps the quantity they had before. The push's
 * changed field paths already compare the quantity with the float tolerance; a new row counts as changed. A
 * quantity back at the acknowledged one, with nothing served in between, leaves the feed.
 */
function markQuantityChanges(stored: readonly StoredRecord<StockRecord, Stock>[]): void {
  for (const { row, changed } of stored) {
    if (!changed || !row.changedFields.includes('quantity')) continue;
    const before = row.previousData?.quantity;
    row.previousQuantity = typeof before === 'number' ? before : null;
    row.quantityChanged = isNewsToWebshop(row.quantity, { ...row, acknowledged: row.acknowledgedQuantity });
  }
}

/** Maps a pushed stock level, keyed by supplier and product, onto its row. */
export const stockInbound: InboundSpec<StockRecord, Stock> = {
  entityType: 'stock',
  batchKey: 'stocks',
  schema: stockRecordSchema,
  entity: StockSchema,
  externalIdOf: (r) => stockExternalId(r.supplier_external_id, r.product_external_id),
  writeDateOf: (r) => r.write_date,
  diffIgnore: ['write_date'],
  columnsOf: (r) => ({
    supplierExternalId: r.supplier_external_id,
    productExternalId: r.product_external_id,
    quantity: r.quantity,
    purchasePrice: r.purchase_price,
    salePrice: r.sale_price,
  }),
  extract: async (_em, stored) => {
    markQuantityChanges(stored);
    return {};
  },
};
