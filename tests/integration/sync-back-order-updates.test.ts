import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { EntityManager } from '@mikro-orm/knex';
import { SyncResolutionSchema } from '../../entities/sync-resolution';
import { storeWebshopOrder } from '../../sync/sync-back/order-store';
import { webshopOrderSchema } from '../../sync/sync-back/webshop-order-record';
import { resolveConflictUpdate, SEARCH_ATTRIBUTES } from '../../workflows/contract';
import type { FakeOdoo } from '../support/fake-odoo';
import { useSyncBackFixture } from '../support/fixtures';
import { recordHistory as recordRun } from '../support/record-history';
import { eventually, sharedWorkflowBundle, type TestService } from '../support/service-harness';
import { killWorker, spawnWorker } from '../support/spawn-worker';
import { testBackends } from '../support/test-backends';
import type { ChildProcess } from 'node:child_process';
import {
  odooOrders,
  orderActionCalls,
  postOrder,
  queueStatus,
  runId,
  seedPartner,
  seedProducts,
  syncBackHandle,
  untilState,
  webshopOrder,
} from '../support/sync-back';

jest.setTimeout(180_000);

const recordHistory = (workflowId: string, file: string) =>
  recordRun(workflowId, file, { address: testBackends().temporalAddress });

/** What the tests read of an Odoo order: its state and lines (product external id by the seeded Odoo ids). */
function odooSide(fake: FakeOdoo, number: string, productIds: Map<number, string>) {
  const [order] = odooOrders(fake, number);
  if (!order) throw new Error(`no Odoo order ${number}`);
  const lines = fake
    .records('sale.order.line')
    .filter((l) => l.order_id === order.id)
    .sort((a, b) => Number(a.sequence) - Number(b.sequence) || a.id - b.id)
    .map((l) => ({
      id: l.id,
      product: productIds.get(Number(l.product_id)) ?? `odoo:${String(l.product_id)}`,
      qty: l.product_uom_qty,
    }));
  return { id: order.id, state: order.state, date_order: order.date_order, lines };
}

const writeCalls = (fake: FakeOdoo, odooId: number) => orderActionCalls(fake, odooId, 'write');

function suite(protocol: 'jsonrpc' | 'json2', confirm: boolean) {
  let fake: FakeOdoo;
  let service: TestService;
  let webshop: string;
  let admin: string;
  let odooToken: string;
  const run = runId();
  const id = (name: string) => `${name}-UP-${run}`;
  const settled = confirm ? 'confirmed' : 'synced';
  const children: ChildProcess[] = [];

  useSyncBackFixture({
    odoo: protocol,
    env: { SYNC_BACK_CONFIRM: String(confirm), ODOO_UNKNOWN_OUTCOME_SETTLE: '3s' },
    tokens: ['webshop', 'admin', 'odoo'],
    ready: (f) => {
      ({ fake, service, webshop, admin } = f);
      odooToken = f.odoo;
    },
    teardown: () => Promise.all(children.map(killWorker)),
  });

  /** A partner and three products in Odoo and here; an order of the first two, created (and confirmed) in Odoo. */
  async function ordered(name: string) {
    const partner = id(`${name}P`);
    await seedPartner(service, fake, partner);
    const products = [0, 1, 2].map((i) => id(`${name}M${i}`));
    const odooIds = await seedProducts(service, fake, products);
    const productIds = new Map(odooIds.map((odooId, i) => [odooId, products[i]!]));
    const number = id(`WEB-${name}`);
    await postOrder(service, webshop, webshopOrder(number, partner, products.slice(0, 2)));
    await untilState(service, webshop, number, settled);
    await syncBackHandle(service, number).result();
    const side = () => odooSide(fake, number, productIds);
    /** The order posted again with these lines (quantity, price 12.5). */
    const repost = (lines: [product: string, quantity: number][], extra: object = {}) =>
      postOrder(service, webshop, {
        ...webshopOrder(number, partner, []),
        lines: lines.map(([product, quantity], i) => ({
          product_external_id: product,
          quantity,
          price_unit: 12.5,
          discount: i === 0 && product === products[0] ? 10 : null,
        })),
        ...extra,
      });
    return { number, partner, products, side, repost, odooId: side().id };
  }

  const resolutions = async (number: string) =>
    (
      await service.resources.orm.em
        .fork()
        .find(SyncResolutionSchema, { externalId: number }, { orderBy: { id: 'asc' } })
    ).map((r) => ({ rule: r.rule, field: r.field, webshop: r.webshopValue, odoo: r.odooValue, by: r.decidedBy }));

  const resolve = (number: string, body: unknown) =>
    service.request('POST', `/api/v1/admin/workflows/sync:sale_order:${encodeURIComponent(number)}/resolve`, {
      token: admin,
      body,
    });

  async function replay(number: string) {
    const handle = syncBackHandle(service, number);
    await Worker.runReplayHistory(
      { workflowBundle: await sharedWorkflowBundle() },
      await handle.fetchHistory(),
      handle.workflowId,
    );
  }

  it(`writes a changed repost to the ${confirm ? 'confirmed order' : 'quotation'} once, and reads Odoo's version back`, async () => {
    const { number, products, side, repost, odooId } = await ordered('W');
    const [m0, m1, m2] = products as [string, string, string];
    const first = await queueStatus(service, webshop, number);
    expect(first.odoo).toMatchObject({ state: confirm ? 'sale' : 'draft', delivery_status: 'nothing' });
    expect(first.odoo.lines.map((l: { product_external_id: string }) => l.product_external_id)).toEqual([m0, m1]);

    const res = await repost([
      [m0, 5],
      [m2, 1],
    ]);
    expect(res.status).toBe(202);
    expect(res.body.outcome).toBe('queued_for_odoo');
    // A confirmed order's line cannot be deleted in Odoo: it is emptied, as Odoo's own form does.
    const removed = confirm ? [{ product: m1, qty: 0 }] : [];
    await eventually(async () => (writeCalls(fake, odooId).length ? true : undefined), 30_000, 'the write');
    await syncBackHandle(service, number).result();
    const status = await queueStatus(service, webshop, number);
    expect(status.state).toBe(settled);
    expect(side().lines.map(({ product, qty }) => ({ product, qty }))).toEqual([
      { product: m0, qty: 5 },
      ...removed,
      { product: m2, qty: 1 },
    ]);
    expect(writeCalls(fake, odooId).map((r) => [r.protocol, r.outcome])).toEqual([[protocol, 'ok']]);
    expect(
      status.odoo.lines.map((l: { product_external_id: string; quantity: number }) => [
        l.product_external_id,
        l.quantity,
      ]),
    ).toEqual([[m0, 5], ...(confirm ? [[m1, 0]] : []), [m2, 1]]);
    expect((await resolutions(number)).map((r) => [r.rule, r.field, r.by])).toEqual([
      ['webshop_only', `lines[${m0}].quantity`, 'rule'],
      ['webshop_only', `lines[${m1}]`, 'rule'],
      ['webshop_only', `lines[${m2}]`, 'rule'],
    ]);
    const metrics = (await service.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/sync_resolutions_total\{rule="webshop_only"\} [1-9]/);

    // The same post again: nothing more for Odoo.
    const again = await repost([
      [m0, 5],
      [m2, 1],
    ]);
    expect(again.body.outcome).toBe('unchanged');
    await syncBackHandle(service, number).result();
    expect(writeCalls(fake, odooId)).toHaveLength(1);
    if (protocol === 'jsonrpc') {
      await replay(number);
      recordHistory(syncBackHandle(service, number).workflowId, `sync-back-sale-order-updated-${settled}.json`);
    }
  });

  if (protocol === 'json2') return;

  it("merges an Odoo edit with a webshop edit to another field, and feeds Odoo's version back", async () => {
    const { number, products, side, repost, odooId } = await ordered('M');
    fake.update('sale.order', odooId, { date_order: '2026-12-24 10:00:00' });
    await repost([
      [products[0]!, 1],
      [products[1]!, 4],
    ]);
    await eventually(async () => (side().lines[1]?.qty === 4 ? true : undefined), 30_000, 'the write');
    const status = await untilState(service, webshop, number, settled);
    expect(side().date_order).toBe('2026-12-24 10:00:00');
    expect(status.odoo.date_order).toBe('2026-12-24T10:00:00Z');
    expect(writeCalls(fake, odooId)).toHaveLength(1);
    expect((await resolutions(number)).map((r) => [r.rule, r.field])).toEqual([
      ['odoo_only', 'date_order'],
      ['webshop_only', `lines[${products[1]}].quantity`],
    ]);
    const feed = await service.request('GET', '/api/v1/updated-sale-orders?direction=outbound&limit=500', {
      token: webshop,
    });
    const item = feed.body.items.find((i: { external_id: string }) => i.external_id === number);
    expect(item.changed_fields).toContain('odoo');
    expect(item.data.odoo).toMatchObject({ state: 'sale', date_order: '2026-12-24T10:00:00Z' });
  });

  it("puts the same line's quantity changed on both sides in conflict; the Update keeps the webshop's", async () => {
    const { number, products, side, repost, odooId } = await ordered('C');
    const line = side().lines[0]!;
    fake.update('sale.order.line', line.id, { product_uom_qty: 6 });
    await repost([
      [products[0]!, 3],
      [products[1]!, 2],
    ]);
    const status = await untilState(service, webshop, number, 'conflict');
    const field = `lines[${products[0]}].quantity`;
    expect(status.conflicts).toEqual([{ field, webshop: 3, odoo: 6 }]);
    expect(status.last_error).toBe(`Changed on both sides: ${field}`);
    const handle = syncBackHandle(service, number);
    await eventually(async () =>
      (await handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.SyncState) === 'conflict'
        ? true
        : undefined,
    );
    expect(writeCalls(fake, odooId)).toHaveLength(0);
    // The Temporal UI shows the workflow's current details: each field with both values.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain(`- ${field}: webshop 3, Odoo 6`);

    // The validator refuses a field that is not in conflict.
    await expect(
      handle.executeUpdate(resolveConflictUpdate, { args: [{ keep: 'webshop', fields: ['date_order'] }] }),
    ).rejects.toThrow(WorkflowUpdateFailedError);
    const result = await handle.executeUpdate(resolveConflictUpdate, { args: [{ keep: 'webshop' }] });
    expect(result).toEqual({ effect: 'merge', fields: [field] });
    await eventually(async () => (side().lines[0]!.qty === 3 ? true : undefined), 30_000, 'the decided write');
    await untilState(service, webshop, number, settled);
    expect(writeCalls(fake, odooId)).toHaveLength(1);
    expect((await resolutions(number)).filter((r) => r.rule.startsWith('operator'))).toEqual([
      { rule: 'operator_webshop', field, webshop: 3, odoo: 6, by: 'temporal' },
    ]);
    await handle.result();
    await replay(number);
    recordHistory(handle.workflowId, 'sync-back-sale-order-conflict-resolved.json');
  });

  it("resolves through the API keeping Odoo's value (nothing written); 409 when there is nothing to resolve", async () => {
    const { number, products, side, repost, odooId } = await ordered('A');
    fake.update('sale.order.line', side().lines[0]!.id, { product_uom_qty: 6 });
    await repost([
      [products[0]!, 3],
      [products[1]!, 2],
    ]);
    await untilState(service, webshop, number, 'conflict');
    const notInConflict = await resolve(number, { keep: 'odoo', fields: ['lines[nope].quantity'] });
    expect(notInConflict.status).toBe(409);
    expect(notInConflict.body.error.code).toBe('no_conflict');
    expect((await resolve(number, { keep: 'both' })).status).toBe(400);

    const res = await resolve(number, { keep: 'odoo' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      workflow_id: `sync:sale_order:${number}`,
      effect: 'merge',
      fields: [`lines[${products[0]}].quantity`],
    });
    const status = await untilState(service, webshop, number, settled);
    expect(side().lines[0]!.qty).toBe(6);
    expect(status.odoo.lines[0].quantity).toBe(6);
    expect(writeCalls(fake, odooId)).toHaveLength(0);
    expect((await resolutions(number)).map((r) => [r.rule, r.by])).toEqual([['operator_odoo', 'api:test-admin']]);

    const again = await resolve(number, { keep: 'odoo' });
    expect(again.status).toBe(409);
    expect((await resolve(id('NOPE'), { keep: 'odoo' })).status).toBe(404);
  });

  it('sends a write whose answer is lost once', async () => {
    const { number, products, side, repost, odooId } = await ordered('L');
    fake.dropResponseAfterCommit(1, { model: 'sale.order', method: 'write' });
    await repost([
      [products[0]!, 1],
      [products[1]!, 2],
      [products[2]!, 7],
    ]);
    await eventually(async () => (side().lines.length === 3 ? true : undefined), 30_000, 'the write');
    await untilState(service, webshop, number, settled);
    await syncBackHandle(service, number).result();
    expect(side().lines.map((l) => l.product)).toEqual(products);
    expect(writeCalls(fake, odooId).map((r) => r.outcome)).toEqual(['dropped']);
  });

  it('applies a change posted while a write is in flight after it, not dropped', async () => {
    const { number, products, side, repost, odooId } = await ordered('F');
    fake.hang(900, { model: 'sale.order', method: 'write', times: 1 });
    await repost([
      [products[0]!, 4],
      [products[1]!, 2],
    ]);
    await eventually(async () => (writeCalls(fake, odooId).some((r) => r.outcome === 'pending') ? true : undefined));
    expect(
      (
        await repost([
          [products[0]!, 4],
          [products[1]!, 8],
        ])
      ).body.outcome,
    ).toBe('queued_for_odoo');
    await eventually(async () => (side().lines[1]!.qty === 8 ? true : undefined), 30_000, 'the second change');
    await syncBackHandle(service, number).result();
    expect(side().lines.map((l) => l.qty)).toEqual([4, 8]);
    expect(writeCalls(fake, odooId).map((r) => r.outcome)).toEqual(['ok', 'ok']);
  });

  it('writes once when the worker dies between the write and its bookkeeping', async () => {
    const { number, products, side, repost, odooId } = await ordered('K');
    await service.stopWorker();
    const first = await spawnWorker(service.env);
    children.push(first);
    // Odoo is slow to run this write: the worker dies while it is in flight, Odoo commits it afterwards.
    fake.hang(3_000, { model: 'sale.order', method: 'write', times: 1 });
    await repost([
      [products[0]!, 1],
      [products[1]!, 2],
      [products[2]!, 3],
    ]);
    await eventually(async () => (writeCalls(fake, odooId).some((r) => r.outcome === 'pending') ? true : undefined));
    await killWorker(first);
    children.push(await spawnWorker(service.env));
    await eventually(async () => (side().lines.length === 3 ? true : undefined), 60_000, 'the write');
    await syncBackHandle(service, number).result();
    expect(side().lines.map((l) => l.product)).toEqual(products);
    expect(writeCalls(fake, odooId).map((r) => r.outcome)).toEqual(['client_gone']);
    expect((await queueStatus(service, webshop, number)).odoo.lines).toHaveLength(3);
  });

  it('merges a change whose workflow could not be told (Temporal unreachable at the post) from the sweep', async () => {
    const { number, partner, products, side, odooId } = await ordered('S');
    // Stored as the API stores it, but no workflow is told: as if Temporal had been unreachable.
    const order = { ...webshopOrder(number, partner, products.slice(0, 2)), lines: [] as object[] };
    order.lines = [
      { product_external_id: products[0], quantity: 1, price_unit: 12.5, discount: 10 },
      { product_external_id: products[1], quantity: 6, price_unit: 12.5, discount: null },
    ];
    const parsed = webshopOrderSchema.parse(order);
    const stored = await storeWebshopOrder(service.resources.orm.em as EntityManager, parsed, order);
    expect(stored.outcome).toBe('queued_for_odoo');
    await eventually(async () => (side().lines[1]!.qty === 6 ? true : undefined), 30_000, 'the swept merge');
    await syncBackHandle(service, number).result();
    expect(writeCalls(fake, odooId)).toHaveLength(1);
    expect((await queueStatus(service, webshop, number)).state).toBe(settled);
  });

  it('decides a refused cancel: kept for the webshop it is sent again, kept for Odoo it is dropped', async () => {
    const { number, odooId } = await ordered('R');
    fake.deliver(odooId);
    const cancel = () =>
      service.request('POST', `/api/v1/webshop/sale-orders/${encodeURIComponent(number)}/cancel`, { token: webshop });
    expect((await cancel()).status).toBe(202);
    await untilState(service, webshop, number, 'conflict');
    const cancels = () => orderActionCalls(fake, odooId, 'action_cancel').map((r) => r.outcome);
    expect(cancels()).toEqual(['odoo_error']);

    // The webshop's side: the cancel is sent again (Odoo refuses it again: the goods are still delivered).
    const again = await syncBackHandle(service, number).executeUpdate(resolveConflictUpdate, {
      args: [{ keep: 'webshop', fields: ['state'] }],
    });
    expect(again).toEqual({ effect: 'cancel_again', fields: ['state'] });
    await eventually(async () => (cancels().length === 2 ? true : undefined), 30_000, 'the second cancel');
    await untilState(service, webshop, number, 'conflict');

    // Odoo's side: the cancel is dropped, the order goes on as Odoo has it.
    const kept = await resolve(number, { keep: 'odoo' });
    expect(kept.status).toBe(200);
    expect(kept.body.effect).toBe('cancel_dropped');
    const status = await untilState(service, webshop, number, settled);
    expect(status).toMatchObject({ cancelled: false, odoo_state: 'sale', conflicts: [] });
    await syncBackHandle(service, number).result();
    expect(cancels()).toEqual(['odoo_error', 'odoo_error']);
    expect((await resolutions(number)).map((r) => [r.rule, r.field, r.by])).toEqual([
      ['operator_webshop', 'state', 'temporal'],
      ['operator_odoo', 'state', 'api:test-admin'],
      ['operator_odoo', 'qty_delivered', 'api:test-admin'],
    ]);
    await replay(number);
    recordHistory(syncBackHandle(service, number).workflowId, 'sync-back-sale-order-cancel-decided.json');
  });

  it('resolves the other way round too: the Update keeps Odoo, the API keeps the webshop', async () => {
    const { number, products, side, repost, odooId } = await ordered('O');
    const field = `lines[${products[0]}].quantity`;
    const conflict = async (webshopQty: number, odooQty: number) => {
      fake.update('sale.order.line', side().lines[0]!.id, { product_uom_qty: odooQty });
      await repost([
        [products[0]!, webshopQty],
        [products[1]!, 2],
      ]);
      await untilState(service, webshop, number, 'conflict');
    };
    await conflict(3, 6);
    const kept = await syncBackHandle(service, number).executeUpdate(resolveConflictUpdate, {
      args: [{ keep: 'odoo', fields: [field], by: 'ops:jane' }],
    });
    expect(kept).toEqual({ effect: 'merge', fields: [field] });
    await untilState(service, webshop, number, settled);
    expect(side().lines[0]!.qty).toBe(6);

    await conflict(4, 7);
    expect((await resolve(number, { keep: 'webshop', fields: [field] })).body.effect).toBe('merge');
    await eventually(async () => (side().lines[0]!.qty === 4 ? true : undefined), 30_000, 'the decided write');
    await untilState(service, webshop, number, settled);
    expect(writeCalls(fake, odooId)).toHaveLength(1);
    expect((await resolutions(number)).filter((r) => r.rule.startsWith('operator'))).toEqual([
      { rule: 'operator_odoo', field, webshop: 3, odoo: 6, by: 'ops:jane' },
      { rule: 'operator_webshop', field, webshop: 4, odoo: 7, by: 'api:test-admin' },
    ]);
  });

  it("lets Odoo's cancel win over a webshop edit", async () => {
    const { number, products, side, repost, odooId } = await ordered('X');
    fake.update('sale.order', odooId, { state: 'cancel' });
    await repost([[products[0]!, 9]]);
    const status = await untilState(service, webshop, number, 'cancelled');
    expect(status).toMatchObject({ odoo_state: 'cancel', cancelled: true });
    expect(side().lines[0]!.qty).toBe(1);
    expect(writeCalls(fake, odooId)).toHaveLength(0);
    expect((await resolutions(number)).map((r) => [r.rule, r.field, r.odoo])).toEqual([
      ['cancel_wins', 'state', 'cancel'],
    ]);
    // A cancelled order takes no more changes.
    expect((await repost([[products[0]!, 2]])).body.outcome).toBe('conflict');
  });

  it("takes Odoo's pushed version: a delivery shows in the status and the feed; a webshop change then conflicts", async () => {
    const { number, partner, products, side, repost, odooId } = await ordered('D');
    fake.deliver(odooId);
    // Odoo pushes its order (as a push module would), carrying the webshop's number as client_order_ref.
    const pushed = await service.request('POST', '/api/v1/sale-orders', {
      token: odooToken,
      body: {
        external_id: `ODOO-SO-${odooId}-${run}`,
        odoo_id: odooId,
        partner_external_id: partner,
        client_order_ref: number,
        state: 'sale',
        write_date: new Date().toISOString(),
        lines: side().lines.map((l) => ({ product_external_id: l.product, quantity: l.qty })),
      },
    });
    expect(pushed.status).toBe(200);
    const status = await eventually(async () => {
      const s = await queueStatus(service, webshop, number);
      return s.odoo?.delivery_status === 'full' ? s : undefined;
    });
    expect(status.odoo.lines.map((l: { qty_delivered: number }) => l.qty_delivered)).toEqual([1, 2]);

    const res = await repost([
      [products[0]!, 1],
      [products[1]!, 5],
    ]);
    expect(res.body.outcome).toBe('conflict');
    const conflict = await untilState(service, webshop, number, 'conflict');
    expect(conflict.conflicts).toEqual([{ field: `lines[${products[1]}].quantity`, webshop: 5, odoo: 2 }]);
    expect(conflict.last_error).toMatch(/delivered in Odoo/);
    expect(writeCalls(fake, odooId)).toHaveLength(0);
  });
}

describe('webshop order changes after the create, confirmed (JSON-RPC)', () => suite('jsonrpc', true));
describe('webshop order changes after the create, quotation (JSON-2)', () => suite('json2', false));
