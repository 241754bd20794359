import { useServiceFixture } from '../support/fixtures';
import { eventually, type TestService } from '../support/service-harness';

jest.setTimeout(120_000);

describe('pricelist, stock and purchase order feeds', () => {
  let service: TestService;
  let odoo: string;
  let webshop: string;

  useServiceFixture({ tokens: ['odoo', 'webshop'], ready: (f) => ({ service, odoo, webshop } = f) });

  const get = async (path: string) => {
    const res = await service.request('GET', path, { token: webshop });
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.body;
  };
  const post = (path: string, body: object, token = odoo) => service.request('POST', path, { token, body });
  const products = (price: (i: number) => number) =>
    Array.from({ length: 30 }, (_, i) => ({
      external_id: `PL-${i}`,
      name: `P${i}`,
      prices: [
        { pricelist_id: 7, price: price(i) },
        { pricelist_id: 8, price: 3, min_quantity: 5, is_promo: true, date_start: '2026-12-01T00:00:00+00:00' },
      ],
    }));
  const drainPriceChanges = async () => {
    const items: { id: number; pricelist_id: string; price: number; previous_price: number | null }[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = await get(`/api/v1/pricelists/updated?limit=25${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.next_cursor;
    }
    return items;
  };

  it('lists only real price changes: all at first, none on an unchanged re-push, the changed ones after', async () => {
    await post('/api/v1/products', { products: products((i) => 10 + i) });
    const first = await drainPriceChanges();
    expect(first).toHaveLength(60);
    const ack = await post('/api/v1/pricelists/updated/batch-delete', { ids: first.map((i) => i.id) }, webshop);
    expect(ack.body.acknowledged).toHaveLength(60);

    const repush = await post('/api/v1/products', { products: products((i) => 10 + i + 1e-12) });
    expect(repush.body.unchanged).toBe(30);
    expect(await drainPriceChanges()).toEqual([]);

    await post('/api/v1/products', { products: products((i) => (i < 3 ? 99 : 10 + i)) });
    const changed = await drainPriceChanges();
    expect(changed.map((i) => [i.price, i.previous_price])).toEqual([
      [99, 10],
      [99, 11],
      [99, 12],
    ]);
  });

  it('lists pricelists with counts and serves a whole pricelist in pages', async () => {
    const lists = await get('/api/v1/pricelists');
    expect(lists.items).toEqual([
      { id: '7', pricelist_id: '7', item_count: 30, changed_count: 3 },
      { id: '8', pricelist_id: '8', item_count: 30, changed_count: 0 },
    ]);
    const seen: number[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = await get(`/api/v1/pricelists/8/items?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((i: { id: number }) => i.id));
      expect(
        page.items.every((i: { is_promo: boolean; min_quantity: number }) => i.is_promo && i.min_quantity === 5),
      ).toBe(true);
      cursor = page.next_cursor;
    }
    expect(new Set(seen).size).toBe(30);
    expect((await service.request('GET', '/api/v1/pricelists/404/items', { token: webshop })).status).toBe(404);
    expect((await service.request('GET', '/api/v1/pricelists?cursor=!!', { token: webshop })).status).toBe(400);
  });

  it('serves stock quantity changes until acknowledged, by supplier, by product and by lookup', async () => {
    const stock = (quantity: number, salePrice = 5) => ({
      stocks: [
        { supplier_external_id: 'SUP-1', product_external_id: 'PL-1', quantity, sale_price: salePrice },
        { supplier_external_id: 'SUP-1', product_external_id: 'PL-2', quantity: 4 },
        { supplier_external_id: 'SUP-2', product_external_id: 'PL-1', quantity: 1 },
      ],
    });
    await post('/api/v1/stocks', stock(10));
    const changed = await eventually(async () => {
      const body = await get('/api/v1/stocks/changed');
      return body.items.length === 3 ? body.items : undefined;
    });
    await post('/api/v1/stocks/changed/batch-delete', { ids: changed.map((i: { id: number }) => i.id) }, webshop);
    expect((await get('/api/v1/stocks/changed')).items).toEqual([]);

    await post('/api/v1/stocks', stock(10, 6));
    await post('/api/v1/stocks', stock(7, 6));
    const after = await eventually(async () => {
      const body = await get('/api/v1/stocks/changed');
      return body.items.length === 1 ? body.items : undefined;
    });
    expect(after[0]).toMatchObject({
      supplier_external_id: 'SUP-1',
      product_external_id: 'PL-1',
      quantity: 7,
      previous_quantity: 10,
      quantity_changed: true,
    });

    expect(
      (await get('/api/v1/stocks/by-supplier/SUP-1')).items.map(
        (i: { product_external_id: string }) => i.product_external_id,
      ),
    ).toEqual(['PL-1', 'PL-2']);
    expect(
      (await get('/api/v1/stocks/by-product/PL-1')).items.map(
        (i: { supplier_external_id: string }) => i.supplier_external_id,
      ),
    ).toEqual(['SUP-1', 'SUP-2']);
    expect(await get('/api/v1/stocks/lookup?supplier_id=SUP-2&product_id=PL-1')).toMatchObject({ quantity: 1 });
    const missing = await service.request('GET', '/api/v1/stocks/lookup?supplier_id=SUP-9&product_id=PL-1', {
      token: webshop,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const bad = await service.request('GET', '/api/v1/stocks/lookup?supplier_id=SUP-9', { token: webshop });
    expect(bad.status).toBe(400);
  });

  it('serves purchase orders that changed, with their lines', async () => {
    await post('/api/v1/purchase-orders', {
      name: 'PO-0001',
      vendor_external_id: 'SUP-1',
      lines: [
        { product_external_id: 'PL-1', quantity: 10, price_unit: 2 },
        { product_external_id: 'PL-2', quantity: 5, qty_received: 1 },
      ],
    });
    const item = await eventually(async () =>
      (await get('/api/v1/purchase-orders/updated')).items.find(
        (i: { external_id: string }) => i.external_id === 'PO-0001',
      ),
    );
    expect(item.processing_state).toBe('processed');
    const order = await get(`/api/v1/purchase-orders/${item.id}`);
    expect(
      order.lines.map((l: { product_external_id: string; quantity: number }) => [l.product_external_id, l.quantity]),
    ).toEqual([
      ['PL-1', 10],
      ['PL-2', 5],
    ]);
    expect((await get(`/api/v1/purchase-orders/${item.id}/lines`)).items).toHaveLength(2);
    const ack = await post('/api/v1/purchase-orders/updated/batch-delete', { ids: [item.id] }, webshop);
    expect(ack.body.acknowledged).toEqual([item.id]);
    expect((await service.request('GET', '/api/v1/purchase-orders/999999', { token: webshop })).status).toBe(404);
  });

  it('drops a stock row whose quantity returns to the acknowledged one unseen, keeps it once the feed served another', async () => {
    const level = (quantity: number) => ({
      stocks: [{ supplier_external_id: 'SUP-9', product_external_id: 'PX-1', quantity }],
    });
    const changedRow = async () =>
      (await get('/api/v1/stocks/changed?limit=500')).items.find(
        (i: { supplier_external_id: string }) => i.supplier_external_id === 'SUP-9',
      );
    await post('/api/v1/stocks', level(10));
    const first = await eventually(changedRow);
    expect(first).toMatchObject({ quantity: 10, acknowledged_quantity: null });
    await post('/api/v1/stocks/changed/batch-delete', { ids: [first.id] }, webshop);

    await post('/api/v1/stocks', level(7));
    await post('/api/v1/stocks', level(10));
    const lookup = () => get('/api/v1/stocks/lookup?supplier_id=SUP-9&product_id=PX-1');
    await eventually(async () => ((await lookup()).processing_state === 'processed' ? true : undefined));
    expect(await lookup()).toMatchObject({ quantity: 10, acknowledged_quantity: 10, quantity_changed: false });
    expect(await changedRow()).toBeUndefined();

    await post('/api/v1/stocks', level(7));
    expect(await eventually(changedRow)).toMatchObject({ quantity: 7, acknowledged_quantity: 10 });
    await post('/api/v1/stocks', level(10));
    // The webshop was served 7, so 10 is news to it again.
    expect(await eventually(changedRow)).toMatchObject({ quantity: 10, acknowledged_quantity: 10 });
  });

  it('drops a price that returns to the acknowledged one unseen, keeps it once the feed served another', async () => {
    const priced = (price: number) => ({ external_id: 'PX-2', name: 'PX', prices: [{ pricelist_id: 9, price }] });
    const changedItem = async () =>
      (await drainPriceChanges()).find((i) => i.pricelist_id === '9') as
        { id: number; price: number; acknowledged_price: number | null } | undefined;
    await post('/api/v1/products', priced(20));
    const first = await changedItem();
    expect(first).toMatchObject({ price: 20, acknowledged_price: null });
    await post('/api/v1/pricelists/updated/batch-delete', { ids: [first!.id] }, webshop);

    await post('/api/v1/products', priced(25));
    await post('/api/v1/products', priced(20));
    expect(await changedItem()).toBeUndefined();

    await post('/api/v1/products', priced(25));
    expect(await changedItem()).toMatchObject({ price: 25, acknowledged_price: 20 });
    await post('/api/v1/products', priced(20));
    expect(await changedItem()).toMatchObject({ price: 20, acknowledged_price: 20 });
  });

  it('serves a price the whole pushed price list no longer has as a removal, and leaves prices be without a list', async () => {
    type Item = { id: number; pricelist_id: string; price: number; removed: boolean; product_external_id: string };
    const changesOf = async (product: string) =>
      ((await drainPriceChanges()) as unknown as Item[]).filter((i) => i.product_external_id === product);
    const ack = (items: Item[]) =>
      post('/api/v1/pricelists/updated/batch-delete', { ids: items.map((i) => i.id) }, webshop);
    const prices = (...entries: [number, number][]) =>
      entries.map(([pricelist_id, price]) => ({ pricelist_id, price }));
    const liveProducts = async (pricelist: number) => {
      const res = await service.request('GET', `/api/v1/pricelists/${pricelist}/items`, { token: webshop });
      return res.status === 404 ? [] : res.body.items.map((i: Item) => i.product_external_id);
    };

    await post('/api/v1/products', { external_id: 'PX-3', name: 'PX3', prices: prices([10, 5], [11, 6]) });
    await ack(await changesOf('PX-3'));

    await post('/api/v1/products', { external_id: 'PX-3', name: 'PX3', prices: prices([10, 5]) });
    const removal = await changesOf('PX-3');
    expect(removal).toMatchObject([{ pricelist_id: '11', price: 6, removed: true }]);
    expect(await liveProducts(11)).toEqual([]);
    const lists = (await get('/api/v1/pricelists?limit=500')).items;
    expect(lists.find((l: { id: string }) => l.id === '11')).toMatchObject({ item_count: 0, changed_count: 1 });
    expect((await ack(removal)).body.acknowledged).toEqual([removal[0]!.id]);

    await post('/api/v1/products', { external_id: 'PX-3', name: 'PX3', prices: prices([10, 5]) });
    await post('/api/v1/products', { external_id: 'PX-3', name: 'PX3 renamed' });
    expect(await changesOf('PX-3')).toEqual([]);
    expect(await liveProducts(10)).toContain('PX-3');

    await post('/api/v1/products', { external_id: 'PX-3', name: 'PX3', prices: prices([10, 5], [11, 6]) });
    expect(await changesOf('PX-3')).toMatchObject([{ pricelist_id: '11', price: 6, removed: false }]);
    expect(await liveProducts(11)).toEqual(['PX-3']);

    // Never shown to the webshop: removing it leaves nothing behind.
    await post('/api/v1/products', { external_id: 'PX-4', name: 'PX4', prices: prices([12, 1]) });
    await post('/api/v1/products', { external_id: 'PX-4', name: 'PX4', prices: [] });
    expect(await changesOf('PX-4')).toEqual([]);
    expect(await liveProducts(12)).toEqual([]);
  });
});
