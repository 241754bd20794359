import type { ChildProcess } from 'node:child_process';
import { Worker } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES, syncBackStateQuery } from '../../workflows/contract';
import type { FakeOdoo } from '../support/fake-odoo';
import { useSyncBackFixture } from '../support/fixtures';
import { eventually, sharedWorkflowBundle, type TestService } from '../support/service-harness';
import { recordHistory as recordRun } from '../support/record-history';
import { killWorker, spawnWorker } from '../support/spawn-worker';
import { testBackends } from '../support/test-backends';
import {
  cancelOrder,
  odooOrders,
  orderActionCalls,
  postOrder,
  queueStatus,
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

/** With RECORD_HISTORIES=1, stores the latest run as a replay fixture (an existing fixture is kept). */
const recordHistory = (workflowId: string, file: string) =>
  recordRun(workflowId, file, { address: testBackends().temporalAddress });

/** The webshop order after its create: the confirm saga (retry, abandon) and the webshop's cancel. */
describe('webshop order lifecycle in Odoo (confirm on, JSON-RPC)', () => {
  let fake: FakeOdoo;
  let service: TestService;
  let webshop: string;
  let admin: string;
  const children: ChildProcess[] = [];
  const run = runId();
  const id = (name: string) => `${name}-LC-${run}`;

  useSyncBackFixture({
    env: {
      SYNC_BACK_CONFIRM: 'true',
      // Long enough for the killed worker's hanging confirm to commit before a retry could send it again.
      ODOO_UNKNOWN_OUTCOME_SETTLE: '6s',
      ODOO_TIMEOUT: '10s',
      SYNC_BACK_HEARTBEAT_TIMEOUT: '2s',
      SYNC_BACK_ATTEMPT_TIMEOUT: '60s',
    },
    tokens: ['webshop', 'admin'],
    ready: (f) => ({ fake, service, webshop, admin } = f),
    teardown: () => Promise.all(children.map(killWorker)),
  });

  /** A partner and products known to Odoo and the service; returns the product ids in Odoo. */
  async function seeded(name: string, products = 1) {
    const partner = id(`${name}P`);
    await seedPartner(service, fake, partner);
    const productIds = Array.from({ length: products }, (_, i) => id(`${name}M${i}`));
    const odooProductIds = await seedProducts(service, fake, productIds);
    return { partner, products: productIds, odooProductIds };
  }

  const odooOrder = (number: string) => {
    const [order] = odooOrders(fake, number);
    if (!order) throw new Error(`no Odoo order ${number}`);
    return order;
  };

  const searchAttribute = async (number: string) =>
    (await syncBackHandle(service, number).describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.SyncState);

  const signal = (number: string, what: 'retry' | 'abandon') =>
    service.request('POST', `/api/v1/admin/workflows/sync:sale_order:${encodeURIComponent(number)}/${what}`, {
      token: admin,
    });

  async function replay(number: string) {
    const handle = syncBackHandle(service, number);
    await Worker.runReplayHistory(
      { workflowBundle: await sharedWorkflowBundle() },
      await handle.fetchHistory(),
      handle.workflowId,
    );
  }

  it('confirms the order once after the create, and ends confirmed', async () => {
    const { partner, products } = await seeded('C');
    const number = id('WEB-CONFIRM');
    await postOrder(service, webshop, webshopOrder(number, partner, products));

    const status = await untilState(service, webshop, number, 'confirmed');
    const order = odooOrder(number);
    expect(order.state).toBe('sale');
    expect(status).toMatchObject({ odoo_id: order.id, odoo_state: 'sale', conflicts: [], last_error: null });
    expect(orderActionCalls(fake, order.id, 'action_confirm')).toHaveLength(1);
    expect(saleOrderCalls(fake, number).map((r) => r.method)).toEqual(['search', 'create']);
    const handle = syncBackHandle(service, number);
    expect(await handle.result()).toMatchObject({ state: 'confirmed', odooId: order.id, odooState: 'sale' });
    expect(await searchAttribute(number)).toBe('confirmed');
    expect((await storedOrder(service, number))!).toMatchObject({ syncState: 'confirmed', odooState: 'sale' });

    await replay(number);
    recordHistory(handle.workflowId, 'sync-back-sale-order-confirmed.json');
  });

  it('sends the confirm once when its answer is lost', async () => {
    const { partner, products } = await seeded('L');
    const number = id('WEB-LOST');
    fake.dropResponseAfterCommit(1, { model: 'sale.order', method: 'action_confirm' });
    await postOrder(service, webshop, webshopOrder(number, partner, products));

    await untilState(service, webshop, number, 'confirmed');
    const order = odooOrder(number);
    expect(order.state).toBe('sale');
    expect(orderActionCalls(fake, order.id, 'action_confirm').map((r) => r.outcome)).toEqual(['dropped']);
  });

  it('marks a refused confirm failed with Odoo message, and confirms it on retry', async () => {
    const { partner, products, odooProductIds } = await seeded('R');
    const number = id('WEB-REFUSED');
    fake.setActive('product.product', odooProductIds[0]!, false);
    await postOrder(service, webshop, webshopOrder(number, partner, products));

    const failed = await untilState(service, webshop, number, 'failed');
    const order = odooOrder(number);
    expect(failed.last_error).toMatch(/^UserError: You cannot confirm .*archived/);
    expect(failed).toMatchObject({ odoo_id: order.id, odoo_state: 'draft' });
    expect(order.state).toBe('draft');
    await eventually(async () => ((await searchAttribute(number)) === 'failed' ? true : undefined));
    const conflictFree = await syncBackHandle(service, number).query(syncBackStateQuery);
    expect(conflictFree).toMatchObject({ state: 'failed', lastError: failed.last_error });

    // A repost of an order in Odoo is kept for the Odoo order, and wakes the failed confirm: refused again.
    const repost = await postOrder(service, webshop, webshopOrder(number, partner, products, { name: 'changed' }));
    expect(repost.body.outcome).toBe('queued_for_odoo');
    await eventually(async () => (orderActionCalls(fake, order.id, 'action_confirm').length === 2 ? true : undefined));
    await untilState(service, webshop, number, 'failed');

    fake.setActive('product.product', odooProductIds[0]!, true);
    expect((await signal(number, 'retry')).status).toBe(202);
    await untilState(service, webshop, number, 'confirmed');
    expect(odooOrder(number).state).toBe('sale');
    expect(orderActionCalls(fake, order.id, 'action_confirm').map((r) => r.outcome)).toEqual([
      'odoo_error',
      'odoo_error',
      'ok',
    ]);
    expect(orderActionCalls(fake, order.id, 'action_cancel')).toHaveLength(0);

    await syncBackHandle(service, number).result();
    await replay(number);
    recordHistory(syncBackHandle(service, number).workflowId, 'sync-back-sale-order-confirm-retried.json');
  });

  it('abandons a refused confirm: cancels the quotation in Odoo once, and the order', async () => {
    const { partner, products, odooProductIds } = await seeded('A');
    const number = id('WEB-ABANDON');
    fake.setActive('product.product', odooProductIds[0]!, false);
    await postOrder(service, webshop, webshopOrder(number, partner, products));
    await untilState(service, webshop, number, 'failed');
    const order = odooOrder(number);

    // The answer of the compensating cancel is lost: it is still sent once.
    fake.dropResponseAfterCommit(1, { model: 'sale.order', method: 'action_cancel' });
    expect((await signal(number, 'abandon')).body).toEqual({
      workflow_id: `sync:sale_order:${number}`,
      signal: 'abandon',
    });
    const cancelled = await untilState(service, webshop, number, 'cancelled');
    expect(cancelled).toMatchObject({
      cancelled: true,
      odoo_id: order.id,
      odoo_state: 'cancel',
      last_error: 'Abandoned by an operator',
    });
    expect(odooOrder(number).state).toBe('cancel');
    expect(orderActionCalls(fake, order.id, 'action_cancel')).toHaveLength(1);
    expect(await syncBackHandle(service, number).result()).toMatchObject({ state: 'cancelled', odooState: 'cancel' });
    expect(await searchAttribute(number)).toBe('cancelled');

    // Nothing to abandon any more: 409; an unknown order: 404.
    const again = await signal(number, 'abandon');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_failed');
    expect((await signal(id('NOPE'), 'abandon')).status).toBe(404);

    await replay(number);
    recordHistory(syncBackHandle(service, number).workflowId, 'sync-back-sale-order-abandoned.json');
  });

  it('cancels an order before its create without sending anything to Odoo', async () => {
    const number = id('WEB-EARLY');
    await postOrder(service, webshop, webshopOrder(number, id('EARLYP'), [id('EARLYM')]));
    await untilState(service, webshop, number, 'awaiting_dependency');

    const res = await cancelOrder(service, webshop, number);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      external_id: number,
      workflow_id: `sync:sale_order:${number}`,
      status_url: `/api/v1/queue/status/sale_order/${number}`,
      outcome: 'cancel_requested',
    });
    const status = await untilState(service, webshop, number, 'cancelled');
    expect(status).toMatchObject({ odoo_id: null, odoo_state: null, last_error: 'Cancelled by the webshop' });
    expect(await syncBackHandle(service, number).result()).toMatchObject({ state: 'cancelled' });
    expect(saleOrderCalls(fake, number)).toEqual([]);
    expect(odooOrders(fake, number)).toEqual([]);

    const again = await cancelOrder(service, webshop, number);
    expect(again.status).toBe(202);
    expect(again.body.outcome).toBe('already_cancelled');
    const unknown = await cancelOrder(service, webshop, id('UNKNOWN'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await cancelOrder(service, await service.token(['odoo']), number)).status).toBe(403);

    await replay(number);
    recordHistory(syncBackHandle(service, number).workflowId, 'sync-back-sale-order-cancelled-before-create.json');
  });

  it('cancels a confirmed order in Odoo once, also when the answer is lost (a new run of its workflow)', async () => {
    const { partner, products } = await seeded('X');
    const number = id('WEB-CANCEL');
    await postOrder(service, webshop, webshopOrder(number, partner, products));
    await untilState(service, webshop, number, 'confirmed');
    await syncBackHandle(service, number).result();
    const order = odooOrder(number);

    fake.dropResponseAfterCommit(1, { model: 'sale.order', method: 'action_cancel' });
    expect((await cancelOrder(service, webshop, number)).status).toBe(202);
    const status = await untilState(service, webshop, number, 'cancelled');
    expect(status).toMatchObject({ odoo_id: order.id, odoo_state: 'cancel', last_error: 'Cancelled by the webshop' });
    expect(odooOrder(number).state).toBe('cancel');
    expect(orderActionCalls(fake, order.id, 'action_cancel').map((r) => r.outcome)).toEqual(['dropped']);
    expect(orderActionCalls(fake, order.id, 'action_confirm')).toHaveLength(1);
    expect(await syncBackHandle(service, number).result()).toMatchObject({ state: 'cancelled' });

    // Asked again: nothing more is sent.
    expect((await cancelOrder(service, webshop, number)).body.outcome).toBe('already_cancelled');
    expect(orderActionCalls(fake, order.id, 'action_cancel')).toHaveLength(1);

    await replay(number);
    recordHistory(syncBackHandle(service, number).workflowId, 'sync-back-sale-order-cancelled-after-confirm.json');
  });

  it('puts a delivered order asked to be cancelled in conflict, visible in Temporal and the queue status', async () => {
    const { partner, products } = await seeded('D');
    const number = id('WEB-DELIVERED');
    await postOrder(service, webshop, webshopOrder(number, partner, products));
    await untilState(service, webshop, number, 'confirmed');
    await syncBackHandle(service, number).result();
    const order = odooOrder(number);
    fake.deliver(order.id);

    expect((await cancelOrder(service, webshop, number)).status).toBe(202);
    const status = await untilState(service, webshop, number, 'conflict');
    expect(status.last_error).toMatch(/^Odoo refused the cancel: UserError: .*delivered/);
    expect(status).toMatchObject({
      odoo_state: 'sale',
      cancelled: false,
      conflicts: [
        { field: 'state', webshop: 'cancel', odoo: 'sale' },
        { field: 'qty_delivered', webshop: 0, odoo: 1 },
      ],
    });
    expect(odooOrder(number).state).toBe('sale');
    expect(orderActionCalls(fake, order.id, 'action_cancel').map((r) => r.outcome)).toEqual(['odoo_error']);
    await eventually(async () => ((await searchAttribute(number)) === 'conflict' ? true : undefined));
    const state = await syncBackHandle(service, number).query(syncBackStateQuery);
    expect(state).toMatchObject({ state: 'conflict', odooState: 'sale', conflicts: status.conflicts });
    expect((await storedOrder(service, number))!.syncConflicts).toEqual(status.conflicts);
    // The workflow waits for an operator (the resolution comes later).
    expect((await syncBackHandle(service, number).describe()).status.name).toBe('RUNNING');

    const invoiced = id('WEB-INVOICED');
    await postOrder(service, webshop, webshopOrder(invoiced, partner, products));
    await untilState(service, webshop, invoiced, 'confirmed');
    fake.invoice(odooOrder(invoiced).id);
    await cancelOrder(service, webshop, invoiced);
    const invoicedStatus = await untilState(service, webshop, invoiced, 'conflict');
    expect(invoicedStatus.conflicts).toContainEqual({ field: 'invoice_status', webshop: 'no', odoo: 'invoiced' });
  });

  it('does not confirm twice when the worker dies between the confirm and its bookkeeping', async () => {
    const { partner, products } = await seeded('K');
    await service.stopWorker();
    const first = await spawnWorker(service.env);
    children.push(first);

    // Odoo is slow to run this confirm: the worker dies while it is in flight, Odoo commits it afterwards.
    fake.hang(3_000, { model: 'sale.order', method: 'action_confirm', times: 1 });
    const number = id('WEB-KILLED');
    await postOrder(service, webshop, webshopOrder(number, partner, products));
    await eventually(async () => {
      const [order] = odooOrders(fake, number);
      return order && orderActionCalls(fake, order.id, 'action_confirm').some((r) => r.outcome === 'pending')
        ? true
        : undefined;
    });
    await killWorker(first);
    children.push(await spawnWorker(service.env));

    await untilState(service, webshop, number, 'confirmed', 60_000);
    const order = odooOrder(number);
    expect(order.state).toBe('sale');
    expect(orderActionCalls(fake, order.id, 'action_confirm').map((r) => r.outcome)).toEqual(['client_gone']);
    expect((await queueStatus(service, webshop, number)).odoo_state).toBe('sale');
  });
});

/** SYNC_BACK_CONFIRM=false (the fixture's default), over JSON-2: the quotation stays; the cancel still works. */
describe('webshop order lifecycle in Odoo (confirm off, JSON-2)', () => {
  let fake: FakeOdoo;
  let service: TestService;
  let webshop: string;
  const run = runId();

  useSyncBackFixture({ odoo: 'json2', tokens: ['webshop'], ready: (f) => ({ fake, service, webshop } = f) });

  it('leaves the quotation unconfirmed, then cancels it once when the webshop asks', async () => {
    const [partner, mug] = [`NCP-${run}`, `NCM-${run}`];
    await seedPartner(service, fake, partner);
    await seedProducts(service, fake, [mug]);
    const number = `WEB-NOCONFIRM-${run}`;
    await postOrder(service, webshop, webshopOrder(number, partner, [mug]));

    const synced = await untilState(service, webshop, number, 'synced');
    expect(await syncBackHandle(service, number).result()).toMatchObject({ state: 'synced' });
    const [order] = odooOrders(fake, number);
    expect(order!.state).toBe('draft');
    expect(synced).toMatchObject({ odoo_id: order!.id, odoo_state: 'draft' });
    expect(fake.callCount({ model: 'sale.order', method: 'action_confirm' })).toBe(0);

    expect((await cancelOrder(service, webshop, number)).status).toBe(202);
    await untilState(service, webshop, number, 'cancelled');
    expect(odooOrders(fake, number)[0]!.state).toBe('cancel');
    expect(orderActionCalls(fake, order!.id, 'action_cancel').map((r) => [r.protocol, r.outcome])).toEqual([
      ['json2', 'ok'],
    ]);
    expect(fake.callCount({ model: 'sale.order', method: 'action_confirm' })).toBe(0);
  });
});
