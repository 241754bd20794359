import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createApiApp } from '../../api/app';
import { createLogger } from '../../observability/logger';
import { createWorkflowStarters } from '../../runtime/workflow-starters';
import { SEARCH_ATTRIBUTES } from '../../workflows/contract';
import type { FakeOdoo } from '../support/fake-odoo';
import { useSyncBackFixture } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { eventually, sharedWorkflowBundle, type TestService } from '../support/service-harness';
import {
  odooOrders,
  postOrder,
  queueStatus,
  recordHistory,
  runId,
  saleOrderCalls,
  seedPartner,
  seedProducts,
  storedOrder,
  syncBackHandle,
  untilState,
  webshopOrder,
} from '../support/sync-back';

jest.setTimeout(180_000);

describe.each(['jsonrpc', 'json2'] as const)('webshop orders into Odoo over %s', (protocol) => {
  let fake: FakeOdoo;
  let service: TestService;
  let webshop: string;
  const run = runId();
  const id = (name: string) => `${name}-${protocol}-${run}`;

  useSyncBackFixture({ odoo: protocol, tokens: ['webshop'], ready: (f) => ({ fake, service, webshop } = f) });

  it('creates the order in Odoo with one search and one create, then serves it in the outbound feed', async () => {
    const [partner, mug, cup] = [id('P'), id('MUG'), id('CUP')];
    const partnerId = await seedPartner(service, fake, partner);
    const [mugId, cupId] = await seedProducts(service, fake, [mug, cup]);
    const number = id('WEB-1');

    const posted = await postOrder(service, webshop, webshopOrder(number, partner, [mug, cup]));
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({
      external_id: number,
      workflow_id: `sync:sale_order:${number}`,
      status_url: `/api/v1/queue/status/sale_order/${number}`,
      outcome: 'created',
    });

    const status = await untilState(service, webshop, number, 'synced');
    const [order] = odooOrders(fake, number);
    expect(status).toMatchObject({ state: 'synced', attempts: 1, last_error: null, odoo_id: order!.id });
    expect(order).toMatchObject({ partner_id: partnerId, client_order_ref: number, state: 'draft' });
    const lines = fake.records('sale.order.line').filter((l) => l.order_id === order!.id);
    expect(lines).toEqual([
      expect.objectContaining({ product_id: mugId, product_uom_qty: 1, price_unit: 12.5, discount: 10 }),
      expect.objectContaining({ product_id: cupId, product_uom_qty: 2, price_unit: 12.5 }),
    ]);
    expect(lines[1]).not.toHaveProperty('discount');
    const handle = syncBackHandle(service, number);
    expect(await handle.result()).toMatchObject({ state: 'synced', odooId: order!.id });
    // The create, then Odoo's version read back once (the order, then its lines: the base of later merges).
    expect(saleOrderCalls(fake).map((r) => [r.protocol, r.method, r.outcome])).toEqual([
      [protocol, 'search', 'ok'],
      [protocol, 'create', 'ok'],
      [protocol, 'search_read', 'ok'],
    ]);
    expect(fake.callCount({ model: 'sale.order.line' })).toBe(1);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.SyncState)).toBe('synced');
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.EntityType)).toBe('sale_order');
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.ExternalId)).toBe(number);
    expect(await description.staticSummary()).toBe(`Webshop order ${number} into Odoo`);

    const feed = await service.request('GET', '/api/v1/updated-sale-orders?direction=outbound&limit=500', {
      token: webshop,
    });
    expect(feed.body.items).toContainEqual(
      expect.objectContaining({ external_id: number, odoo_id: order!.id, processing_state: 'processed' }),
    );
    const inbound = await service.request('GET', '/api/v1/updated-sale-orders?direction=inbound&limit=500', {
      token: webshop,
    });
    expect(inbound.body.items.map((i: { external_id: string }) => i.external_id)).not.toContain(number);

    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await sharedWorkflowBundle() }, history, handle.workflowId);
    if (protocol === 'jsonrpc') recordHistory(handle.workflowId, 'sync-back-sale-order-synced.json');
  });

  it('answers a repost with the same workflow and never creates a second order', async () => {
    const [partner, mug] = [id('RP'), id('RMUG')];
    await seedPartner(service, fake, partner);
    await seedProducts(service, fake, [mug]);
    const number = id('WEB-2');
    const order = webshopOrder(number, partner, [mug]);

    const first = await Promise.all([1, 2, 3].map(() => postOrder(service, webshop, order)));
    expect(new Set(first.map((r) => r.status))).toEqual(new Set([202]));
    expect(new Set(first.map((r) => r.body.workflow_id))).toEqual(new Set([`sync:sale_order:${number}`]));
    expect(first.map((r) => r.body.outcome).sort()).toEqual(['created', 'unchanged', 'unchanged']);
    await untilState(service, webshop, number, 'synced');

    const again = await postOrder(service, webshop, order);
    expect(again.body).toMatchObject({ workflow_id: `sync:sale_order:${number}`, outcome: 'unchanged' });
    const changed = await postOrder(service, webshop, { ...order, name: 'changed after the sync' });
    // A changed repost after the create is kept as the webshop's pending version and merged into the Odoo order;
    // the name is not a field Odoo takes, so nothing is written there.
    expect(changed.body).toMatchObject({ workflow_id: `sync:sale_order:${number}`, outcome: 'queued_for_odoo' });
    expect((await storedOrder(service, number))!.name).toBe('changed after the sync');
    await syncBackHandle(service, number).result();

    await new Promise((r) => setTimeout(r, 500));
    expect(odooOrders(fake, number)).toHaveLength(1);
    expect(saleOrderCalls(fake, number).map((r) => r.method)).toEqual(['search', 'create']);
  });
});

describe('webshop order API', () => {
  let fake: FakeOdoo;
  let service: TestService;
  let webshop: string;
  const run = runId();

  useSyncBackFixture({ tokens: ['webshop'], ready: (f) => ({ fake, service, webshop } = f) });

  it('replaces an order reposted changed before its create, and creates the new version', async () => {
    const [partner, mug, cup] = [`LP-${run}`, `LMUG-${run}`, `LCUP-${run}`];
    await seedProducts(service, fake, [mug, cup]);
    const number = `WEB-LATE-${run}`;
    await postOrder(service, webshop, webshopOrder(number, partner, [mug]));
    const waiting = await untilState(service, webshop, number, 'awaiting_dependency');
    expect(waiting).toMatchObject({ attempts: 0, odoo_id: null });

    const repost = await postOrder(service, webshop, webshopOrder(number, partner, [mug, cup]));
    expect(repost.body.outcome).toBe('updated');
    await seedPartner(service, fake, partner);
    await untilState(service, webshop, number, 'synced');
    const [order] = odooOrders(fake, number);
    expect(fake.records('sale.order.line').filter((l) => l.order_id === order!.id)).toHaveLength(2);
  });

  it('reports the queue state of each order, and 404 in the error shape for unknown ones', async () => {
    const unknown = await service.request('GET', `/api/v1/queue/status/sale_order/NOPE-${run}`, { token: webshop });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('NOPE') });
    const otherType = await service.request('GET', '/api/v1/queue/status/product/X', { token: webshop });
    expect(otherType.status).toBe(404);
    expect(otherType.body.error.code).toBe('not_found');
    const badType = await service.request('GET', '/api/v1/queue/status/invoice/X', { token: webshop });
    expect(badType.status).toBe(404);

    const number = `WEB-Q-${run}`;
    await postOrder(service, webshop, webshopOrder(number, `QP-${run}`, [`QMUG-${run}`]));
    const status = await untilState(service, webshop, number, 'awaiting_dependency');
    expect(status).toEqual({
      entity_type: 'sale_order',
      external_id: number,
      state: 'awaiting_dependency',
      attempts: 0,
      last_error: null,
      odoo_id: null,
      odoo_state: null,
      odoo: null,
      conflicts: [],
      workflow_id: `sync:sale_order:${number}`,
      cancelled: false,
      updated_at: expect.any(String),
    });
  });

  it('rejects an invalid order with one detail per problem and stores nothing', async () => {
    const res = await postOrder(service, webshop, {
      external_id: `BAD-${run}`,
      odoo_id: 12,
      lines: [{ product_external_id: 'X' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'lines.0.quantity',
      'odoo_id',
      'partner_external_id',
    ]);
    expect(await storedOrder(service, `BAD-${run}`)).toBeNull();
    const notAnObject = await postOrder(service, webshop, [1, 2]);
    expect(notAnObject.status).toBe(400);
    const wrongScope = await postOrder(service, await service.token(['odoo']), webshopOrder(`X-${run}`, 'P', ['M']));
    expect(wrongScope.status).toBe(403);
  });

  it('keeps the status endpoint in step while an order syncs', async () => {
    const number = `WEB-S-${run}`;
    const [partner, mug] = [`SP-${run}`, `SMUG-${run}`];
    await seedPartner(service, fake, partner);
    await seedProducts(service, fake, [mug]);
    fake.hang(1500, { model: 'sale.order', method: 'search', times: 1 });
    await postOrder(service, webshop, webshopOrder(number, partner, [mug]));
    await eventually(async () =>
      (await queueStatus(service, webshop, number)).state === 'syncing' ? true : undefined,
    );
    expect(await untilState(service, webshop, number, 'synced')).toMatchObject({ attempts: 2 });
  });

  it('stores the order as pending when Temporal is unreachable, answers 202, and the sweep starts it later', async () => {
    const [partner, mug] = [`TP-${run}`, `TMUG-${run}`];
    await seedPartner(service, fake, partner);
    await seedProducts(service, fake, [mug]);
    const deadConnection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: '1s' });
    const deadClient = new Client({ connection: deadConnection });
    const log = createLogger('silent');
    const { app } = createApiApp({
      ...service.resources,
      temporal: { client: deadClient, connection: deadConnection },
      config: service.config,
      log,
      ...createWorkflowStarters(service.config, deadClient, service.resources.metrics, log),
    });
    const server = app.listen(0);
    try {
      const number = `WEB-OUTAGE-${run}`;
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/webshop/sale-orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${webshop}`, 'content-type': 'application/json' },
        body: JSON.stringify(webshopOrder(number, partner, [mug])),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ workflow_id: `sync:sale_order:${number}`, outcome: 'created' });
      // This API's Temporal client reaches nothing: only the worker's sweep can have started the workflow.
      await untilState(service, webshop, number, 'synced');
      expect(odooOrders(fake, number)).toHaveLength(1);
    } finally {
      server.close();
      await deadConnection.close();
    }
  });
});
