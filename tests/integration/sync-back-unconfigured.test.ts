import { createLogger } from '../../observability/logger';
import { startWorker, type RunningWorker } from '../../runtime/worker-process';
import type { FakeOdoo } from '../support/fake-odoo';
import { useSyncBackFixture } from '../support/fixtures';
import { eventually, sharedWorkflowBundle, type TestService } from '../support/service-harness';
import {
  odooOrders,
  postOrder,
  queueStatus,
  runId,
  seedPartner,
  seedProducts,
  untilState,
  webshopOrder,
} from '../support/sync-back';
import { testBackends } from '../support/test-backends';

jest.setTimeout(180_000);

describe('sync-back without Odoo configured', () => {
  let fake: FakeOdoo;
  let service: TestService;
  let configured: RunningWorker | undefined;
  const run = runId();

  useSyncBackFixture({
    odoo: 'unconfigured',
    ready: (f) => ({ fake, service } = f),
    teardown: () => configured?.close(),
  });

  it('keeps the order pending, says so, and creates it once a worker runs with the Odoo settings', async () => {
    const [partner, mug] = [`UP-${run}`, `UMUG-${run}`];
    await seedPartner(service, fake, partner);
    await seedProducts(service, fake, [mug]);
    const webshop = await service.token(['webshop']);
    const number = `UNCONFIGURED-${run}`;
    await postOrder(service, webshop, webshopOrder(number, partner, [mug]));

    const waiting = await eventually(async () => {
      const status = await queueStatus(service, webshop, number);
      return status.last_error ? status : undefined;
    });
    expect(waiting).toMatchObject({
      state: 'pending',
      attempts: 0,
      last_error: expect.stringMatching(/not configured/),
    });
    const ready = await service.request('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.odoo).toMatchObject({ status: 'not_configured' });

    await service.stopWorker();
    const config = {
      ...service.config,
      odoo: { url: fake.url, db: fake.db, login: fake.login, apiKey: fake.apiKey, protocol: 'jsonrpc' as const },
    };
    configured = await startWorker(config, createLogger('silent'), service.resources, testBackends().temporalAddress, {
      workflowBundle: await sharedWorkflowBundle(),
    });
    await untilState(service, webshop, number, 'synced', 60_000);
    expect(odooOrders(fake, number)).toHaveLength(1);
  });
});
