import { LockMode, type FilterQuery, type RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { supportsRowLocks } from '../../../db/dialect';
import { PurchaseOrderSchema, type PurchaseOrder } from '../../../entities/purchase-order';
import { changedFields } from '../../shared/change-detection';
import { changedSyncFields, newSyncFields } from '../../shared/sync-row-fields';
import { PURCHASE_ORDER_DIFF_IGNORE, purchaseOrderColumns, replacePurchaseOrderLines } from '../purchase-order/spec';
import { purchaseOrderExternalId, type PurchaseOrderRecord } from '../purchase-order/record';
import { isOutOfDate } from '../../shared/write-date';

/** A purchase order carried inside a product push. */
export interface EmbeddedPurchaseOrder {
  record: PurchaseOrderRecord;
  raw: Record<string, unknown>;
  productExternalId: string;
}

/**
 * Stores the purchase orders embedded in a batch of products the way their own push would: new ones
 * inserted, changed ones updated, both left `pending` with their lines replaced so that their own workflow
 * processes them; unchanged or out-of-date ones untouched. Returns the external ids created or changed.
 */
export async function storeEmbeddedPurchaseOrders(
  em: EntityManager,
  embedded: readonly EmbeddedPurchaseOrder[],
  now: Date,
): Promise<string[]> {
  const latest = new Map(embedded.map((e) => [purchaseOrderExternalId(e.record), e]));
  if (latest.size === 0) return [];
  const rows = await em.find(
    PurchaseOrderSchema,
    { externalId: { $in: [...latest.keys()] } } as FilterQuery<PurchaseOrder>,
    { lockMode: supportsRowLocks(em) ? LockMode.PESSIMISTIC_WRITE : undefined },
  );
  const existing = new Map(rows.map((row) => [row.externalId, row]));

  const changed: { row: PurchaseOrder; record: PurchaseOrderRecord }[] = [];
  for (const [externalId, item] of latest) {
    const row = existing.get(externalId);
    if (!row) {
      const created = em.create(PurchaseOrderSchema, newRow(externalId, item, now), { persist: true });
      changed.push({ row: created, record: item.record });
    } else if (applyChange(row, item, now)) {
      changed.push({ row, record: item.record });
    }
  }
  if (changed.length === 0) return [];
  await em.flush();
  await replacePurchaseOrderLines(em, changed);
  return changed.map((c) => c.row.externalId);
}

function newRow(externalId: string, item: EmbeddedPurchaseOrder, now: Date): RequiredEntityData<PurchaseOrder> {
  const fields = changedFields(null, item.raw, { ignore: PURCHASE_ORDER_DIFF_IGNORE });
  return {
    ...purchaseOrderColumns(item.record),
    name: item.record.name,
    sourceProductExternalId: item.productExternalId,
    ...newSyncFields(
      {
        externalId,
        odooId: item.record.odoo_id,
        data: item.raw,
        changedFields: fields,
        processingState: 'pending',
        sourceWriteDate: item.record.write_date,
      },
      now,
    ),
  };
}

/** Applies an embedded version to a stored order; returns false (and writes nothing) when nothing changed. */
function applyChange(row: PurchaseOrder, item: EmbeddedPurchaseOrder, now: Date): boolean {
  if (isOutOfDate(item.record.write_date, row.sourceWriteDate)) return false;
  const fields = changedFields(row.data, item.raw, { ignore: PURCHASE_ORDER_DIFF_IGNORE });
  if (fields.length === 0) return false;
  Object.assign(
    row,
    purchaseOrderColumns(item.record),
    { sourceProductExternalId: item.productExternalId },
    changedSyncFields(
      row,
      { data: item.raw, changedFields: fields, odooId: item.record.odoo_id, sourceWriteDate: item.record.write_date },
      now,
    ),
  );
  return true;
}
