import type { EntityManager } from '@mikro-orm/knex';
import { ApplicationFailure } from '@temporalio/activity';
import { PartnerSchema } from '../../entities/partner';
import { ProductSchema } from '../../entities/product';
import type {
  OdooOrderState,
  OdooOrderVersion,
  OrderVersion,
  SaleOrder,
  SaleOrderLine,
} from '../../entities/sale-order';
import type { OdooClient, OdooValues } from '../../odoo/odoo-client';
import { fromOdooDateTime, many2oneId, numberOrNull, odooDateTime } from '../../odoo/odoo-values';
import type { LineCommand, OdooOrderWrite } from './order-merge';
import { SALE_ORDER_MODEL } from './odoo-sale-order';

/** Order dates compare to the second: Odoo keeps no more. */
function toSecond(date: Date | string | null): string | null {
  if (date === null) return null;
  const at = typeof date === 'string' ? new Date(date) : date;
  return Number.isNaN(at.getTime()) ? null : `${at.toISOString().slice(0, 19)}Z`;
}

/** The webshop's version of a stored order, as the merge compares it. */
export function webshopVersion(order: SaleOrder, lines: readonly SaleOrderLine[]): OrderVersion {
  return {
    partner: order.partnerExternalId,
    date_order: toSecond(order.dateOrder),
    lines: lines.map((l) => ({
      product: l.productExternalId,
      quantity: l.quantity,
      price_unit: l.priceUnit,
      discount: l.discount,
    })),
  };
}

/** Odoo's version without what Odoo alone decides: the shape of a merge base. */
export function baseOf(odoo: OdooOrderVersion): OrderVersion {
  return {
    partner: odoo.partner,
    date_order: odoo.date_order,
    lines: odoo.lines.map((l) => ({
      product: l.product,
      quantity: l.quantity,
      price_unit: l.price_unit,
      discount: l.discount,
    })),
  };
}

/** Odoo ids to external ids for the rows known here; one query. */
async function externalIdsByOdooId(
  em: EntityManager,
  entity: typeof ProductSchema | typeof PartnerSchema,
  odooIds: number[],
): Promise<Map<number, string>> {
  if (!odooIds.length) return new Map();
  const rows = await em.find(
    entity as typeof ProductSchema,
    { odooId: { $in: [...new Set(odooIds)] } },
    { fields: ['externalId', 'odooId'], orderBy: { id: 'asc' } },
  );
  const map = new Map<number, string>();
  for (const row of rows) if (row.odooId !== null && !map.has(row.odooId)) map.set(row.odooId, row.externalId);
  return map;
}

const ORDER_FIELDS = ['state', 'invoice_status', 'partner_id', 'date_order', 'amount_total'];
const LINE_FIELDS = ['product_id', 'product_uom_qty', 'price_unit', 'discount', 'qty_delivered', 'display_type'];

/**
 * Odoo's version of an order (two `search_read`s: the order, its lines in Odoo's order), in the webshop's terms:
 * products and partner by external id (`odoo:<id>` for one unknown here). Undefined when Odoo has no such order.
 */
export async function readOdooVersion(
  odoo: OdooClient,
  em: EntityManager,
  odooId: number,
): Promise<OdooOrderVersion | undefined> {
  const [order] = await odoo.searchRead(SALE_ORDER_MODEL, [['id', '=', odooId]], ORDER_FIELDS, { limit: 1 });
  if (!order) return undefined;
  const rows = (
    await odoo.searchRead('sale.order.line', [['order_id', '=', odooId]], LINE_FIELDS, { order: 'sequence, id' })
  ).filter((row) => !row.display_type);
  const productOdooIds = rows.map((row) => many2oneId(row.product_id)).filter((id): id is number => id !== null);
  const partnerOdooId = many2oneId(order.partner_id);
  const products = await externalIdsByOdooId(em, ProductSchema, productOdooIds);
  const partners = await externalIdsByOdooId(em, PartnerSchema, partnerOdooId === null ? [] : [partnerOdooId]);
  const lines = rows.map((row) => {
    const productId = many2oneId(row.product_id);
    return {
      product: productId === null ? 'odoo:none' : (products.get(productId) ?? `odoo:${productId}`),
      quantity: numberOrNull(row.product_uom_qty) ?? 0,
      price_unit: numberOrNull(row.price_unit),
      discount: numberOrNull(row.discount) || null,
      odoo_line_id: row.id,
      qty_delivered: numberOrNull(row.qty_delivered) ?? 0,
    };
  });
  const ordered = lines.filter((l) => l.quantity > 0);
  const deliveredAll = ordered.length > 0 && ordered.every((l) => l.qty_delivered >= l.quantity);
  return {
    partner: partnerOdooId === null ? 'odoo:none' : (partners.get(partnerOdooId) ?? `odoo:${partnerOdooId}`),
    date_order: typeof order.date_order === 'string' ? toSecond(fromOdooDateTime(order.date_order)) : null,
    lines,
    state: order.state as OdooOrderState,
    invoice_status: typeof order.invoice_status === 'string' ? order.invoice_status : null,
    amount_total: numberOrNull(order.amount_total),
    delivery_status: deliveredAll ? 'full' : lines.some((l) => l.qty_delivered > 0) ? 'partial' : 'nothing',
  };
}

/** Odoo ids of external ids; a product or partner without one cannot be written yet (retried until it has one). */
async function odooIdsOf(
  em: EntityManager,
  entity: typeof ProductSchema | typeof PartnerSchema,
  externalIds: string[],
): Promise<Map<string, number>> {
  if (!externalIds.length) return new Map();
  const rows = await em.find(
    entity as typeof ProductSchema,
    { externalId: { $in: [...new Set(externalIds)] } },
    { fields: ['externalId', 'odooId'] },
  );
  const ids = new Map(rows.filter((r) => r.odooId !== null).map((r) => [r.externalId, r.odooId!]));
  const unknown = externalIds.filter((id) => !ids.has(id));
  if (unknown.length) {
    throw ApplicationFailure.retryable(
      `Not known with an Odoo id yet: ${unknown.join(', ')}; the change is written once they are`,
      'DependencyNotReady',
    );
  }
  return ids;
}

/** The `write` values of a planned change: header fields, and the lines as one2many commands on `order_line`. */
export async function odooWriteValues(em: EntityManager, write: OdooOrderWrite): Promise<OdooValues> {
  const added = write.lines.flatMap((c) => (c[0] === 0 ? [c[2].product] : []));
  const products = await odooIdsOf(em, ProductSchema, added);
  const values: OdooValues = {};
  if (write.header.partner !== undefined) {
    const partners = await odooIdsOf(em, PartnerSchema, [write.header.partner]);
    values.partner_id = partners.get(write.header.partner)!;
  }
  if (write.header.date_order !== undefined && write.header.date_order !== null) {
    values.date_order = odooDateTime(new Date(write.header.date_order));
  }
  if (write.lines.length) values.order_line = write.lines.map((command) => lineCommand(command, products));
  return values;
}

function lineCommand(command: LineCommand, products: Map<string, number>): unknown[] {
  if (command[0] === 2) return command;
  if (command[0] === 1) {
    const [, id, change] = command;
    return [
      1,
      id,
      {
        ...(change.quantity !== undefined ? { product_uom_qty: change.quantity } : {}),
        ...(change.price_unit !== undefined && change.price_unit !== null ? { price_unit: change.price_unit } : {}),
        ...(change.discount !== undefined ? { discount: change.discount ?? 0 } : {}),
      },
    ];
  }
  const line = command[2];
  return [
    0,
    0,
    {
      product_id: products.get(line.product)!,
      product_uom_qty: line.quantity,
      ...(line.price_unit === null ? {} : { price_unit: line.price_unit }),
      ...(line.discount === null ? {} : { discount: line.discount }),
    },
  ];
}

/** Odoo's version as the webshop is shown it: in the outbound feed (`data.odoo`) and the queue status (`odoo`). */
export interface OdooOrderView {
  state: OdooOrderState;
  invoice_status: string | null;
  delivery_status: 'nothing' | 'partial' | 'full';
  amount_total: number | null;
  partner_external_id: string;
  date_order: string | null;
  lines: {
    product_external_id: string;
    quantity: number;
    price_unit: number | null;
    discount: number | null;
    qty_delivered: number;
  }[];
}

export function odooView(odoo: OdooOrderVersion): OdooOrderView {
  return {
    state: odoo.state,
    invoice_status: odoo.invoice_status,
    delivery_status: odoo.delivery_status,
    amount_total: odoo.amount_total,
    partner_external_id: odoo.partner,
    date_order: odoo.date_order,
    lines: odoo.lines.map((l) => ({
      product_external_id: l.product,
      quantity: l.quantity,
      price_unit: l.price_unit,
      discount: l.discount,
      qty_delivered: l.qty_delivered,
    })),
  };
}
