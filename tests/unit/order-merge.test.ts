import {
  keyedLines,
  planMerge,
  writeRefusal,
  type MergeInput,
  type OdooOrderVersion,
  type OrderVersion,
} from '../../sync/sync-back/order-merge';

const line = (product: string, quantity: number, price_unit: number | null = 10, discount: number | null = null) => ({
  product,
  quantity,
  price_unit,
  discount,
});

const base: OrderVersion = {
  partner: 'P-1',
  date_order: '2026-11-01T10:00:00.000Z',
  lines: [line('A', 1), line('B', 2)],
};

/** Odoo's order as the base, each line with its Odoo id (A: 101, B: 102). */
function odooOf(version: OrderVersion, extra: Partial<OdooOrderVersion> = {}, delivered = 0): OdooOrderVersion {
  return {
    ...version,
    lines: version.lines.map((l, i) => ({ ...l, odoo_line_id: 101 + i, qty_delivered: i === 0 ? delivered : 0 })),
    state: 'draft',
    invoice_status: null,
    amount_total: null,
    delivery_status: delivered ? 'partial' : 'nothing',
    ...extra,
  };
}

function input(over: Partial<MergeInput>): MergeInput {
  return { webshop: base, webshopBase: base, odoo: odooOf(base), odooBase: base, ...over };
}

describe('planMerge: the three-way merge of a webshop order with its Odoo order', () => {
  it('changes nothing when neither side changed', () => {
    expect(planMerge(input({}))).toEqual({ write: null, conflicts: [], resolutions: [] });
  });

  it('writes a webshop change of a line quantity to its Odoo line', () => {
    const plan = planMerge(input({ webshop: { ...base, lines: [line('A', 3), line('B', 2)] } }));
    expect(plan.write).toEqual({ header: {}, lines: [[1, 101, { quantity: 3 }]] });
    expect(plan.conflicts).toEqual([]);
    expect(plan.resolutions).toEqual([{ rule: 'webshop_only', field: 'lines[A].quantity', webshop: 3, odoo: 1 }]);
  });

  it('adds a new webshop line, removes a dropped one (a quotation deletes it, a confirmed order empties it)', () => {
    const webshop = { ...base, lines: [line('A', 1), line('C', 5, 7.5)] };
    expect(planMerge(input({ webshop })).write!.lines).toEqual([
      [2, 102],
      [0, 0, { product: 'C', quantity: 5, price_unit: 7.5, discount: null }],
    ]);
    const confirmed = planMerge(input({ webshop, odoo: odooOf(base, { state: 'sale' }) }));
    expect(confirmed.write!.lines).toEqual([
      [1, 102, { quantity: 0 }],
      [0, 0, { product: 'C', quantity: 5, price_unit: 7.5, discount: null }],
    ]);
  });

  it('writes a header change (partner, order date)', () => {
    const plan = planMerge(input({ webshop: { ...base, partner: 'P-2', date_order: '2026-11-02T00:00:00.000Z' } }));
    expect(plan.write).toEqual({ header: { partner: 'P-2', date_order: '2026-11-02T00:00:00.000Z' }, lines: [] });
  });

  it('merges changes to different fields: Odoo keeps its date, the webshop line goes to Odoo', () => {
    const odoo = odooOf({ ...base, date_order: '2026-11-05T08:00:00.000Z' });
    const plan = planMerge(input({ webshop: { ...base, lines: [line('A', 1), line('B', 4)] }, odoo }));
    expect(plan.write).toEqual({ header: {}, lines: [[1, 102, { quantity: 4 }]] });
    expect(plan.conflicts).toEqual([]);
    expect(plan.resolutions.map((r) => [r.rule, r.field])).toEqual([
      ['odoo_only', 'date_order'],
      ['webshop_only', 'lines[B].quantity'],
    ]);
  });

  it("puts the same line's quantity changed on both sides in conflict, with both values, and writes nothing", () => {
    const odoo = odooOf({ ...base, lines: [line('A', 6), line('B', 2)] });
    const plan = planMerge(input({ webshop: { ...base, lines: [line('A', 3), line('B', 2)] }, odoo }));
    expect(plan.write).toBeNull();
    expect(plan.conflicts).toEqual([{ field: 'lines[A].quantity', webshop: 3, odoo: 6 }]);
  });

  it('takes amounts that differ by less than 0.01 as equal; 0.01 or more is a conflict', () => {
    const odoo = odooOf({ ...base, lines: [line('A', 1, 12.004), line('B', 2)] });
    const close = planMerge(input({ webshop: { ...base, lines: [line('A', 1, 12), line('B', 2)] }, odoo }));
    expect(close.conflicts).toEqual([]);
    expect(close.resolutions).toEqual([
      { rule: 'amount_tolerance', field: 'lines[A].price_unit', webshop: 12, odoo: 12.004 },
    ]);
    const far = planMerge(input({ webshop: { ...base, lines: [line('A', 1, 12.02), line('B', 2)] }, odoo }));
    expect(far.conflicts).toEqual([{ field: 'lines[A].price_unit', webshop: 12.02, odoo: 12.004 }]);
  });

  it("keeps a line added in Odoo alongside the webshop's own new line", () => {
    const odoo = odooOf({ ...base, lines: [...base.lines, line('X', 1, 3)] });
    const plan = planMerge(input({ webshop: { ...base, lines: [...base.lines, line('C', 2)] }, odoo }));
    expect(plan.conflicts).toEqual([]);
    expect(plan.write!.lines).toEqual([[0, 0, { product: 'C', quantity: 2, price_unit: 10, discount: null }]]);
    expect(plan.resolutions.map((r) => [r.rule, r.field])).toEqual([
      ['webshop_only', 'lines[C]'],
      ['odoo_line_kept', 'lines[X]'],
    ]);
  });

  it('is idempotent: once a write landed (its answer lost), planning again from the old bases writes nothing', () => {
    const webshop = { ...base, lines: [line('A', 3), line('C', 1)] };
    const first = planMerge(input({ webshop }));
    expect(first.write).not.toBeNull();
    // Odoo after the write: A is 3, B removed, C added.
    const landed = odooOf({ ...base, lines: [line('A', 3), line('C', 1)] });
    const again = planMerge(input({ webshop, odoo: landed }));
    expect(again.write).toBeNull();
    expect(again.conflicts).toEqual([]);
  });

  it("refuses a webshop change once Odoo's order is delivered: a conflict naming the field", () => {
    const odoo = odooOf(base, { state: 'sale' }, 1);
    const webshop = { ...base, lines: [line('A', 1), line('B', 5)] };
    const plan = planMerge(input({ webshop, odoo }));
    expect(plan.write).toBeNull();
    expect(plan.conflicts).toEqual([{ field: 'lines[B].quantity', webshop: 5, odoo: 2 }]);
    expect(writeRefusal(odoo)).toBe('the order is (partly) delivered in Odoo');
  });

  it("follows an operator's decision: kept for the webshop is written, kept for Odoo is dropped", () => {
    const odoo = odooOf({ ...base, lines: [line('A', 6), line('B', 2)] });
    const webshop = { ...base, lines: [line('A', 3), line('B', 2)] };
    const forWebshop = planMerge(input({ webshop, odoo, forced: ['lines[A].quantity'] }));
    expect(forWebshop.conflicts).toEqual([]);
    expect(forWebshop.write).toEqual({ header: {}, lines: [[1, 101, { quantity: 3 }]] });
    const forOdoo = planMerge(input({ webshop, odoo, forced: ['lines[A].quantity:odoo'] }));
    expect(forOdoo).toEqual({ write: null, conflicts: [], resolutions: [] });
  });

  it('tells two lines of one product apart by their order', () => {
    expect([...keyedLines([line('A', 1), line('B', 1), line('A', 2)]).keys()]).toEqual(['A#1', 'B#1', 'A#2']);
    const twice = { ...base, lines: [line('A', 1), line('A', 2)] };
    const plan = planMerge(
      input({
        webshop: { ...twice, lines: [line('A', 1), line('A', 5)] },
        webshopBase: twice,
        odoo: odooOf(twice),
        odooBase: twice,
      }),
    );
    expect(plan.write).toEqual({ header: {}, lines: [[1, 102, { quantity: 5 }]] });
    expect(plan.resolutions[0]!.field).toBe('lines[A#2].quantity');
  });
});
