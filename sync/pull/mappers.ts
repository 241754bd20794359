import type { OdooClient, OdooRecord } from '../../odoo/odoo-client';
import type { PartnerType } from '../../entities/partner';
import type { PullEntityType } from '../../workflows/contract';
import type { ExternalIdResolver } from './external-ids';
import { many2oneId, many2oneName, numberOrNull, text } from '../../odoo/odoo-values';

/** A pulled Odoo record as the push payload of its entity type (the contract's record), or why it cannot be. */
export type MappedRecord = { odooId: number; record: Record<string, unknown> } | { odooId: number; error: string };

export interface MapContext {
  odoo: OdooClient;
  ids: ExternalIdResolver;
}

/** Odoo's address types onto the contract's partner types: Billing, Contact, Delivery, Other. */
const PARTNER_TYPES: Record<string, PartnerType> = { invoice: 'B', contact: 'C', delivery: 'D' };

const ARCHIVED_TOO = { context: { active_test: false } };

export interface EntityMapper {
  /** Fields read of the entity's own model. */
  fields: string[];
  toRecords(ctx: MapContext, rows: OdooRecord[]): Promise<MappedRecord[]>;
}

async function linesOf(
  odoo: OdooClient,
  model: string,
  orderIds: number[],
  fields: string[],
): Promise<Map<number, OdooRecord[]>> {
  const lines = orderIds.length
    ? await odoo.searchRead(model, [['order_id', 'in', orderIds]], ['order_id', ...fields], { order: 'id asc' })
    : [];
  const byOrder = new Map<number, OdooRecord[]>();
  for (const line of lines) {
    const orderId = many2oneId(line.order_id);
    if (orderId === null) continue;
    byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), line]);
  }
  return byOrder;
}

const partnerMapper = (idField: () => string): EntityMapper => ({
  get fields() {
    return withField(
      ['name', 'type', 'parent_id', 'email', 'vat', 'street', 'city', 'zip', 'country_id', 'active', 'write_date'],
      idField(),
    );
  },
  async toRecords({ odoo, ids }, rows) {
    const own = await ids.resolve(
      'partner',
      rows.map((r) => r.id),
      rows,
    );
    const parents = await ids.resolve('partner', present(rows.map((r) => many2oneId(r.parent_id))));
    const countryIds = [...new Set(present(rows.map((r) => many2oneId(r.country_id))))];
    const countries = countryIds.length
      ? await odoo.searchRead('res.country', [['id', 'in', countryIds]], ['code'], ARCHIVED_TOO)
      : [];
    const codes = new Map(countries.map((c) => [c.id, text(c.code)]));
    return rows.map((row) => {
      const parentId = many2oneId(row.parent_id);
      const countryId = many2oneId(row.country_id);
      return {
        odooId: row.id,
        record: {
          external_id: own.get(row.id),
          odoo_id: row.id,
          type: PARTNER_TYPES[String(row.type)] ?? 'O',
          parent_external_id: parentId === null ? null : parents.get(parentId),
          name: text(row.name),
          email: text(row.email),
          vat: text(row.vat),
          street: text(row.street),
          city: text(row.city),
          zip: text(row.zip),
          country_code: countryId === null ? null : (codes.get(countryId) ?? null),
          active: row.active !== false,
          write_date: text(row.write_date),
        },
      };
    });
  },
});

/** Fixed prices of a variant, as the contract's `prices`; other rules (formulas, categories) have no fixed price. */
export const PRICE_ITEM_FIELDS = [
  'product_id',
  'pricelist_id',
  'applied_on',
  'compute_price',
  'fixed_price',
  'min_quantity',
  'date_start',
  'date_end',
];

function priceOf(item: OdooRecord): Record<string, unknown> | null {
  if (item.compute_price !== 'fixed' || (item.applied_on && item.applied_on !== '0_product_variant')) return null;
  const pricelistId = many2oneId(item.pricelist_id);
  if (pricelistId === null) return null;
  return {
    pricelist_id: pricelistId,
    price: numberOrNull(item.fixed_price) ?? 0,
    min_quantity: numberOrNull(item.min_quantity) ?? 0,
    date_start: text(item.date_start),
    date_end: text(item.date_end),
  };
}

const productMapper = (idField: () => string): EntityMapper => ({
  get fields() {
    return withField(['name', 'default_code', 'barcode', 'active', 'list_price', 'write_date'], idField());
  },
  async toRecords({ odoo, ids }, rows) {
    const own = await ids.resolve(
      'product',
      rows.map((r) => r.id),
      rows,
    );
    const items = rows.length
      ? await odoo.searchRead(
          'product.pricelist.item',
          [['product_id', 'in', rows.map((r) => r.id)]],
          PRICE_ITEM_FIELDS,
          { order: 'id asc', ...ARCHIVED_TOO },
        )
      : [];
    const prices = new Map<number, Record<string, unknown>[]>();
    for (const item of items) {
      const productId = many2oneId(item.product_id);
      const price = priceOf(item);
      if (productId !== null && price) prices.set(productId, [...(prices.get(productId) ?? []), price]);
    }
    return rows.map((row) => ({
      odooId: row.id,
      record: {
        external_id: own.get(row.id),
        odoo_id: row.id,
        name: text(row.name),
        default_code: text(row.default_code),
        barcode: text(row.barcode),
        active: row.active !== false,
        list_price: numberOrNull(row.list_price),
        write_date: text(row.write_date),
        prices: prices.get(row.id) ?? [],
      },
    }));
  },
});

const SALE_LINE_FIELDS = ['product_id', 'product_uom_qty', 'price_unit', 'discount', 'display_type'];

const saleOrderMapper = (idField: () => string): EntityMapper => ({
  get fields() {
    return withField(
      ['name', 'partner_id', 'state', 'date_order', 'currency_id', 'amount_total', 'client_order_ref', 'write_date'],
      idField(),
    );
  },
  async toRecords({ odoo, ids }, rows) {
    const own = await ids.resolve(
      'sale_order',
      rows.map((r) => r.id),
      rows,
    );
    const lines = await linesOf(
      odoo,
      'sale.order.line',
      rows.map((r) => r.id),
      SALE_LINE_FIELDS,
    );
    // Section and note lines carry no product.
    const productLines = (orderId: number) =>
      (lines.get(orderId) ?? []).filter((l) => !l.display_type && many2oneId(l.product_id) !== null);
    const partners = await ids.resolve('partner', present(rows.map((r) => many2oneId(r.partner_id))));
    const products = await ids.resolve(
      'product',
      rows.flatMap((r) => productLines(r.id).map((l) => many2oneId(l.product_id)!)),
    );
    return rows.map((row): MappedRecord => {
      const partnerId = many2oneId(row.partner_id);
      if (partnerId === null) return { odooId: row.id, error: 'partner_id: the order has no customer' };
      return {
        odooId: row.id,
        record: {
          external_id: own.get(row.id),
          odoo_id: row.id,
          name: text(row.name),
          partner_external_id: partners.get(partnerId),
          state: text(row.state),
          date_order: text(row.date_order),
          currency: many2oneName(row.currency_id),
          amount_total: numberOrNull(row.amount_total),
          client_order_ref: text(row.client_order_ref),
          write_date: text(row.write_date),
          lines: productLines(row.id).map((line) => ({
            product_external_id: products.get(many2oneId(line.product_id)!),
            quantity: numberOrNull(line.product_uom_qty) ?? 0,
            price_unit: numberOrNull(line.price_unit),
            discount: numberOrNull(line.discount),
          })),
        },
      };
    });
  },
});

const PURCHASE_LINE_FIELDS = [
  'product_id',
  'product_qty',
  'qty_received',
  'price_unit',
  'date_planned',
  'display_type',
];

const purchaseOrderMapper = (idField: () => string): EntityMapper => ({
  get fields() {
    return withField(['name', 'partner_id', 'state', 'user_id', 'date_order', 'write_date'], idField());
  },
  async toRecords({ odoo, ids }, rows) {
    const own = await ids.resolve(
      'purchase_order',
      rows.map((r) => r.id),
      rows,
    );
    const lines = await linesOf(
      odoo,
      'purchase.order.line',
      rows.map((r) => r.id),
      PURCHASE_LINE_FIELDS,
    );
    const productLines = (orderId: number) =>
      (lines.get(orderId) ?? []).filter((l) => !l.display_type && many2oneId(l.product_id) !== null);
    const vendors = await ids.resolve('partner', present(rows.map((r) => many2oneId(r.partner_id))));
    const products = await ids.resolve(
      'product',
      rows.flatMap((r) => productLines(r.id).map((l) => many2oneId(l.product_id)!)),
    );
    return rows.map((row): MappedRecord => {
      const vendorId = many2oneId(row.partner_id);
      const name = text(row.name);
      if (name === null) return { odooId: row.id, error: 'name: the purchase order has no reference' };
      return {
        odooId: row.id,
        record: {
          name,
          external_id: own.get(row.id),
          odoo_id: row.id,
          vendor_external_id: vendorId === null ? null : vendors.get(vendorId),
          state: text(row.state),
          created_by: many2oneName(row.user_id),
          order_date: text(row.date_order),
          write_date: text(row.write_date),
          lines: productLines(row.id).map((line) => ({
            product_external_id: products.get(many2oneId(line.product_id)!),
            quantity: numberOrNull(line.product_qty) ?? 0,
            qty_received: numberOrNull(line.qty_received),
            price_unit: numberOrNull(line.price_unit),
            date_planned: text(line.date_planned),
          })),
        },
      };
    });
  },
});

function present<T>(values: (T | null)[]): T[] {
  return values.filter((v): v is T => v !== null);
}

function withField(fields: string[], idField: string): string[] {
  return idField === 'id' || fields.includes(idField) ? fields : [...fields, idField];
}

/** The mapper of each pulled entity type, reading the external-id field the resolver is configured with. */
export function entityMappers(ids: ExternalIdResolver): Record<PullEntityType, EntityMapper> {
  const field = (entityType: PullEntityType) => () => ids.fieldOf(entityType);
  return {
    product: productMapper(field('product')),
    partner: partnerMapper(field('partner')),
    sale_order: saleOrderMapper(field('sale_order')),
    purchase_order: purchaseOrderMapper(field('purchase_order')),
  };
}
