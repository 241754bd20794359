import { SEARCH_ATTRIBUTES } from '../../workflows/contract';
import type { FakeOdoo } from '../support/fake-odoo';
import { useSyncBackFixture } from '../support/fixtures';
import { eventually, type TestService } from '../support/service-harness';
import {
  odooOrders,
  postOrder,
  queueStatus,
  runId,
  saleOrderCalls,
  seedPartner,
  seedProducts,
  syncBackHandle,
  untilState,
  webshopOrder,
} from '../support/sync-back';

jest.setTimeout(240_000);

describe('webshop orders through Odoo failures', () => {
  let fake: FakeOdoo;
  let service: TestService;
  let webshop: string;
  let admin: string;
  const run = runId();
  const id = (name: string) => `${name}-${run}`;
  const partner = id('P');
  const products = [id('MUG'), id('CUP')];

  useSyncBackFixture({
    // One call at a time makes the breaker's counting, and so the request log, deterministic.
    env: { ODOO_MAX_CONCURRENT: '1' },
    tokens: ['webshop', 'admin'],
    ready: async (f) => {
      ({ fake, service, webshop, admin } = f);
      await seedPartner(service, fake, partner);
      await seedProducts(service, fake, products);
    },
  });

  const breakerGauge = async () => {
    const metrics = await service.request('GET', '/metrics');
    return /odoo_circuit_breaker_state\{state="(\w+)"\} 1/.exec(metrics.body as string)?.[1];
  };

  it('creates every order exactly once after Odoo was down for a while', async () => {
    await fake.refuseConnections();
    const numbers = Array.from({ length: 10 }, (_, i) => id(`DOWN-${i}`));
    for (const number of numbers) {
      expect((await postOrder(service, webshop, webshopOrder(number, partner, products))).status).toBe(202);
    }
    await eventually(async () => {
      const statuses = await Promise.all(numbers.map((n) => queueStatus(service, webshop, n)));
      return statuses.every((s) => s.state === 'syncing' && s.attempts >= 1 && s.last_error) ? statuses : undefined;
    });
    expect((await queueStatus(service, webshop, numbers[0]!)).last_error).toMatch(/ECONNREFUSED|circuit open/);
    await eventually(async () => ((await breakerGauge()) === 'open' ? true : undefined));
    const overview = await service.request('GET', '/api/v1/admin/overview', { token: admin });
    expect(overview.body.sync_back.retrying).toBe(10);

    await fake.acceptConnections();
    for (const number of numbers) await untilState(service, webshop, number, 'synced');
    for (const number of numbers) {
      expect(odooOrders(fake, number)).toHaveLength(1);
      expect(saleOrderCalls(fake, number).map((r) => r.method)).toEqual(['search', 'create']);
    }
    await eventually(async () => ((await breakerGauge()) === 'closed' ? true : undefined));
  });

  it('creates no duplicate when Odoo committed the create but the answer was lost', async () => {
    const number = id('DROPPED');
    fake.dropResponseAfterCommit(1, { model: 'sale.order', method: 'create' });
    await postOrder(service, webshop, webshopOrder(number, partner, products));

    const status = await untilState(service, webshop, number, 'synced');
    expect(odooOrders(fake, number)).toHaveLength(1);
    expect(status.odoo_id).toBe(odooOrders(fake, number)[0]!.id);
    expect(saleOrderCalls(fake, number).map((r) => [r.method, r.outcome])).toEqual([
      ['search', 'ok'],
      ['create', 'dropped'],
      ['search', 'ok'],
    ]);
  });

  it('creates no duplicate when the create outlives the client timeout and lands later', async () => {
    const number = id('SLOW');
    fake.hang(1_500, { model: 'sale.order', method: 'create', times: 1 });
    await postOrder(service, webshop, webshopOrder(number, partner, products));

    await untilState(service, webshop, number, 'synced');
    await new Promise((r) => setTimeout(r, 2_500));
    expect(odooOrders(fake, number)).toHaveLength(1);
    const calls = saleOrderCalls(fake, number);
    expect(calls.filter((r) => r.method === 'create')).toEqual([expect.objectContaining({ outcome: 'client_gone' })]);
    expect(calls.at(-1)).toMatchObject({ method: 'search', outcome: 'ok' });
  });

  it('marks the order failed with Odoo’s message on a ValidationError, and syncs it after an operator retry', async () => {
    const number = id('INVALID');
    const message = 'The customer has no invoice address.';
    fake.failWith('odoo.exceptions.ValidationError', message, { model: 'sale.order', method: 'create', times: 1 });
    await postOrder(service, webshop, webshopOrder(number, partner, products));

    const failed = await untilState(service, webshop, number, 'failed');
    expect(failed).toMatchObject({ last_error: `ValidationError: ${message}`, attempts: 1, odoo_id: null });
    await eventually(async () =>
      (await syncBackHandle(service, number).describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.SyncState) ===
      'failed'
        ? true
        : undefined,
    );
    const overview = await service.request('GET', '/api/v1/admin/overview', { token: admin });
    expect(overview.body.sync_back.failed).toBe(1);
    expect(saleOrderCalls(fake, number).map((r) => [r.method, r.outcome])).toEqual([
      ['search', 'ok'],
      ['create', 'odoo_error'],
    ]);

    // The cause is fixed in Odoo (the fake answers normally again); the operator retries.
    const retry = await service.request('POST', `/api/v1/admin/workflows/sync:sale_order:${number}/retry`, {
      token: admin,
    });
    expect(retry.status).toBe(202);
    const synced = await untilState(service, webshop, number, 'synced');
    expect(synced).toMatchObject({ attempts: 2, last_error: null });
    expect(odooOrders(fake, number)).toHaveLength(1);
  });

  it('opens the circuit breaker under repeated failures, keeps calls away while open, and closes after recovery', async () => {
    const numbers = [id('BRK-1'), id('BRK-2'), id('BRK-3')];
    const from = fake.requests.length;
    fake.failNext(6, 502, { model: 'sale.order' });
    for (const number of numbers) await postOrder(service, webshop, webshopOrder(number, partner, products));

    await eventually(async () => ((await breakerGauge()) === 'open' ? true : undefined));
    for (const number of numbers) await untilState(service, webshop, number, 'synced');

    const calls = fake.requests.slice(from).filter((r) => r.model === 'sale.order');
    const failures = calls.filter((r) => r.outcome === 'http_error');
    expect(failures).toHaveLength(6);
    // Three failures open the breaker; after that only one probe per open period reaches Odoo.
    const sinceOpen = calls.slice(2);
    for (let i = 1; i < 5; i++) {
      expect(sinceOpen[i]!.timestamp - sinceOpen[i - 1]!.timestamp).toBeGreaterThanOrEqual(950);
    }
    expect(calls.filter((r) => r.method === 'create')).toHaveLength(3);
    expect(await breakerGauge()).toBe('closed');
    const ready = await service.request('GET', '/ready');
    expect(ready.body.checks.odoo).toMatchObject({ status: 'configured', breaker: 'closed' });
  });
});

describe('the sync-back deadline', () => {
  let fake: FakeOdoo;
  let service: TestService;
  let webshop: string;
  let admin: string;
  const run = runId();

  useSyncBackFixture({
    env: { SYNC_BACK_DEADLINE: '3s' },
    tokens: ['webshop', 'admin'],
    ready: (f) => ({ fake, service, webshop, admin } = f),
  });

  it('marks the order failed once Odoo stayed unreachable past the deadline; a retry after recovery syncs it', async () => {
    const [partner, mug] = [`DP-${run}`, `DMUG-${run}`];
    await seedPartner(service, fake, partner);
    await seedProducts(service, fake, [mug]);
    await fake.refuseConnections();
    const number = `DEADLINE-${run}`;
    await postOrder(service, webshop, webshopOrder(number, partner, [mug]));

    const failed = await untilState(service, webshop, number, 'failed');
    expect(failed.last_error).toMatch(/^Not in Odoo after 3s of retries: (Odoo connection failed|circuit open)/);
    expect(failed.attempts).toBeGreaterThan(1);

    await fake.acceptConnections();
    await service.request('POST', `/api/v1/admin/workflows/sync:sale_order:${number}/retry`, { token: admin });
    await untilState(service, webshop, number, 'synced');
    expect(odooOrders(fake, number)).toHaveLength(1);
  });
});
