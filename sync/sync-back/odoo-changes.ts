import type { EntityManager } from '@mikro-orm/knex';
import { SaleOrderSchema } from '../../entities/sale-order';

/**
 * The webshop order an inbound sale order (pushed by Odoo, or pulled) is the Odoo side of: the outbound order with
 * its Odoo id, or else the one whose number is its `client_order_ref`. Undefined for an order that began in Odoo.
 */
export async function outboundOrderOf(
  em: EntityManager,
  inbound: { odooId: number | null; data: Record<string, unknown> },
): Promise<string | undefined> {
  if (inbound.odooId !== null) {
    const byId = await em.findOne(
      SaleOrderSchema,
      { direction: 'outbound', odooId: inbound.odooId },
      { fields: ['externalId'] },
    );
    if (byId) return byId.externalId;
  }
  const ref = inbound.data.client_order_ref;
  if (typeof ref !== 'string' || ref === '') return undefined;
  const byRef = await em.findOne(
    SaleOrderSchema,
    { direction: 'outbound', externalId: ref, odooId: { $ne: null } },
    { fields: ['externalId'] },
  );
  return byRef?.externalId;
}
