import { pricelistItemKey } from '../../sync/inbound/product/pricelist-items';
import { productInbound } from '../../sync/inbound/product/spec';
import { purchaseOrderInbound } from '../../sync/inbound/purchase-order/spec';
import { priceRecordSchema, productRecordSchema } from '../../sync/inbound/product/record';
import { purchaseOrderRecordSchema } from '../../sync/inbound/purchase-order/record';
import { saleOrderRecordSchema } from '../../sync/inbound/sale-order/record';
import { stockRecordSchema } from '../../sync/inbound/stock/record';
import { saleOrderInbound } from '../../sync/inbound/sale-order/spec';
import { stockInbound } from '../../sync/inbound/stock/spec';

const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message }));

describe('product record', () => {
  const valid = {
    external_id: 'PR-1',
    odoo_id: 12,
    context: 'retail',
    name: 'Chair',
    default_code: 'CH-1',
    barcode: false,
    active: false,
    list_price: 49.5,
    write_date: '2026-11-01 10:00:00',
    x_custom: { color: 'red' },
    prices: [
      { pricelist_id: 3, price: 45, min_quantity: 1, date_start: false, date_end: false, is_promo: false },
      { pricelist_id: 'promo', price: 39.9, date_start: '2026-12-01', date_end: '2026-12-31', is_action: true },
    ],
    purchase_orders: [{ name: 'PO001', lines: [{ product_external_id: 'PR-1', quantity: 10 }] }],
  };

  it('parses a full record, keeping unknown fields and reading Odoo `false` as no value', () => {
    const r = productRecordSchema.parse(valid);
    expect(r).toMatchObject({ external_id: 'PR-1', barcode: null, active: false, x_custom: { color: 'red' } });
    expect(r.write_date?.toISOString()).toBe('2026-11-01T10:00:00.000Z');
    expect(r.prices[0]).toMatchObject({ pricelist_id: '3', min_quantity: 1, date_start: null, is_promo: false });
    expect(r.prices[1]).toMatchObject({ pricelist_id: 'promo', min_quantity: 0, is_promo: false, is_action: true });
    expect(r.purchase_orders[0]?.lines[0]).toMatchObject({ product_external_id: 'PR-1', quantity: 10 });
  });

  it('reads absent or `false` lists as empty and an absent `active` as unknown', () => {
    const r = productRecordSchema.parse({ external_id: 'PR-2', prices: false, purchase_orders: null });
    expect(r).toMatchObject({ prices: [], purchase_orders: [], active: null, name: null });
    expect(productRecordSchema.parse({ external_id: 'PR-3' }).prices).toEqual([]);
  });

  it('names the path of a problem inside a price or an embedded order', () => {
    const result = productRecordSchema.safeParse({
      external_id: 'PR-1',
      prices: [{ pricelist_id: 1, price: 2 }, { pricelist_id: 1 }],
      purchase_orders: [{ lines: [{ product_external_id: 'PR-1', quantity: 'ten' }] }],
    });
    expect(issuesOf(result)).toEqual([
      { path: 'prices.1.price', message: 'is required' },
      { path: 'purchase_orders.0.name', message: 'is required' },
      { path: 'purchase_orders.0.lines.0.quantity', message: 'must be a number' },
    ]);
  });

  it('rejects a missing external id, a bad pricelist id and a list that is not a list', () => {
    expect(issuesOf(productRecordSchema.safeParse({ name: 'x' }))[0]?.path).toBe('external_id');
    for (const pricelistId of [true, 1.5]) {
      expect(issuesOf(priceRecordSchema.safeParse({ pricelist_id: pricelistId, price: 1 }))).toEqual([
        { path: 'pricelist_id', message: 'must be a pricelist id: a positive integer or a string' },
      ]);
    }
    expect(issuesOf(priceRecordSchema.safeParse({ pricelist_id: -1, price: 1 }))).toEqual([
      { path: 'pricelist_id', message: 'must be positive' },
    ]);
    expect(issuesOf(priceRecordSchema.safeParse({ pricelist_id: ' ', price: 1 }))).toEqual([
      { path: 'pricelist_id', message: 'must not be empty' },
    ]);
    expect(issuesOf(productRecordSchema.safeParse({ external_id: 'PR-1', prices: 'none' }))).toEqual([
      { path: 'prices', message: 'must be a list' },
    ]);
  });

  it('maps onto the product columns, comparing neither prices nor embedded orders', () => {
    const r = productRecordSchema.parse(valid);
    expect(productInbound.externalIdOf(r)).toBe('PR-1');
    expect(productInbound.columnsOf(r)).toEqual({
      context: 'retail',
      name: 'Chair',
      defaultCode: 'CH-1',
      barcode: null,
      active: false,
      listPrice: 49.5,
    });
    expect(productInbound.diffIgnore).toEqual(['write_date', 'prices', 'purchase_orders']);
    expect(productInbound.dependenciesOf).toBeUndefined();
  });
});

describe('pricelist item key', () => {
  const price = (extra: Record<string, unknown>) => priceRecordSchema.parse({ pricelist_id: 3, price: 10, ...extra });

  it('identifies an item by pricelist, product, minimum quantity and validity dates, not by price', () => {
    const key = pricelistItemKey('PR-1', price({ date_start: '2026-12-01' }));
    expect(pricelistItemKey('PR-1', price({ date_start: '2026-12-01 00:00:00', price: 12 }))).toBe(key);
    expect(pricelistItemKey('PR-1', price({ date_start: '2026-12-01', min_quantity: 5 }))).not.toBe(key);
    expect(pricelistItemKey('PR-2', price({ date_start: '2026-12-01' }))).not.toBe(key);
    expect(pricelistItemKey('PR-1', price({ date_start: '2026-12-01', date_end: '2026-12-31' }))).not.toBe(key);
    expect(pricelistItemKey('PR-1', price({ pricelist_id: '3', date_start: '2026-12-01' }))).toBe(key);
  });

  it('spells the stored key exactly as the JSON array it always was', () => {
    // Stored keys are looked up by this text: its spelling must never change.
    expect(pricelistItemKey('PR-1', price({ date_start: '2026-12-01', min_quantity: 2.5 }))).toBe(
      '["3","PR-1",2.5,"2026-12-01T00:00:00.000Z",null]',
    );
    const arrayForm = (product: string, p: ReturnType<typeof price>) =>
      JSON.stringify([
        p.pricelist_id,
        product,
        p.min_quantity,
        p.date_start?.toISOString() ?? null,
        p.date_end?.toISOString() ?? null,
      ]);
    const cases: [string, Record<string, unknown>][] = [
      ['PR-1', {}],
      ['a"b\\c', { pricelist_id: 'q"uo\\te', min_quantity: 1e21 }],
      ['caf\u00e9-\u{1F600}', { pricelist_id: 'x\u2028y', min_quantity: -0, date_end: '2026-11-01 10:00:00.5' }],
      ['PR-9', { min_quantity: 0.1 + 0.2, date_start: '1000-01-01', date_end: '9999-12-31T23:59:59.999Z' }],
    ];
    for (const [product, extra] of cases) {
      const p = price(extra);
      expect(pricelistItemKey(product, p)).toBe(arrayForm(product, p));
    }
  });

  it('stays within the column when the ids are long', () => {
    const key = pricelistItemKey('P'.repeat(191), price({ pricelist_id: 'L'.repeat(64) }));
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pricelistItemKey('P'.repeat(191), price({ pricelist_id: 'M'.repeat(64) }))).not.toBe(key);
  });
});

describe('sale order record', () => {
  const valid = {
    external_id: 'SO-1',
    partner_external_id: 'P-1',
    name: 'S00001',
    state: 'sale',
    date_order: '2026-11-02T08:00:00+01:00',
    currency: 'EUR',
    amount_total: 120.5,
    lines: [
      { product_external_id: 'PR-1', quantity: 2, price_unit: 50, discount: false },
      { product_external_id: 'PR-2', quantity: 1 },
      { product_external_id: 'PR-1', quantity: 3 },
    ],
  };

  it('maps onto an inbound order row', () => {
    const r = saleOrderRecordSchema.parse(valid);
    expect(r.lines[0]).toMatchObject({ discount: null, price_unit: 50 });
    expect(saleOrderInbound.rowScope).toEqual({ direction: 'inbound' });
    expect(saleOrderInbound.columnsOf(r)).toEqual({
      direction: 'inbound',
      name: 'S00001',
      partnerExternalId: 'P-1',
      state: 'sale',
      dateOrder: new Date('2026-11-02T07:00:00Z'),
      currency: 'EUR',
      amountTotal: 120.5,
    });
  });

  it('needs its partner and every product of its lines, each once', () => {
    expect(saleOrderInbound.dependenciesOf?.(valid)).toEqual([
      { entityType: 'partner', externalId: 'P-1' },
      { entityType: 'product', externalId: 'PR-1' },
      { entityType: 'product', externalId: 'PR-2' },
    ]);
    expect(saleOrderInbound.dependenciesOf?.({ partner_external_id: 'P-1', lines: false })).toEqual([
      { entityType: 'partner', externalId: 'P-1' },
    ]);
  });

  it('requires the partner, and a product and quantity on every line', () => {
    const result = saleOrderRecordSchema.safeParse({
      external_id: 'SO-2',
      lines: [{ product_external_id: 'PR-1' }, { quantity: 1 }],
    });
    expect(issuesOf(result).map((i) => i.path)).toEqual([
      'partner_external_id',
      'lines.0.quantity',
      'lines.1.product_external_id',
    ]);
    expect(
      saleOrderRecordSchema.parse({ external_id: 'SO-3', partner_external_id: 'P-1', lines: false }).lines,
    ).toEqual([]);
  });
});

describe('stock record', () => {
  it('is keyed by supplier and product', () => {
    const r = stockRecordSchema.parse({ supplier_external_id: 'S-1', product_external_id: 'PR-1', quantity: 4 });
    expect(stockInbound.externalIdOf(r)).toBe('S-1/PR-1');
    expect(stockInbound.columnsOf(r)).toEqual({
      supplierExternalId: 'S-1',
      productExternalId: 'PR-1',
      quantity: 4,
      purchasePrice: null,
      salePrice: null,
    });
    expect(stockInbound.dependenciesOf).toBeUndefined();
  });

  it('requires supplier, product and quantity, and keeps the key unambiguous and within its column', () => {
    expect(issuesOf(stockRecordSchema.safeParse({ supplier_external_id: 'S-1' }))).toEqual([
      { path: 'product_external_id', message: expect.any(String) },
      { path: 'quantity', message: 'is required' },
    ]);
    expect(
      issuesOf(stockRecordSchema.safeParse({ supplier_external_id: 'S/1', product_external_id: 'P', quantity: 1 })),
    ).toEqual([{ path: 'supplier_external_id', message: "must not contain '/'" }]);
    expect(
      issuesOf(
        stockRecordSchema.safeParse({
          supplier_external_id: 'S'.repeat(100),
          product_external_id: 'P'.repeat(100),
          quantity: 1,
        }),
      ),
    ).toEqual([
      {
        path: 'product_external_id',
        message: 'supplier and product external ids together must be at most 190 characters',
      },
    ]);
  });
});

describe('purchase order record', () => {
  it('is known by its external id, or by its name when it has none', () => {
    const withId = purchaseOrderRecordSchema.parse({ name: 'PO001', external_id: 'po_1' });
    const withoutId = purchaseOrderRecordSchema.parse({ name: ' PO002 ', external_id: false });
    expect(purchaseOrderInbound.externalIdOf(withId)).toBe('po_1');
    expect(purchaseOrderInbound.externalIdOf(withoutId)).toBe('PO002');
  });

  it('requires a name and a product and quantity on every line', () => {
    expect(issuesOf(purchaseOrderRecordSchema.safeParse({ external_id: 'po_1' }))).toEqual([
      { path: 'name', message: 'is required' },
    ]);
    expect(issuesOf(purchaseOrderRecordSchema.safeParse({ name: '  ' }))).toEqual([
      { path: 'name', message: 'must not be empty' },
    ]);
    const result = purchaseOrderRecordSchema.safeParse({ name: 'PO1', lines: [{ product_external_id: 'PR-1' }] });
    expect(issuesOf(result)).toEqual([{ path: 'lines.0.quantity', message: 'is required' }]);
  });

  it('maps onto its row and needs every product of its lines', () => {
    const data = {
      name: 'PO001',
      vendor_external_id: 'V-1',
      state: 'purchase',
      created_by: false,
      order_date: '2026-11-01 09:00:00',
      lines: [
        { product_external_id: 'PR-1', quantity: 10, qty_received: 4, replied_by_vendor: false },
        { product_external_id: 'PR-2', quantity: 1 },
        { product_external_id: 'PR-1', quantity: 2 },
      ],
    };
    const r = purchaseOrderRecordSchema.parse(data);
    expect(r.lines[0]).toMatchObject({ qty_received: 4, replied_by_vendor: false, date_planned: null });
    expect(r.lines[1]).toMatchObject({ replied_by_vendor: null });
    expect(purchaseOrderInbound.columnsOf(r)).toEqual({
      name: 'PO001',
      vendorExternalId: 'V-1',
      state: 'purchase',
      createdBy: null,
      orderDate: new Date('2026-11-01T09:00:00Z'),
    });
    expect(purchaseOrderInbound.dependenciesOf?.(data)).toEqual([
      { entityType: 'product', externalId: 'PR-1' },
      { entityType: 'product', externalId: 'PR-2' },
    ]);
    expect(purchaseOrderInbound.dependenciesOf?.({ name: 'PO2' })).toEqual([]);
  });
});
