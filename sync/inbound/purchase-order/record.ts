import { z } from 'zod';
import {
  externalId,
  odooId,
  optionalExternalId,
  optionalNumber,
  optionalText,
  timestamp,
} from '../../shared/record-fields';
import { optionalBoolean, optionalList, requiredNumber } from '../../shared/optional-values';

export const purchaseOrderLineSchema = z
  .object({
    product_external_id: externalId,
    quantity: requiredNumber,
    qty_received: optionalNumber,
    price_unit: optionalNumber,
    date_planned: timestamp,
    replied_by_vendor: optionalBoolean,
  })
  .loose();

export const purchaseOrderRecordSchema = z
  .object({
    name: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .trim()
      .min(1, 'must not be empty')
      .max(191, 'must be at most 191 characters'),
    external_id: optionalExternalId,
    odoo_id: odooId,
    vendor_external_id: optionalExternalId,
    state: optionalText(32),
    created_by: optionalText(191),
    order_date: timestamp,
    write_date: timestamp,
    lines: optionalList(purchaseOrderLineSchema),
  })
  .loose();

export type PurchaseOrderRecord = z.output<typeof purchaseOrderRecordSchema>;

/** A purchase order is known by its Odoo external id, or by its name when Odoo sent none. */
export function purchaseOrderExternalId(record: Pick<PurchaseOrderRecord, 'external_id' | 'name'>): string {
  return record.external_id ?? record.name;
}
