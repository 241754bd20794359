import { z } from 'zod';
import { saleOrderLineSchema, saleOrderRecordSchema } from '../inbound/sale-order/record';

/**
 * A webshop order: the sale order record, with the webshop's order number as `external_id`. Odoo assigns
 * the id, so the webshop may not send one, and an order without lines has nothing to sell.
 */
export const webshopOrderSchema = saleOrderRecordSchema.extend({
  odoo_id: z
    .union([z.null(), z.literal(false)], { error: 'must not be set: Odoo assigns the id when the order is created' })
    .optional()
    .transform(() => null),
  lines: z.array(saleOrderLineSchema, { error: 'must be a list' }).min(1, 'must hold at least one line'),
});

export type WebshopOrderRecord = z.output<typeof webshopOrderSchema>;
