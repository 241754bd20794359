import type {
  OdooOrderVersion,
  OrderLineVersion as MergeLine,
  OrderVersion,
  SyncConflict,
} from '../../entities/sale-order';

export type { MergeLine, OdooOrderVersion, OrderVersion };

/** How one difference was settled without a person: the rules, stated (and counted by rule). */
export type MergeRule =
  /** Changed on the webshop only: written to Odoo. */
  | 'webshop_only'
  /** Changed in Odoo only: Odoo's value stands, and the webshop learns it from the outbound feed. */
  | 'odoo_only'
  /** Changed on both sides to the same value. */
  | 'same_change'
  /** Amounts changed on both sides that differ by less than 0.01: equal. */
  | 'amount_tolerance'
  /** A line added in Odoo is kept alongside the webshop's lines. */
  | 'odoo_line_kept';

export interface MergeResolution {
  rule: MergeRule;
  field: string;
  webshop: unknown;
  odoo: unknown;
}

/** One change for the Odoo order: header values, and the order lines as one2many commands. */
export interface OdooOrderWrite {
  header: { partner?: string; date_order?: string | null };
  /** [0, 0, values] add, [1, id, values] update, [2, id] remove. */
  lines: LineCommand[];
}

export type LineCommand =
  | [0, 0, { product: string; quantity: number; price_unit: number | null; discount: number | null }]
  | [1, number, Partial<Pick<MergeLine, 'quantity' | 'price_unit' | 'discount'>>]
  | [2, number];

export interface MergePlan {
  /** Null when Odoo needs no change. */
  write: OdooOrderWrite | null;
  /** Both sides changed the same thing differently, or Odoo's order cannot take the webshop's change. */
  conflicts: SyncConflict[];
  resolutions: MergeResolution[];
}

export interface MergeInput {
  /** The webshop's version now, and as it was when the order was last in sync. */
  webshop: OrderVersion;
  webshopBase: OrderVersion;
  /** Odoo's version now, and as it was when the order was last in sync. */
  odoo: OdooOrderVersion;
  odooBase: OrderVersion;
  /** Fields an operator decided for the webshop: written even where Odoo's state would refuse them. */
  forced?: readonly string[];
}

const AMOUNT_TOLERANCE = 0.01;
const AMOUNT_FIELDS = new Set(['price_unit', 'discount']);

/**
 * Why Odoo's order cannot take a webshop change now, or undefined when it can: a quotation, or a confirmed order
 * with nothing delivered or invoiced.
 */
export function writeRefusal(odoo: Pick<OdooOrderVersion, 'state' | 'invoice_status' | 'lines'>): string | undefined {
  if (odoo.state === 'cancel') return 'the order is cancelled in Odoo';
  if (odoo.state === 'done') return 'the order is locked in Odoo';
  if (odoo.invoice_status === 'invoiced') return 'the order is invoiced in Odoo';
  if (odoo.lines.some((l) => l.qty_delivered > 0)) return 'the order is (partly) delivered in Odoo';
  return undefined;
}

type Value = string | number | null;

/** `field`: a name (`price_unit`) or a path ending in one (`lines[A].price_unit`). */
function equal(a: Value | undefined, b: Value | undefined, field: string): boolean {
  if (typeof a === 'number' && typeof b === 'number' && AMOUNT_FIELDS.has(field.slice(field.lastIndexOf('.') + 1))) {
    return Math.abs(a - b) < AMOUNT_TOLERANCE - 1e-9;
  }
  return (a ?? null) === (b ?? null);
}

/** Lines by a key that tells two lines of one product apart: `<product>#<n>`, n counting from 1 in line order. */
export function keyedLines<L extends MergeLine>(lines: readonly L[]): Map<string, L> {
  const seen = new Map<string, number>();
  const keyed = new Map<string, L>();
  for (const line of lines) {
    const n = (seen.get(line.product) ?? 0) + 1;
    seen.set(line.product, n);
    keyed.set(`${line.product}#${n}`, line);
  }
  return keyed;
}

/** The field name a conflict or resolution uses for a line: `lines[<product>]`, `lines[<product>#2]` for a second. */
function lineField(key: string, attribute?: string): string {
  const name = key.endsWith('#1') ? key.slice(0, -2) : key;
  return attribute ? `lines[${name}].${attribute}` : `lines[${name}]`;
}

const LINE_ATTRIBUTES = ['quantity', 'price_unit', 'discount'] as const;

/**
 * The three-way merge of a webshop order with its Odoo order. Each side's changes are found against that side's
 * own version from when the order was last in sync (so an Odoo edit the webshop has not taken up is never mistaken
 * for a webshop change back). Changes on one side only go to the other; different fields changed on both sides
 * are merged; the same field changed on both follows the rules (equal values, amounts within 0.01, lines added in
 * Odoo kept); anything else is a conflict, as is a webshop change that Odoo's order can no longer take.
 */
export function planMerge(input: MergeInput): MergePlan {
  const { webshop, webshopBase, odoo, odooBase } = input;
  const forced = new Set(input.forced ?? []);
  const refusal = writeRefusal(odoo);
  const plan: MergePlan = { write: null, conflicts: [], resolutions: [] };
  const write: OdooOrderWrite = { header: {}, lines: [] };

  /** A webshop change for Odoo: written, unless Odoo's order cannot take it (a conflict naming why). */
  const toOdoo = (field: string, webshopValue: unknown, odooValue: unknown, apply: () => void) => {
    if (refusal && !forced.has(field)) {
      plan.conflicts.push({ field, webshop: webshopValue, odoo: odooValue });
      return;
    }
    apply();
    plan.resolutions.push({ rule: 'webshop_only', field, webshop: webshopValue, odoo: odooValue });
  };

  /** One value: which side changed it since the last sync decides. */
  const settle = (field: string, w: Value, wb: Value, o: Value, ob: Value, apply: () => void) => {
    const webshopChanged = !equal(w, wb, field);
    const odooChanged = !equal(o, ob, field);
    if (!webshopChanged && !odooChanged) return;
    if (webshopChanged && !odooChanged) {
      if (equal(w, o, field)) return;
      if (forced.has(`${field}:odoo`)) return;
      return toOdoo(field, w, o, apply);
    }
    if (!webshopChanged) {
      plan.resolutions.push({ rule: 'odoo_only', field, webshop: w, odoo: o });
      return;
    }
    if ((w ?? null) === (o ?? null)) {
      plan.resolutions.push({ rule: 'same_change', field, webshop: w, odoo: o });
    } else if (equal(w, o, field)) {
      plan.resolutions.push({ rule: 'amount_tolerance', field, webshop: w, odoo: o });
    } else if (forced.has(field)) {
      toOdoo(field, w, o, apply);
    } else if (!forced.has(`${field}:odoo`)) {
      plan.conflicts.push({ field, webshop: w, odoo: o });
    }
  };

  settle('partner_external_id', webshop.partner, webshopBase.partner, odoo.partner, odooBase.partner, () => {
    write.header.partner = webshop.partner;
  });
  settle('date_order', webshop.date_order, webshopBase.date_order, odoo.date_order, odooBase.date_order, () => {
    write.header.date_order = webshop.date_order;
  });
  mergeLines(input, plan, write, settle, toOdoo);

  if (write.lines.length || Object.keys(write.header).length) plan.write = write;
  return plan;
}

function mergeLines(
  input: MergeInput,
  plan: MergePlan,
  write: OdooOrderWrite,
  settle: (field: string, w: Value, wb: Value, o: Value, ob: Value, apply: () => void) => void,
  toOdoo: (field: string, webshopValue: unknown, odooValue: unknown, apply: () => void) => void,
): void {
  const w = keyedLines(input.webshop.lines);
  const wb = keyedLines(input.webshopBase.lines);
  const o = keyedLines(input.odoo.lines);
  const ob = keyedLines(input.odooBase.lines);
  const forced = new Set(input.forced ?? []);
  // A line Odoo cannot delete (its order is confirmed) is emptied instead, as Odoo's own form does.
  const removeCommand = (line: { odoo_line_id: number }): LineCommand =>
    input.odoo.state === 'draft' || input.odoo.state === 'sent'
      ? [2, line.odoo_line_id]
      : [1, line.odoo_line_id, { quantity: 0 }];
  const keys = [...new Set([...wb.keys(), ...w.keys(), ...ob.keys(), ...o.keys()])];

  for (const key of keys) {
    const field = lineField(key);
    const [wl, wbl, ol, obl] = [w.get(key), wb.get(key), o.get(key), ob.get(key)];
    const webshopChanged = !sameLine(wl, wbl);
    const odooChanged = !sameLine(ol, obl);
    if (!webshopChanged && !odooChanged) continue;

    if (wl && wbl && ol && obl) {
      // The line is on all four: its values, one by one.
      for (const attribute of LINE_ATTRIBUTES) {
        settle(lineField(key, attribute), wl[attribute], wbl[attribute], ol[attribute], obl[attribute], () =>
          write.lines.push([1, ol.odoo_line_id, { [attribute]: wl[attribute] }]),
        );
      }
      continue;
    }
    if (!webshopChanged) {
      // Only Odoo changed the line's existence: added there (kept alongside the webshop's) or removed there.
      const rule = ol && !obl ? 'odoo_line_kept' : 'odoo_only';
      plan.resolutions.push({ rule, field, webshop: wl ?? null, odoo: plain(ol) });
      continue;
    }
    if (!odooChanged) {
      // Only the webshop changed it: added, removed, or changed while Odoo's line stayed as it was.
      if (wl && !ol) {
        toOdoo(field, wl, null, () =>
          write.lines.push([
            0,
            0,
            { product: wl.product, quantity: wl.quantity, price_unit: wl.price_unit, discount: wl.discount },
          ]),
        );
      } else if (!wl && ol) {
        toOdoo(field, null, plain(ol), () => write.lines.push(removeCommand(ol)));
      } else if (wl && ol) {
        for (const attribute of LINE_ATTRIBUTES) {
          if (equal(wl[attribute], ol[attribute], attribute)) continue;
          toOdoo(lineField(key, attribute), wl[attribute], ol[attribute], () =>
            write.lines.push([1, ol.odoo_line_id, { [attribute]: wl[attribute] }]),
          );
        }
      }
      continue;
    }
    // Both sides changed the line's existence (added on both, removed on both, removed on one and changed on the other).
    if (sameLine(wl, ol)) {
      plan.resolutions.push({ rule: 'same_change', field, webshop: wl ?? null, odoo: plain(ol) });
    } else if (forced.has(field) && wl && ol) {
      toOdoo(field, wl, plain(ol), () => write.lines.push([1, ol.odoo_line_id, lineValues(wl)]));
    } else if (forced.has(field) && wl) {
      toOdoo(field, wl, null, () => write.lines.push([0, 0, { ...lineValues(wl), product: wl.product }]));
    } else if (forced.has(field) && ol) {
      toOdoo(field, null, plain(ol), () => write.lines.push(removeCommand(ol)));
    } else if (!forced.has(`${field}:odoo`)) {
      plan.conflicts.push({ field, webshop: wl ?? null, odoo: plain(ol) });
    }
  }
}

function lineValues(line: MergeLine): { quantity: number; price_unit: number | null; discount: number | null } {
  return { quantity: line.quantity, price_unit: line.price_unit, discount: line.discount };
}

/** A line as a conflict or resolution shows it (without Odoo's bookkeeping). */
function plain(line: MergeLine | undefined): MergeLine | null {
  return line ? { product: line.product, ...lineValues(line) } : null;
}

function sameLine(a: MergeLine | undefined, b: MergeLine | undefined): boolean {
  if (!a || !b) return a === b;
  return LINE_ATTRIBUTES.every((attribute) => equal(a[attribute], b[attribute], attribute));
}
