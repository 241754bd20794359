import type { MikroORM, RequiredEntityData } from '@mikro-orm/core';
import type { AbstractSqlConnection, EntityManager } from '@mikro-orm/knex';
import { PricelistItemSchema } from '../../entities/pricelist-item';
import { ProductSchema } from '../../entities/product';
import { PurchaseOrderLineSchema, PurchaseOrderSchema } from '../../entities/purchase-order';
import { SaleOrderLineSchema, SaleOrderSchema, type SaleOrder } from '../../entities/sale-order';
import { StockSchema } from '../../entities/stock';
import { useServiceFixture } from '../support/fixtures';
import { eventually, type TestService } from '../support/service-harness';

jest.setTimeout(240_000);

/** The SQL of every transaction run while `action` runs, one list per transaction. */
async function transactionsDuring(orm: MikroORM, action: () => Promise<unknown>): Promise<string[][]> {
  const knex = (orm.em.getConnection() as AbstractSqlConnection).getKnex();
  const byTransaction = new Map<string, string[]>();
  const listener = (query: { sql: string; __knexTxId?: string }) => {
    if (!query.__knexTxId) return;
    byTransaction.set(query.__knexTxId, [...(byTransaction.get(query.__knexTxId) ?? []), query.sql]);
  };
  knex.on('query', listener);
  try {
    await action();
  } finally {
    knex.off('query', listener);
  }
  return [...byTransaction.values()];
}

const isWrite = (sql: string) => /^\s*(insert|update|delete|replace)\b/i.test(sql);

/** A processed webshop order, written directly: the outbound path is not part of these pushes. */
function outboundOrder(externalId: string, now: Date): RequiredEntityData<SaleOrder> {
  return {
    externalId,
    direction: 'outbound',
    odooId: null,
    data: { external_id: externalId, partner_external_id: 'P-SO' },
    previousData: null,
    changedFields: ['external_id', 'partner_external_id'],
    unackedChangedFields: ['external_id', 'partner_external_id'],
    processingState: 'processed',
    errorMessage: null,
    retryCount: 0,
    isNew: true,
    sourceWriteDate: null,
    changedAt: now,
    feedPending: true,
    acknowledgedAt: null,
    servedAt: null,
    stubCreatedAt: null,
    createdAt: now,
    updatedAt: now,
    name: null,
    partnerExternalId: 'P-SO',
    state: null,
    dateOrder: null,
    currency: null,
    amountTotal: null,
    syncState: 'synced',
    syncAttempts: 1,
    lastSyncError: null,
  };
}

describe('inbound products, sale orders, stock and purchase orders', () => {
  let service: TestService;
  let odoo: string;
  let webshop: string;

  useServiceFixture({
    env: { FEED_SETTLE_WINDOW: '50ms' },
    tokens: ['odoo', 'webshop'],
    ready: (f) => ({ service, odoo, webshop } = f),
  });

  const em = () => service.resources.orm.em.fork() as EntityManager;
  const push = (path: string, body: unknown) => service.request('POST', `/api/v1/${path}`, { token: odoo, body });
  const workflow = (id: string) => service.resources.temporal.client.workflow.getHandle(id);
  const processed = async (id: string) => {
    await workflow(id).result();
    const description = await workflow(id).describe();
    return { runId: description.runId, historyLength: description.historyLength };
  };
  const until = <T>(what: string, check: () => Promise<T | undefined | false>) =>
    eventually(async () => (await check()) || undefined, 60_000, what);
  const pricesOf = (productExternalId: string) =>
    em().find(PricelistItemSchema, { productExternalId }, { orderBy: { pricelistId: 'asc', minQuantity: 'asc' } });
  const purchaseOrder = (externalId: string) => em().findOneOrFail(PurchaseOrderSchema, { externalId });
  const purchaseOrderLines = async (externalId: string) =>
    em().find(
      PurchaseOrderLineSchema,
      { purchaseOrderId: (await purchaseOrder(externalId)).id },
      { orderBy: { lineNo: 'asc' } },
    );

  describe('products', () => {
    const chair = {
      external_id: 'PR-1',
      name: 'Chair',
      list_price: 10,
      barcode: false,
      write_date: '2026-11-01 10:00:00',
      prices: [
        { pricelist_id: 1, price: 10 },
        { pricelist_id: 1, price: 9, min_quantity: 10 },
        {
          pricelist_id: 'promo',
          price: 8,
          date_start: '2026-12-01 00:00:00',
          date_end: '2026-12-31 23:59:59',
          is_promo: true,
          is_action: true,
        },
      ],
    };

    it('stores a single product and a batch, each processed by its own workflow and served by the feed', async () => {
      const single = await push('products', chair);
      expect(single.body).toEqual({ success: true, processed: 1, created: 1, updated: 0, unchanged: 0, errors: [] });
      await processed('product:PR-1');

      const batch = await push('products', {
        products: [
          { external_id: 'PR-2', name: 'Table', active: true, x_size: 'L' },
          { external_id: 'PR-3', name: 'Lamp', active: false, prices: false, purchase_orders: false },
        ],
      });
      expect(batch.body).toMatchObject({ success: true, processed: 2, created: 2 });
      await Promise.all(['PR-2', 'PR-3'].map((id) => processed(`product:${id}`)));

      const row = await em().findOneOrFail(ProductSchema, { externalId: 'PR-3' });
      expect(row).toMatchObject({ name: 'Lamp', active: false, barcode: null, processingState: 'processed' });
      const feed = await until('three products in the feed', async () => {
        const body = (await service.request('GET', '/api/v1/updated-products', { token: webshop })).body;
        return body.items.length === 3 && body;
      });
      expect(feed.items.map((i: { external_id: string }) => i.external_id).sort()).toEqual(['PR-1', 'PR-2', 'PR-3']);
      expect(feed.items.find((i: { external_id: string }) => i.external_id === 'PR-2')).toMatchObject({
        changed_fields: ['active', 'external_id', 'name', 'x_size'],
        data: { x_size: 'L' },
      });
    });

    it('stores the prices as pricelist items, every new one marked changed', async () => {
      const items = await pricesOf('PR-1');
      expect(items).toHaveLength(3);
      expect(items.map((i) => [i.pricelistId, i.minQuantity, i.price, i.previousPrice, i.priceChanged])).toEqual([
        ['1', 0, 10, null, true],
        ['1', 10, 9, null, true],
        ['promo', 0, 8, null, true],
      ]);
      expect(items[2]).toMatchObject({
        isPromo: true,
        isAction: true,
        dateStart: new Date('2026-12-01T00:00:00Z'),
        dateEnd: new Date('2026-12-31T23:59:59Z'),
        data: chair.prices[2],
      });
    });

    it('marks a price changed only when it really changed, without reprocessing the product', async () => {
      await em().nativeUpdate(PricelistItemSchema, { productExternalId: 'PR-1' }, { priceChanged: false });
      const before = await pricesOf('PR-1');
      const workflowBefore = await workflow('product:PR-1').describe();

      const prices = [
        { pricelist_id: 1, price: 10.000000000001 },
        { pricelist_id: 1, price: 8.5, min_quantity: 10 },
        chair.prices[2],
      ];
      const repush = await push('products', { ...chair, write_date: '2026-11-02 10:00:00', prices });
      expect(repush.body).toMatchObject({ processed: 1, created: 0, updated: 0, unchanged: 1 });

      const after = await pricesOf('PR-1');
      expect(after[0]).toMatchObject({ price: 10, previousPrice: null, priceChanged: false });
      expect(after[0]!.changedAt).toEqual(before[0]!.changedAt);
      expect(after[1]).toMatchObject({ price: 8.5, previousPrice: 9, priceChanged: true });
      expect(after[1]!.changedAt.getTime()).toBeGreaterThan(before[1]!.changedAt.getTime());
      expect(after[2]).toEqual(before[2]);
      const workflowAfter = await workflow('product:PR-1').describe();
      expect(workflowAfter.historyLength).toBe(workflowBefore.historyLength);
    });

    it('writes nothing and starts no workflow for an unchanged re-push', async () => {
      const before = await pricesOf('PR-1');
      const workflowBefore = await workflow('product:PR-1').describe();
      const body = {
        ...chair,
        write_date: '2026-11-03 10:00:00',
        prices: [{ pricelist_id: 1, price: 10 }, { pricelist_id: 1, price: 8.5, min_quantity: 10 }, chair.prices[2]],
      };
      let result: { body?: unknown } = {};
      const transactions = await transactionsDuring(service.resources.orm, async () => {
        result = await push('products', body);
      });
      expect(result.body).toMatchObject({ unchanged: 1 });
      const statements = transactions.flat();
      expect(statements.filter(isWrite)).toEqual([]);
      expect(statements.filter((sql) => /^\s*select/i.test(sql))).toHaveLength(2);
      expect(await pricesOf('PR-1')).toEqual(before);
      expect((await workflow('product:PR-1').describe()).historyLength).toBe(workflowBefore.historyLength);
    });

    it('ignores the prices of a product push older than the stored one', async () => {
      const before = await pricesOf('PR-1');
      const stale = await push('products', {
        ...chair,
        write_date: '2026-10-01 10:00:00',
        prices: [{ pricelist_id: 1, price: 1 }],
      });
      expect(stale.body).toMatchObject({ unchanged: 1 });
      expect(await pricesOf('PR-1')).toEqual(before);
    });
  });

  describe('purchase orders embedded in a product', () => {
    const desk = (lineQuantity: number, writeDate = '2026-11-01 10:00:00') => ({
      external_id: 'PR-E',
      name: 'Desk',
      write_date: writeDate,
      purchase_orders: [
        {
          name: 'PO-E1',
          vendor_external_id: 'V-1',
          state: 'purchase',
          order_date: '2026-10-30 09:00:00',
          write_date: writeDate,
          lines: [
            { product_external_id: 'PR-E', quantity: lineQuantity, price_unit: 120, replied_by_vendor: false },
            { product_external_id: 'PR-1', quantity: 2, qty_received: 1, date_planned: '2026-11-15 00:00:00' },
          ],
        },
        { external_id: 'po_e2', name: 'PO-E2', lines: [{ product_external_id: 'PR-E', quantity: 1 }] },
      ],
    });

    it('stores them with their lines, pending for their own workflows', async () => {
      const result = await push('products', desk(5));
      expect(result.body).toMatchObject({ success: true, created: 1 });

      const [first, second] = [await purchaseOrder('PO-E1'), await purchaseOrder('po_e2')];
      expect(first).toMatchObject({
        name: 'PO-E1',
        vendorExternalId: 'V-1',
        state: 'purchase',
        sourceProductExternalId: 'PR-E',
        orderDate: new Date('2026-10-30T09:00:00Z'),
        isNew: true,
      });
      expect(second).toMatchObject({ name: 'PO-E2', sourceProductExternalId: 'PR-E' });
      const lines = await purchaseOrderLines('PO-E1');
      expect(lines.map((l) => [l.lineNo, l.productExternalId, l.quantity, l.qtyReceived, l.priceUnit])).toEqual([
        [1, 'PR-E', 5, null, 120],
        [2, 'PR-1', 2, 1, null],
      ]);
      expect(lines[0]!.repliedByVendor).toBe(false);
      expect(lines[1]!.datePlanned).toEqual(new Date('2026-11-15T00:00:00Z'));

      await processed('purchase_order:PO-E1');
      await processed('purchase_order:po_e2');
      expect((await purchaseOrder('PO-E1')).processingState).toBe('processed');
    });

    it('leaves them untouched on an unchanged re-push, and replaces the lines of a changed one', async () => {
      const before = await purchaseOrder('PO-E1');
      const otherBefore = await purchaseOrder('po_e2');
      const linesBefore = await purchaseOrderLines('PO-E1');
      const unchanged = await push('products', desk(5, '2026-11-02 10:00:00'));
      expect(unchanged.body).toMatchObject({ unchanged: 1 });
      expect((await purchaseOrder('PO-E1')).updatedAt).toEqual(before.updatedAt);
      expect((await purchaseOrderLines('PO-E1')).map((l) => l.id)).toEqual(linesBefore.map((l) => l.id));

      const runBefore = await workflow('purchase_order:PO-E1').describe();
      const changed = await push('products', desk(7, '2026-11-03 10:00:00'));
      expect(changed.body).toMatchObject({ unchanged: 1 });
      const row = await purchaseOrder('PO-E1');
      expect(row.changedFields).toEqual(['lines.0.quantity']);
      expect((await purchaseOrderLines('PO-E1')).map((l) => [l.lineNo, l.quantity])).toEqual([
        [1, 7],
        [2, 2],
      ]);
      expect((await purchaseOrder('po_e2')).updatedAt).toEqual(otherBefore.updatedAt);
      // The earlier run has completed, so the hand-off starts a new one.
      await until(
        'a new PO-E1 run',
        async () => (await workflow('purchase_order:PO-E1').describe()).runId !== runBefore.runId,
      );
      await processed('purchase_order:PO-E1');
      expect((await purchaseOrder('PO-E1')).processingState).toBe('processed');
    });
  });

  describe('purchase orders', () => {
    const po100 = (lines: object[]) => ({ name: 'PO-100', vendor_external_id: 'V-1', external_id: false, lines });

    it('stores a single order known by its name and a batch known by external id or name', async () => {
      const single = await push('purchase-orders', po100([{ product_external_id: 'PR-1', quantity: 3 }]));
      expect(single.body).toMatchObject({ success: true, created: 1 });
      await processed('purchase_order:PO-100');
      expect(await purchaseOrder('PO-100')).toMatchObject({ name: 'PO-100', sourceProductExternalId: null });

      const batch = await push('purchase-orders', {
        purchase_orders: [
          { external_id: 'po_101', name: 'PO-101', lines: [{ product_external_id: 'PR-2', quantity: 1 }] },
          { name: 'PO-102' },
          { external_id: 'po_103', lines: [] },
        ],
      });
      expect(batch.body).toMatchObject({ success: false, processed: 2, created: 2 });
      expect(batch.body.errors).toMatchObject([
        { index: 2, external_id: 'po_103', details: [{ path: 'purchase_orders.2.name' }] },
      ]);
      expect((await purchaseOrder('po_101')).name).toBe('PO-101');
      await processed('purchase_order:po_101');
      await processed('purchase_order:PO-102');
    });

    it('replaces the lines when the order changed and keeps them when it did not', async () => {
      const changed = await push(
        'purchase-orders',
        po100([
          { product_external_id: 'PR-2', quantity: 4 },
          { product_external_id: 'PR-3', quantity: 1 },
        ]),
      );
      expect(changed.body).toMatchObject({ updated: 1 });
      const lines = await purchaseOrderLines('PO-100');
      expect(lines.map((l) => [l.lineNo, l.productExternalId, l.quantity])).toEqual([
        [1, 'PR-2', 4],
        [2, 'PR-3', 1],
      ]);
      const again = await push(
        'purchase-orders',
        po100([
          { product_external_id: 'PR-2', quantity: 4 },
          { product_external_id: 'PR-3', quantity: 1 },
        ]),
      );
      expect(again.body).toMatchObject({ unchanged: 1 });
      expect((await purchaseOrderLines('PO-100')).map((l) => l.id)).toEqual(lines.map((l) => l.id));
    });
  });

  describe('stock', () => {
    const stock = (extra: object) => ({
      supplier_external_id: 'S-1',
      product_external_id: 'PR-1',
      quantity: 5,
      ...extra,
    });
    const row = () => em().findOneOrFail(StockSchema, { externalId: 'S-1/PR-1' });

    it('stores a stock level under its supplier/product key, a new one counting as a quantity change', async () => {
      const result = await push('stocks', stock({ purchase_price: 3, write_date: '2026-11-01 10:00:00' }));
      expect(result.body).toEqual({ success: true, processed: 1, created: 1, updated: 0, unchanged: 0, errors: [] });
      await processed('stock:S-1/PR-1');
      expect(await row()).toMatchObject({
        supplierExternalId: 'S-1',
        productExternalId: 'PR-1',
        quantity: 5,
        purchasePrice: 3,
        previousQuantity: null,
        quantityChanged: true,
        processingState: 'processed',
      });
    });

    it('keeps the previous quantity and flags the change only when the quantity really changed', async () => {
      await em().nativeUpdate(StockSchema, { externalId: 'S-1/PR-1' }, { quantityChanged: false });

      const noise = await push(
        'stocks',
        stock({ quantity: 5.0000000000001, purchase_price: 3, write_date: '2026-11-02 10:00:00' }),
      );
      expect(noise.body).toMatchObject({ unchanged: 1 });
      const price = await push('stocks', stock({ purchase_price: 3.5, write_date: '2026-11-03 10:00:00' }));
      expect(price.body).toMatchObject({ updated: 1 });
      expect(await row()).toMatchObject({
        quantity: 5,
        purchasePrice: 3.5,
        previousQuantity: null,
        quantityChanged: false,
      });

      const moved = await push(
        'stocks',
        stock({ quantity: 7, purchase_price: 3.5, write_date: '2026-11-04 10:00:00' }),
      );
      expect(moved.body).toMatchObject({ updated: 1 });
      expect(await row()).toMatchObject({ quantity: 7, previousQuantity: 5, quantityChanged: true });
    });

    it('stores a batch and names the invalid records', async () => {
      const batch = await push('stocks', {
        stocks: [
          { supplier_external_id: 'S-1', product_external_id: 'PR-2', quantity: 0 },
          { supplier_external_id: 'S-2', product_external_id: 'PR-1', quantity: 12.5, sale_price: 20 },
          { supplier_external_id: 'S-2', product_external_id: 'PR-2' },
        ],
      });
      expect(batch.body).toMatchObject({ success: false, processed: 2, created: 2 });
      expect(batch.body.errors).toMatchObject([
        { index: 2, details: [{ path: 'stocks.2.quantity', message: 'is required' }] },
      ]);
      expect(await em().findOneOrFail(StockSchema, { externalId: 'S-2/PR-1' })).toMatchObject({
        quantity: 12.5,
        salePrice: 20,
        quantityChanged: true,
      });
      await processed('stock:S-1/PR-2');
    });
  });

  describe('sale orders', () => {
    const order = (lines: object[], extra: object = {}) => ({
      external_id: 'SO-1',
      name: 'S00001',
      partner_external_id: 'P-SO',
      state: 'sale',
      currency: 'EUR',
      amount_total: 35,
      date_order: '2026-11-02T08:00:00+01:00',
      lines,
      ...extra,
    });
    const inbound = () => em().findOneOrFail(SaleOrderSchema, { externalId: 'SO-1', direction: 'inbound' });
    const linesOf = async () =>
      em().find(SaleOrderLineSchema, { saleOrderId: (await inbound()).id }, { orderBy: { lineNo: 'asc' } });

    beforeAll(async () => {
      await em().insert(SaleOrderSchema, outboundOrder('SO-1', new Date(Date.now() - 60_000)));
      await push('partners', { external_id: 'P-SO', type: 'C', name: 'Buyer' });
      await processed('partner:P-SO');
    });

    it('stores an order pushed by Odoo with its lines, apart from a webshop order of the same number', async () => {
      const result = await push(
        'sale-orders',
        order([
          { product_external_id: 'PR-1', quantity: 2, price_unit: 10, discount: false },
          { product_external_id: 'PR-2', quantity: 1, price_unit: 15, discount: 10 },
        ]),
      );
      expect(result.body).toEqual({ success: true, processed: 1, created: 1, updated: 0, unchanged: 0, errors: [] });
      await processed('sale_order:SO-1');
      expect(await inbound()).toMatchObject({
        partnerExternalId: 'P-SO',
        currency: 'EUR',
        amountTotal: 35,
        dateOrder: new Date('2026-11-02T07:00:00Z'),
        processingState: 'processed',
        syncState: null,
      });
      expect(
        (await linesOf()).map((l) => [l.lineNo, l.productExternalId, l.quantity, l.priceUnit, l.discount]),
      ).toEqual([
        [1, 'PR-1', 2, 10, null],
        [2, 'PR-2', 1, 15, 10],
      ]);
      const outbound = await em().findOneOrFail(SaleOrderSchema, { externalId: 'SO-1', direction: 'outbound' });
      expect(outbound).toMatchObject({ syncState: 'synced', processingState: 'processed' });
    });

    it('replaces the lines only when the order changed', async () => {
      const before = await linesOf();
      const same = await push(
        'sale-orders',
        order([
          { product_external_id: 'PR-1', quantity: 2, price_unit: 10, discount: false },
          { product_external_id: 'PR-2', quantity: 1, price_unit: 15, discount: 10 },
        ]),
      );
      expect(same.body).toMatchObject({ unchanged: 1 });
      expect((await linesOf()).map((l) => l.id)).toEqual(before.map((l) => l.id));

      const changed = await push(
        'sale-orders',
        order([{ product_external_id: 'PR-3', quantity: 4 }], { amount_total: 40 }),
      );
      expect(changed.body).toMatchObject({ updated: 1 });
      expect((await linesOf()).map((l) => [l.lineNo, l.productExternalId, l.quantity])).toEqual([[1, 'PR-3', 4]]);
      await until('SO-1 processed again', async () => (await inbound()).processingState === 'processed');
    });

    it('stores a batch and lists an order without a partner by index', async () => {
      const batch = await push('sale-orders', {
        orders: [
          { external_id: 'SO-2', partner_external_id: 'P-SO', lines: [{ product_external_id: 'PR-2', quantity: 3 }] },
          { external_id: 'SO-3', partner_external_id: 'P-SO', lines: false },
          { external_id: 'SO-4', lines: [{ product_external_id: 'PR-1' }] },
        ],
      });
      expect(batch.body).toMatchObject({ success: false, processed: 2, created: 2 });
      expect(batch.body.errors[0]).toMatchObject({ index: 2, external_id: 'SO-4' });
      expect(batch.body.errors[0].details.map((d: { path: string }) => d.path)).toEqual([
        'orders.2.partner_external_id',
        'orders.2.lines.0.quantity',
      ]);
      await processed('sale_order:SO-2');
      await processed('sale_order:SO-3');
    });

    it('filters the feed by direction', async () => {
      type Page = { items: { external_id: string; id: number }[] };
      const feed = async (query: string) =>
        ((await service.request('GET', `/api/v1/updated-sale-orders${query}`, { token: webshop })).body as Page).items;
      const inboundItems = await until('three inbound orders in the feed', async () => {
        const items = await feed('?direction=inbound');
        return items.length === 3 && items;
      });
      expect(inboundItems.map((i) => i.external_id).sort()).toEqual(['SO-1', 'SO-2', 'SO-3']);
      const outboundItems = await feed('?direction=outbound');
      expect(outboundItems.map((i) => i.external_id)).toEqual(['SO-1']);
      expect(inboundItems.map((i) => i.id)).not.toContain(outboundItems[0]!.id);
      expect(await feed('')).toHaveLength(4);

      const bad = await service.request('GET', '/api/v1/updated-sale-orders?direction=sideways', { token: webshop });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'direction' }] });
    });
  });
});

describe('a 1,000-product batch', () => {
  // No worker: the batch's workflows are started but not run, so nothing else touches the rows or their
  // histories while the re-push is measured.
  let service: TestService;
  let odoo: string;

  useServiceFixture({ withWorker: false, tokens: ['odoo'], ready: (f) => ({ service, odoo } = f) });

  const invalid = [7, 500, 999];
  const products = Array.from({ length: 1000 }, (_, i) => {
    if (i === 7) return { name: 'no external id' };
    if (i === 500) return { external_id: 'B-500', prices: [{ pricelist_id: 1, price: 'cheap' }] };
    if (i === 999) return { external_id: 'B-999', list_price: 'n/a' };
    return {
      external_id: `B-${i}`,
      name: `Bulk ${i}`,
      list_price: i,
      write_date: '2026-11-01 10:00:00',
      prices: [
        { pricelist_id: 1, price: i + 0.5 },
        { pricelist_id: 2, price: i + 0.25, min_quantity: 5 },
        { pricelist_id: 3, price: i, date_start: '2026-12-01', date_end: '2026-12-24' },
      ],
    };
  });
  const push = () => service.request('POST', '/api/v1/products', { token: odoo, body: { products } });
  const timed = async <T>(action: () => Promise<T>) => {
    const started = Date.now();
    return { result: await action(), ms: Date.now() - started };
  };

  it('accepts the 997 valid records and lists the 3 invalid ones by index', async () => {
    const { result: first, ms } = await timed(push);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ success: false, processed: 997, created: 997, updated: 0, unchanged: 0 });
    expect(first.body.errors.map((e: { index: number }) => e.index)).toEqual(invalid);
    expect(first.body.errors[0].details[0].path).toBe('products.7.external_id');
    expect(first.body.errors[1]).toMatchObject({
      external_id: 'B-500',
      details: [{ path: 'products.500.prices.0.price' }],
    });
    expect(first.body.errors[2].details[0].path).toBe('products.999.list_price');
    const em = service.resources.orm.em.fork();
    expect(await em.count(ProductSchema, {})).toBe(997);
    expect(await em.count(PricelistItemSchema, { priceChanged: true })).toBe(997 * 3);
    console.log(`1,000-product batch with 3 prices each: first push (997 created) ${ms} ms`);
  });

  it('re-pushes it unchanged in a handful of queries, writing nothing and signalling no workflow', async () => {
    const workflow = service.resources.temporal.client.workflow.getHandle('product:B-0');
    const before = await workflow.describe();
    let transactions: string[][] = [];
    const { result: repush, ms } = await timed(async () => {
      let response: Awaited<ReturnType<typeof push>> | undefined;
      transactions = await transactionsDuring(service.resources.orm, async () => {
        response = await push();
      });
      return response!;
    });
    expect(repush.body).toMatchObject({ processed: 997, created: 0, updated: 0, unchanged: 997 });
    expect(repush.body.errors.map((e: { index: number }) => e.index)).toEqual(invalid);

    const statements = transactions.flat();
    console.log(
      `unchanged re-push of the 1,000-product batch: ${ms} ms, ${statements.length} statements in ` +
        `${transactions.length} transaction(s):\n${statements.map((sql) => `  ${sql.slice(0, 120)}`).join('\n')}`,
    );
    expect(statements.filter(isWrite)).toEqual([]);
    expect(statements.length).toBeLessThanOrEqual(4);
    const after = await workflow.describe();
    expect([after.runId, after.historyLength]).toEqual([before.runId, before.historyLength]);
  });
});
