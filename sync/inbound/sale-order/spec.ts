import { SaleOrderLineSchema, SaleOrderSchema, type SaleOrder } from '../../../entities/sale-order';
import type { InboundSpec } from '../spec';
import { replaceLines } from '../order-lines';
import { saleOrderRecordSchema, type SaleOrderRecord } from './record';
import { lineProductIds, refsTo } from '../required-records';

/** Maps a sale order pushed by Odoo onto its row and lines; webshop orders share the table. */
export const saleOrderInbound: InboundSpec<SaleOrderRecord, SaleOrder> = {
  entityType: 'sale_order',
  batchKey: 'orders',
  schema: saleOrderRecordSchema,
  entity: SaleOrderSchema,
  rowScope: { direction: 'inbound' },
  externalIdOf: (r) => r.external_id,
  writeDateOf: (r) => r.write_date,
  diffIgnore: ['write_date'],
  columnsOf: (r) => ({
    direction: 'inbound',
    name: r.name,
    partnerExternalId: r.partner_external_id,
    state: r.state,
    dateOrder: r.date_order,
    currency: r.currency,
    amountTotal: r.amount_total,
  }),
  dependenciesOf: (data) => [
    ...refsTo('partner', [data.partner_external_id]),
    ...refsTo('product', lineProductIds(data)),
  ],
  extract: async (em, stored) => {
    const changed = stored.filter((s) => s.changed);
    await replaceLines(
      em,
      SaleOrderLineSchema,
      'saleOrderId',
      changed.map(({ row, record }) => ({
        parentId: row.id,
        lines: record.lines.map((l) => ({
          productExternalId: l.product_external_id,
          quantity: l.quantity,
          priceUnit: l.price_unit,
          discount: l.discount,
        })),
      })),
    );
    return {};
  },
};
