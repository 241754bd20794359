import type { SaleOrderLine } from '../../entities/sale-order';
import type { OdooClient, OdooValues } from '../../odoo/odoo-client';
import { OdooError } from '../../odoo/odoo-errors';

export const SALE_ORDER_MODEL = 'sale.order';

/** `sale.order` values of a webshop order; price and discount are left to Odoo's pricelist when not given. */
export function saleOrderValues(
  orderNumber: string,
  partnerId: number,
  lines: readonly SaleOrderLine[],
  productIds: ReadonlyMap<string, number>,
): OdooValues {
  return {
    partner_id: partnerId,
    client_order_ref: orderNumber,
    order_line: lines.map((line) => {
      const productId = productIds.get(line.productExternalId);
      if (productId === undefined) throw new Error(`No Odoo id for product ${line.productExternalId}`);
      return [
        0,
        0,
        {
          product_id: productId,
          product_uom_qty: line.quantity,
          ...(line.priceUnit === null ? {} : { price_unit: line.priceUnit }),
          ...(line.discount === null ? {} : { discount: line.discount }),
        },
      ];
    }),
  };
}

/** The Odoo order carrying the webshop order number, if there is one (the oldest, should there be several). */
export async function findOdooSaleOrder(odoo: OdooClient, orderNumber: string): Promise<number | undefined> {
  const ids = await odoo.search(SALE_ORDER_MODEL, [['client_order_ref', '=', orderNumber]], { order: 'id', limit: 1 });
  return ids[0];
}

/** Durable note that a create was sent and its outcome is not known yet. */
export interface CreateMarker {
  /** When the last create whose outcome is unknown was sent; null when none. */
  startedAt: Date | null;
  set(at: Date): Promise<void>;
  clear(): Promise<void>;
}

/** A create sent earlier may still land in Odoo; try again after `retryInMs`. */
export class CreateOutcomePending extends Error {
  constructor(readonly retryInMs: number) {
    super(
      `An earlier create of this order got no answer; waiting ${Math.ceil(retryInMs / 1000)} s for it to show up in Odoo before creating again`,
    );
  }
}

/**
 * Creates the order in Odoo unless it is there already. Searches by the webshop order number first; after
 * a create whose answer was lost it searches again at once, and the marker keeps any later attempt from
 * creating again until `settleMs` have passed since that create was sent, in case Odoo is still running it.
 */
export async function createSaleOrderOnce(
  odoo: OdooClient,
  orderNumber: string,
  values: OdooValues,
  marker: CreateMarker,
  settleMs: number,
  now: () => Date = () => new Date(),
): Promise<{ odooId: number; created: boolean }> {
  const existing = await findOdooSaleOrder(odoo, orderNumber);
  if (existing !== undefined) return { odooId: existing, created: false };
  if (marker.startedAt) {
    const waited = now().getTime() - marker.startedAt.getTime();
    if (waited < settleMs) throw new CreateOutcomePending(settleMs - waited);
  }
  await marker.set(now());
  try {
    return { odooId: await odoo.create(SALE_ORDER_MODEL, values), created: true };
  } catch (err) {
    if (!(err instanceof OdooError && err.kind === 'unknown_outcome')) {
      await marker.clear();
      throw err;
    }
    const landed = await findOdooSaleOrder(odoo, orderNumber);
    if (landed !== undefined) return { odooId: landed, created: true };
    throw err;
  }
}
