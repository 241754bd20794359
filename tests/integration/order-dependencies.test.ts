import { randomBytes } from 'node:crypto';
import { ProductSchema } from '../../entities/product';
import { PurchaseOrderSchema } from '../../entities/purchase-order';
import { SaleOrderSchema } from '../../entities/sale-order';
import { SEARCH_ATTRIBUTES } from '../../workflows/contract';
import { useServiceFixture } from '../support/fixtures';
import { insertLegacyRows } from '../support/legacy-rows';
import { eventually, type TestService } from '../support/service-harness';

jest.setTimeout(180_000);

const run = randomBytes(3).toString('hex');
const id = (name: string) => `${name}-${run}`;

describe('orders arriving before their partner and products', () => {
  let service: TestService;
  let odoo: string;

  useServiceFixture({
    env: { DEPENDENCY_GRACE_PERIOD: '1h' },
    tokens: ['odoo'],
    ready: (f) => ({ service, odoo } = f),
  });

  const post = (path: string, body: object) => service.request('POST', path, { token: odoo, body });
  const orderState = async (externalId: string) =>
    (await service.resources.orm.em.fork().findOne(SaleOrderSchema, { externalId, direction: 'inbound' }))
      ?.processingState;
  const awaitingOn = async (workflowId: string) =>
    (await service.resources.temporal.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(
      SEARCH_ATTRIBUTES.AwaitingOn,
    );

  it('waits for the partner and every line product, narrowing AwaitingOn as each arrives', async () => {
    const order = id('SO');
    const partner = id('CUST');
    const [p1, p2] = [id('PROD1'), id('PROD2')];
    const res = await post('/api/v1/sale-orders', {
      external_id: order,
      partner_external_id: partner,
      name: 'S0001',
      lines: [
        { product_external_id: p1, quantity: 2 },
        { product_external_id: p2, quantity: 1 },
        { product_external_id: p1, quantity: 5 },
      ],
    });
    expect(res.status).toBe(200);
    const workflowId = `sale_order:${order}`;
    await eventually(async () => ((await awaitingOn(workflowId))?.length === 3 ? true : undefined));
    expect([...(await awaitingOn(workflowId))!].sort()).toEqual(
      [`partner:${partner}`, `product:${p1}`, `product:${p2}`].sort(),
    );
    expect(await orderState(order)).toBe('awaiting_dependency');

    await post('/api/v1/partners', { external_id: partner, type: 'C' });
    await eventually(async () => ((await awaitingOn(workflowId))?.length === 2 ? true : undefined));
    expect(await orderState(order)).toBe('awaiting_dependency');

    await post('/api/v1/products', {
      products: [
        { external_id: p1, name: 'One' },
        { external_id: p2, name: 'Two' },
      ],
    });
    await eventually(
      async () => ((await orderState(order)) === 'processed' ? true : undefined),
      15_000,
      'order processed',
    );
    await eventually(
      async () => ((await awaitingOn(workflowId)) === undefined ? true : undefined),
      5_000,
      'AwaitingOn cleared',
    );
  });

  it('makes purchase order lines wait for their products', async () => {
    const product = id('POPROD');
    await post('/api/v1/purchase-orders', { name: id('PO'), lines: [{ product_external_id: product, quantity: 10 }] });
    const state = async () =>
      (await service.resources.orm.em.fork().findOne(PurchaseOrderSchema, { externalId: id('PO') }))?.processingState;
    await eventually(async () => ((await state()) === 'awaiting_dependency' ? true : undefined));
    await post('/api/v1/products', { external_id: product, name: 'PO product' });
    await eventually(async () => ((await state()) === 'processed' ? true : undefined));
  });
});

describe('product stubs from the legacy database', () => {
  let service: TestService;
  let odoo: string;

  useServiceFixture({
    env: { DEPENDENCY_GRACE_PERIOD: '500ms' },
    tokens: ['odoo'],
    ready: (f) => ({ service, odoo } = f),
  });

  it('stubs products from legacy rows, malformed json_data included, and the order goes on', async () => {
    const [good, broken] = [id('LEGPROD'), id('BROKEN')];
    const partner = id('LEGCUST');
    await insertLegacyRows('product', [
      { external_id: good, odoo_id: 501, json_data: '{"name": "Old name", "context": "retail"}', context: null },
      { external_id: broken, odoo_id: 502, json_data: '{"name": "unterminated', context: null },
    ]);
    await service.request('POST', '/api/v1/partners', { token: odoo, body: { external_id: partner, type: 'B' } });
    const order = id('LEGSO');
    await service.request('POST', '/api/v1/sale-orders', {
      token: odoo,
      body: {
        external_id: order,
        partner_external_id: partner,
        lines: [
          { product_external_id: good, quantity: 1 },
          { product_external_id: broken, quantity: 1 },
        ],
      },
    });
    await eventually(
      async () =>
        (await service.resources.orm.em.fork().findOne(SaleOrderSchema, { externalId: order }))?.processingState ===
        'processed'
          ? true
          : undefined,
      20_000,
      'order processed with stubs',
    );
    const em = service.resources.orm.em.fork();
    expect(await em.findOne(ProductSchema, { externalId: good })).toMatchObject({
      processingState: 'stub',
      odooId: 501,
      context: 'retail',
    });
    expect(await em.findOne(ProductSchema, { externalId: broken })).toMatchObject({
      processingState: 'stub',
      odooId: 502,
      context: null,
    });
    expect((await em.findOneOrFail(ProductSchema, { externalId: broken })).data).toEqual({
      external_id: broken,
      odoo_id: 502,
    });
  });
});
