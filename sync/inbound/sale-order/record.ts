import { z } from 'zod';
import { externalId, odooId, optionalNumber, optionalText, timestamp } from '../../shared/record-fields';
import { optionalList, requiredNumber } from '../../shared/optional-values';

export const saleOrderLineSchema = z
  .object({
    product_external_id: externalId,
    quantity: requiredNumber,
    price_unit: optionalNumber,
    discount: optionalNumber,
  })
  .loose();

export const saleOrderRecordSchema = z
  .object({
    external_id: externalId,
    odoo_id: odooId,
    name: optionalText(),
    partner_external_id: externalId,
    state: optionalText(32),
    date_order: timestamp,
    currency: optionalText(8),
    amount_total: optionalNumber,
    write_date: timestamp,
    lines: optionalList(saleOrderLineSchema),
  })
  .loose();

export type SaleOrderRecord = z.output<typeof saleOrderRecordSchema>;
