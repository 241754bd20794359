import { z } from 'zod';
import { externalId, odooId, odooIdNumber, optionalNumber, optionalText, timestamp } from '../../shared/record-fields';
import { flag, optionalBoolean, optionalList, requiredNumber } from '../../shared/optional-values';
import { purchaseOrderRecordSchema } from '../purchase-order/record';

export const priceRecordSchema = z
  .object({
    // A number is Odoo's pricelist id; a string is a key of its own (exact, like every key).
    pricelist_id: z
      .union([odooIdNumber, z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters')], {
        error: 'must be a pricelist id: a positive integer or a string',
      })
      .transform(String),
    price: requiredNumber,
    min_quantity: optionalNumber.transform((v) => v ?? 0),
    date_start: timestamp,
    date_end: timestamp,
    is_promo: flag,
    is_action: flag,
  })
  .loose();

export type PriceRecord = z.output<typeof priceRecordSchema>;

export const productRecordSchema = z
  .object({
    external_id: externalId,
    odoo_id: odooId,
    context: optionalText(64),
    name: optionalText(),
    default_code: optionalText(128),
    barcode: optionalText(64),
    active: optionalBoolean,
    list_price: optionalNumber,
    write_date: timestamp,
    prices: optionalList(priceRecordSchema),
    purchase_orders: optionalList(purchaseOrderRecordSchema),
  })
  .loose();

export type ProductRecord = z.output<typeof productRecordSchema>;
