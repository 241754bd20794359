import { useServiceFixture } from '../support/fixtures';
import { eventually } from '../support/service-harness';
import { runId } from '../support/sync-back';

jest.setTimeout(120_000);

const run = runId();
const id = (name: string) => `${name}-${run}`;

describe('queue status of every entity type', () => {
  const f = useServiceFixture({ env: { DEPENDENCY_GRACE_PERIOD: '30s' }, tokens: ['odoo', 'webshop'] });

  const status = (path: string) => f.service.request('GET', `/api/v1/queue/status/${path}`, { token: f.webshop });
  const untilStatus = (path: string, state: string) =>
    eventually(async () => {
      const res = await status(path);
      return res.status === 200 && res.body.state === state ? res.body : undefined;
    });

  it('answers for an inbound partner: processed, and a child awaiting its parent naming what it awaits', async () => {
    const [parent, child] = [id('QS-PARENT'), id('QS-CHILD')];
    await f.service.request('POST', '/api/v1/partners', {
      token: f.odoo,
      body: { partners: [{ external_id: child, type: 'D', parent_external_id: parent, odoo_id: 77 }] },
    });
    expect(await untilStatus(`partner/${child}`, 'awaiting_dependency')).toEqual({
      entity_type: 'partner',
      external_id: child,
      direction: 'inbound',
      state: 'awaiting_dependency',
      processing_state: 'awaiting_dependency',
      awaiting_on: [`partner:${parent}`],
      is_stub: false,
      attempts: 0,
      last_error: null,
      odoo_id: 77,
      workflow_id: `partner:${child}`,
      updated_at: expect.any(String),
    });
    await f.service.request('POST', '/api/v1/partners', {
      token: f.odoo,
      body: { external_id: parent, type: 'B', name: 'Parent' },
    });
    expect(await untilStatus(`partner/${child}`, 'synced')).toMatchObject({
      processing_state: 'processed',
      awaiting_on: [],
    });
  });

  it('answers for a product, a stock row (supplier/product) and a purchase order', async () => {
    const product = id('QS-MUG');
    await f.service.request('POST', '/api/v1/products', { token: f.odoo, body: { external_id: product, name: 'Mug' } });
    expect(await untilStatus(`product/${product}`, 'synced')).toMatchObject({ workflow_id: `product:${product}` });

    await f.service.request('POST', '/api/v1/stocks', {
      token: f.odoo,
      body: { supplier_external_id: id('QS-SUP'), product_external_id: product, quantity: 3 },
    });
    const stockId = `${id('QS-SUP')}/${product}`;
    expect(await untilStatus(`stock/${encodeURIComponent(stockId)}`, 'synced')).toMatchObject({
      entity_type: 'stock',
      external_id: stockId,
    });

    await f.service.request('POST', '/api/v1/purchase-orders', {
      token: f.odoo,
      body: { name: id('QS-PO'), lines: [{ product_external_id: product, quantity: 1 }] },
    });
    const po = await eventually(async () => {
      const res = await status(`purchase_order/${id('QS-PO')}`);
      return res.status === 200 ? res.body : undefined;
    });
    expect(po).toMatchObject({ entity_type: 'purchase_order', direction: 'inbound' });
  });

  it('tells an inbound sale order from a webshop order of the same number with ?direction=', async () => {
    const number = id('QS-SO');
    await f.service.request('POST', '/api/v1/sale-orders', {
      token: f.odoo,
      body: { external_id: number, partner_external_id: id('QS-NOBODY'), lines: [] },
    });
    await f.service.request('POST', '/api/v1/webshop/sale-orders', {
      token: f.webshop,
      body: {
        external_id: number,
        partner_external_id: id('QS-NOBODY'),
        lines: [{ product_external_id: 'X', quantity: 1 }],
      },
    });
    const inbound = await eventually(async () => {
      const res = await status(`sale_order/${number}?direction=inbound`);
      return res.status === 200 ? res.body : undefined;
    });
    expect(inbound).toMatchObject({ direction: 'inbound', workflow_id: `sale_order:${number}` });
    const outbound = await status(`sale_order/${number}`);
    expect(outbound.status).toBe(200);
    expect(outbound.body).toMatchObject({ workflow_id: `sync:sale_order:${number}` });
    expect((await status(`sale_order/${number}?direction=outbound`)).body).toEqual(outbound.body);
  });

  it('answers 400 for a direction a type does not have, 404 for unknown types and records', async () => {
    const badDirection = await status(`partner/${id('QS-PARENT')}?direction=outbound`);
    expect(badDirection.status).toBe(400);
    expect(badDirection.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'direction' }] });
    expect((await status(`sale_order/X?direction=sideways`)).status).toBe(400);
    expect((await status('invoice/X')).status).toBe(404);
    const unknown = await status(`product/${id('NOPE')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found' });
  });
});
