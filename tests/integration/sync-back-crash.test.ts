import type { ChildProcess } from 'node:child_process';
import type { FakeOdoo } from '../support/fake-odoo';
import { useSyncBackFixture } from '../support/fixtures';
import { eventually, type TestService } from '../support/service-harness';
import { killWorker, spawnWorker } from '../support/spawn-worker';
import {
  odooOrders,
  postOrder,
  runId,
  saleOrderCalls,
  seedPartner,
  seedProducts,
  untilState,
  webshopOrder,
} from '../support/sync-back';

jest.setTimeout(180_000);

const ATTEMPT_TIMEOUT_S = 90;

describe('a worker killed in the middle of a create', () => {
  let fake: FakeOdoo;
  let service: TestService;
  const children: ChildProcess[] = [];
  const run = runId();

  useSyncBackFixture({
    // Far from the attempt timeout: the attempt of a dead worker is retried once its heartbeat stops.
    env: { SYNC_BACK_ATTEMPT_TIMEOUT: `${ATTEMPT_TIMEOUT_S}s`, SYNC_BACK_HEARTBEAT_TIMEOUT: '2s', ODOO_TIMEOUT: '10s' },
    ready: (f) => ({ fake, service } = f),
    teardown: () => Promise.all(children.map(killWorker)),
  });

  it('leaves exactly one order in Odoo once a restarted worker takes over, within seconds of the death', async () => {
    const [partner, mug] = [`KP-${run}`, `KMUG-${run}`];
    await seedPartner(service, fake, partner);
    await seedProducts(service, fake, [mug]);
    await service.stopWorker();
    const first = await spawnWorker(service.env);
    children.push(first);

    // Odoo is slow to run this create: the worker dies while it is in flight, and Odoo commits it afterwards.
    fake.hang(3_000, { model: 'sale.order', method: 'create', times: 1 });
    const number = `KILLED-${run}`;
    await postOrder(service, await service.token(['webshop']), webshopOrder(number, partner, [mug]));
    await eventually(async () =>
      saleOrderCalls(fake, number).some((r) => r.method === 'create' && r.outcome === 'pending') ? true : undefined,
    );
    await killWorker(first);
    const killedAt = Date.now();
    children.push(await spawnWorker(service.env));

    const webshop = await service.token(['webshop']);
    await untilState(service, webshop, number, 'synced', ATTEMPT_TIMEOUT_S * 1000);
    const delayS = (Date.now() - killedAt) / 1000;
    console.info(`webshop order synced ${delayS.toFixed(1)} s after its worker was killed mid-attempt`);
    // Heartbeat timeout 2 s, unknown-outcome settle 2 s, worker start: well under the 90 s attempt timeout.
    expect(delayS).toBeLessThan(30);
    expect(odooOrders(fake, number)).toHaveLength(1);
    const calls = saleOrderCalls(fake, number);
    expect(calls.filter((r) => r.method === 'create')).toEqual([expect.objectContaining({ outcome: 'client_gone' })]);
    expect(calls.at(-1)).toMatchObject({ method: 'search', outcome: 'ok' });
  });
});
