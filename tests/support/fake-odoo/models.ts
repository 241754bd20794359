import { validationError } from './odoo-exception';
import { FAKE_UID } from './protocols';

export type Row = { id: number } & Record<string, unknown>;
export type Values = Record<string, unknown>;

export type FieldType =
  'char' | 'text' | 'boolean' | 'integer' | 'float' | 'monetary' | 'selection' | 'datetime' | 'many2one' | 'one2many';

/** What model computations may look up in the store. */
export interface ModelReader {
  row(model: string, id: number): Row | undefined;
  /** Rows of `model` whose many2one `field` holds `id`, in no particular order. */
  rowsPointingAt(model: string, field: string, id: number): Row[];
  displayName(model: string, row: Row): string | false;
}

export interface FieldSpec {
  type: FieldType;
  /** many2one and one2many: the model pointed at. */
  comodel?: string;
  /** one2many: the comodel's many2one pointing back. */
  inverse?: string;
  /** one2many: unlinking the parent unlinks these rows (ondelete cascade) rather than emptying their inverse. */
  cascade?: boolean;
  selection?: readonly string[];
  required?: boolean;
  /** Computed fields are read-only: values written to them are ignored. */
  compute?: (store: ModelReader, row: Row) => unknown;
  /**
   * A stored computed field lives in the row and is recomputed whenever the row, or a row it depends
   * on, changes; a changed value is written with a new write_date, as Odoo's recompute does.
   */
  stored?: boolean;
}

export interface ModelSpec {
  fields: Record<string, FieldSpec>;
  /** Odoo's `_order`, used when a search gives no order. */
  order: string;
  displayName: (store: ModelReader, row: Row) => string | false;
  defaults?: (store: ModelReader, values: Values, id: number, now: string) => Values;
  /** The model's own create/write override: rewrites the incoming values. */
  prepare?: (values: Values) => Values;
  /** Python constraints: throw a ValidationError. */
  constrain?: (store: ModelReader, row: Row) => void;
  /** Rows holding stored computed fields that depend on this row. */
  dependents?: (store: ModelReader, row: Row) => Array<[model: string, id: number]>;
}

const char: FieldSpec = { type: 'char' };
const text: FieldSpec = { type: 'text' };
const bool: FieldSpec = { type: 'boolean' };
const int: FieldSpec = { type: 'integer' };
const float: FieldSpec = { type: 'float' };
const money: FieldSpec = { type: 'monetary' };
const datetime: FieldSpec = { type: 'datetime' };
const m2o = (comodel: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: 'many2one', comodel, ...extra });
const o2m = (comodel: string, inverse: string, cascade = true): FieldSpec => ({
  type: 'one2many',
  comodel,
  inverse,
  cascade,
});
const selection = (...values: string[]): FieldSpec => ({ type: 'selection', selection: values });
const required = (field: FieldSpec): FieldSpec => ({ ...field, required: true });

export const mandatoryFieldError = (model: string, field: string) =>
  validationError(
    `The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n\nModel: ${model}\nField: ${field}`,
  );

/** Order lines: a section or note (display_type) has no product; any other line needs one. */
const lineConstraint = (model: string) => (_: ModelReader, row: Row) => {
  if (!row.display_type && !row.product_id) throw mandatoryFieldError(model, 'product_id');
};

/** Adds what every Odoo model has: id, display_name and the log access fields. */
function model(spec: ModelSpec): ModelSpec {
  return {
    ...spec,
    fields: {
      id: int,
      ...spec.fields,
      display_name: { type: 'char', compute: (store, row) => spec.displayName(store, row) },
      create_date: datetime,
      write_date: datetime,
      create_uid: m2o('res.users', { compute: () => FAKE_UID }),
      write_uid: m2o('res.users', { compute: () => FAKE_UID }),
    },
  };
}

export const EUR_ID = 1;
/** When the base data (currencies, countries, users) was "installed". */
export const BASE_DATA_DATE = '2020-01-01 00:00:00';
export const BASE_DATA: Array<[model: string, values: Values]> = [
  ['res.currency', { name: 'EUR', symbol: '€' }],
  ['res.currency', { name: 'USD', symbol: '$' }],
  ['res.currency', { name: 'GBP', symbol: '£', active: false }],
  ['res.country', { name: 'Belgium', code: 'BE' }],
  ['res.country', { name: 'Netherlands', code: 'NL' }],
  ['res.country', { name: 'Germany', code: 'DE' }],
  ['res.country', { name: 'France', code: 'FR' }],
  ['res.country', { name: 'Luxembourg', code: 'LU' }],
  ['res.country', { name: 'United Kingdom', code: 'GB' }],
  ['res.country', { name: 'United States', code: 'US' }],
  ['res.users', { name: 'OdooBot', login: '__system__', active: false }],
  ['res.users', { name: 'Sync Bot', login: 'sync-bot' }],
  ['res.users', { name: 'Mitchell Admin', login: 'admin' }],
];

const round2 = (n: number) => Math.round(n * 100) / 100;
const num = (value: unknown) => (typeof value === 'number' ? value : 0);
const ref = (value: unknown) => (typeof value === 'number' ? value : undefined);
const nameOf = (store: ModelReader, model: string, id: unknown) => {
  const row = typeof id === 'number' ? store.row(model, id) : undefined;
  return row ? store.displayName(model, row) : false;
};
const total = (store: ModelReader, lineModel: string, row: Row) =>
  round2(store.rowsPointingAt(lineModel, 'order_id', row.id).reduce((sum, line) => sum + num(line.price_subtotal), 0));
const linesParent = (parent: string) => (_: ModelReader, row: Row) =>
  typeof row.order_id === 'number' ? [[parent, row.order_id] as [string, number]] : [];

const PARTNER_TYPE_LABELS: Record<string, string> = {
  invoice: 'Invoice Address',
  delivery: 'Delivery Address',
  other: 'Other Address',
};

function partnerParent(store: ModelReader, row: Row): Row | undefined {
  const id = ref(row.parent_id);
  return id === undefined ? undefined : store.row('res.partner', id);
}

const named = (_: ModelReader, row: Row) => (typeof row.name === 'string' ? row.name : false);

export const MODELS: Record<string, ModelSpec> = {
  'res.partner': model({
    order: 'complete_name asc, id desc',
    displayName: (_, row) => (typeof row.complete_name === 'string' ? row.complete_name : false),
    fields: {
      name: char,
      complete_name: {
        type: 'char',
        stored: true,
        compute: (store, row) => {
          let name = typeof row.name === 'string' ? row.name : '';
          const parent = partnerParent(store, row);
          if (parent || row.company_name) {
            if (!name) name = PARTNER_TYPE_LABELS[String(row.type)] ?? '';
            if (!row.is_company) name = `${String(row.company_name || parent?.name || '')}, ${name}`;
          }
          return name.trim();
        },
      },
      ref: char,
      type: selection('contact', 'invoice', 'delivery', 'other'),
      is_company: bool,
      company_type: { ...selection('person', 'company'), compute: (_, row) => (row.is_company ? 'company' : 'person') },
      parent_id: m2o('res.partner'),
      child_ids: o2m('res.partner', 'parent_id', false),
      commercial_partner_id: m2o('res.partner', {
        stored: true,
        compute: (store, row) => {
          const parent = partnerParent(store, row);
          return row.is_company || !parent ? row.id : (parent.commercial_partner_id ?? parent.id);
        },
      }),
      company_name: char,
      email: char,
      phone: char,
      vat: char,
      street: char,
      street2: char,
      city: char,
      zip: char,
      country_id: m2o('res.country'),
      country_code: { type: 'char', compute: (store, row) => store.row('res.country', ref(row.country_id) ?? 0)?.code },
      lang: char,
      website: char,
      function: char,
      comment: text,
      customer_rank: int,
      supplier_rank: int,
      active: bool,
    },
    defaults: () => ({ active: true, is_company: false, type: 'contact' }),
    constrain: (store, row) => {
      if (row.type === 'contact' && !row.name) throw validationError('Contacts require a name');
      for (let p = partnerParent(store, row); p; p = partnerParent(store, p)) {
        if (p.id === row.id) throw validationError('You cannot create recursive Partner hierarchies.');
      }
    },
    dependents: (store, row) =>
      store.rowsPointingAt('res.partner', 'parent_id', row.id).map((c) => ['res.partner', c.id]),
  }),
  'res.country': model({
    order: 'name',
    displayName: named,
    fields: { name: required(char), code: char },
  }),
  'res.currency': model({
    order: 'active desc, name',
    displayName: named,
    fields: { name: required(char), symbol: char, active: bool },
    defaults: () => ({ active: true }),
  }),
  'res.users': model({
    order: 'name, login',
    displayName: named,
    fields: { name: required(char), login: required(char), active: bool },
    defaults: () => ({ active: true }),
  }),
  'product.product': model({
    order: 'default_code, name, id',
    displayName: (_, row) => (row.default_code ? `[${String(row.default_code)}] ${String(row.name)}` : named(_, row)),
    fields: {
      name: required(char),
      default_code: char,
      barcode: char,
      list_price: float,
      lst_price: { type: 'float', compute: (_, row) => num(row.list_price) },
      standard_price: float,
      active: bool,
      sale_ok: bool,
      purchase_ok: bool,
      type: selection('consu', 'service', 'combo'),
      is_storable: bool,
      description_sale: text,
      weight: float,
    },
    defaults: () => ({
      active: true,
      list_price: 1,
      sale_ok: true,
      purchase_ok: true,
      type: 'consu',
      is_storable: false,
    }),
  }),
  'product.pricelist': model({
    order: 'sequence asc, id asc',
    displayName: (store, row) => `${String(row.name)} (${String(nameOf(store, 'res.currency', row.currency_id))})`,
    fields: {
      name: required(char),
      active: bool,
      sequence: int,
      currency_id: required(m2o('res.currency')),
      item_ids: o2m('product.pricelist.item', 'pricelist_id'),
    },
    defaults: () => ({ active: true, sequence: 16, currency_id: EUR_ID }),
    dependents: (store, row) =>
      store
        .rowsPointingAt('product.pricelist.item', 'pricelist_id', row.id)
        .map((i) => ['product.pricelist.item', i.id]),
  }),
  // No `active`: since Odoo 17 items have none, archiving a pricelist leaves its items searchable.
  'product.pricelist.item': model({
    order: 'applied_on, min_quantity desc, id desc',
    displayName: (store, row) => {
      const product = store.row('product.product', ref(row.product_id) ?? 0);
      return row.applied_on === '0_product_variant' && product ? `Variant: ${String(product.name)}` : 'All Products';
    },
    fields: {
      pricelist_id: required(m2o('product.pricelist')),
      currency_id: m2o('res.currency', {
        stored: true,
        compute: (store, row) => store.row('product.pricelist', ref(row.pricelist_id) ?? 0)?.currency_id ?? false,
      }),
      applied_on: required(selection('3_global', '2_product_category', '1_product', '0_product_variant')),
      product_id: m2o('product.product'),
      compute_price: required(selection('fixed', 'percentage', 'formula')),
      fixed_price: float,
      percent_price: float,
      price_discount: float,
      min_quantity: float,
      date_start: datetime,
      date_end: datetime,
    },
    defaults: () => ({ applied_on: '3_global', compute_price: 'fixed', min_quantity: 0 }),
    prepare: (values) => {
      const appliedOn = values.applied_on;
      if (appliedOn && appliedOn !== '0_product_variant') return { ...values, product_id: false };
      return values;
    },
    constrain: (store, row) => {
      if (row.applied_on === '0_product_variant' && !row.product_id) {
        throw validationError('Please specify the product variant for which this rule should be applied');
      }
      if (row.date_start && row.date_end && String(row.date_start) >= String(row.date_end)) {
        throw validationError(
          `${String(store.displayName('product.pricelist.item', row))}: end date (${String(row.date_end)}) should be greater than start date (${String(row.date_start)})`,
        );
      }
    },
  }),
  'sale.order': model({
    order: 'date_order desc, id desc',
    displayName: named,
    fields: {
      name: char,
      partner_id: required(m2o('res.partner')),
      // `done`: locked (Odoo 17 keeps it for orders locked before; it refuses confirm and cancel).
      state: selection('draft', 'sent', 'sale', 'cancel', 'done'),
      date_order: required(datetime),
      currency_id: m2o('res.currency'),
      client_order_ref: char,
      // Unset (read as false) until a test invoices the order: Odoo computes it from the lines.
      invoice_status: selection('upselling', 'invoiced', 'to invoice', 'no'),
      origin: char,
      note: text,
      user_id: m2o('res.users'),
      order_line: o2m('sale.order.line', 'order_id'),
      amount_untaxed: { ...money, stored: true, compute: (store, row) => total(store, 'sale.order.line', row) },
      amount_tax: { ...money, compute: () => 0 },
      amount_total: { ...money, stored: true, compute: (store, row) => total(store, 'sale.order.line', row) },
    },
    defaults: (_, __, id, now) => ({
      name: `S${String(id).padStart(5, '0')}`,
      state: 'draft',
      date_order: now,
      currency_id: EUR_ID,
    }),
  }),
  'sale.order.line': model({
    order: 'order_id, sequence, id',
    displayName: (store, row) => `${String(nameOf(store, 'sale.order', row.order_id))} - ${String(row.name)}`,
    fields: {
      order_id: required(m2o('sale.order')),
      product_id: m2o('product.product'),
      display_type: selection('line_section', 'line_subsection', 'line_note'),
      name: text,
      sequence: int,
      product_uom_qty: float,
      qty_delivered: float,
      price_unit: float,
      discount: float,
      price_subtotal: {
        ...money,
        stored: true,
        compute: (_, row) => round2(num(row.product_uom_qty) * num(row.price_unit) * (1 - num(row.discount) / 100)),
      },
    },
    defaults: (store, values) => {
      const product = store.row('product.product', ref(values.product_id) ?? 0);
      return {
        sequence: 10,
        product_uom_qty: 1,
        price_unit: product?.list_price ?? 0,
        name: product ? store.displayName('product.product', product) : false,
      };
    },
    constrain: lineConstraint('sale.order.line'),
    dependents: linesParent('sale.order'),
  }),
  'purchase.order': model({
    order: 'priority desc, id desc',
    displayName: (_, row) => (row.partner_ref ? `${String(row.name)} (${String(row.partner_ref)})` : named(_, row)),
    fields: {
      name: char,
      partner_id: required(m2o('res.partner')),
      partner_ref: char,
      origin: char,
      state: selection('draft', 'sent', 'to approve', 'purchase', 'done', 'cancel'),
      priority: selection('0', '1'),
      date_order: required(datetime),
      date_approve: datetime,
      user_id: m2o('res.users'),
      currency_id: m2o('res.currency'),
      order_line: o2m('purchase.order.line', 'order_id'),
      amount_untaxed: { ...money, stored: true, compute: (store, row) => total(store, 'purchase.order.line', row) },
      amount_total: { ...money, stored: true, compute: (store, row) => total(store, 'purchase.order.line', row) },
    },
    defaults: (_, __, id, now) => ({
      name: `P${String(id).padStart(5, '0')}`,
      state: 'draft',
      priority: '0',
      date_order: now,
      user_id: FAKE_UID,
      currency_id: EUR_ID,
    }),
  }),
  'purchase.order.line': model({
    order: 'order_id, sequence, id',
    displayName: (store, row) => `${String(nameOf(store, 'purchase.order', row.order_id))} - ${String(row.name)}`,
    fields: {
      order_id: required(m2o('purchase.order')),
      product_id: m2o('product.product'),
      display_type: selection('line_section', 'line_subsection', 'line_note'),
      name: text,
      sequence: int,
      product_qty: float,
      qty_received: float,
      price_unit: float,
      date_planned: required(datetime),
      price_subtotal: {
        ...money,
        stored: true,
        compute: (_, row) => round2(num(row.product_qty) * num(row.price_unit)),
      },
    },
    defaults: (store, values, _, now) => {
      const product = store.row('product.product', ref(values.product_id) ?? 0);
      return {
        sequence: 10,
        product_qty: 1,
        price_unit: product?.standard_price ?? 0,
        name: product ? store.displayName('product.product', product) : false,
        date_planned: now,
      };
    },
    constrain: lineConstraint('purchase.order.line'),
    dependents: linesParent('purchase.order'),
  }),
};

export function modelSpec(model: string): ModelSpec | undefined {
  return Object.hasOwn(MODELS, model) ? MODELS[model] : undefined;
}
