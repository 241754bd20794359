import { z } from 'zod';
import { stockExternalId } from '../../../workflows/contract';
import { externalId, odooId, optionalNumber, timestamp } from '../../shared/record-fields';
import { requiredNumber } from '../../shared/optional-values';

const MAX_KEY_LENGTH = 191;

export const stockRecordSchema = z
  .object({
    // The stock key joins supplier and product with '/'; a '/' in the supplier would make it ambiguous.
    supplier_external_id: externalId.regex(/^[^/]*$/, "must not contain '/'"),
    product_external_id: externalId,
    odoo_id: odooId,
    quantity: requiredNumber,
    purchase_price: optionalNumber,
    sale_price: optionalNumber,
    write_date: timestamp,
  })
  .loose()
  .refine((s) => stockExternalId(s.supplier_external_id, s.product_external_id).length <= MAX_KEY_LENGTH, {
    message: `supplier and product external ids together must be at most ${MAX_KEY_LENGTH - 1} characters`,
    path: ['product_external_id'],
  });

export type StockRecord = z.output<typeof stockRecordSchema>;
