import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApiApp } from '../../api/app';
import { PartnerSchema } from '../../entities/partner';
import { createLogger } from '../../observability/logger';
import { createWorkflowStarters } from '../../runtime/workflow-starters';
import { freePort } from '../support/free-port';
import { eventually, startTestService, type TestService } from '../support/service-harness';
import { killWorker, spawnWorker } from '../support/spawn-worker';

jest.setTimeout(180_000);

describe('an accepted push survives crashes', () => {
  let service: TestService;
  let odoo: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    service = await startTestService({ withWorker: false });
    odoo = await service.token(['odoo']);
  });
  afterAll(async () => {
    await Promise.all(children.map(killWorker));
    await service.stop();
  });

  const states = async (prefix: string) => {
    const rows = await service.resources.orm.em.fork().find(PartnerSchema, { externalId: { $like: `${prefix}%` } });
    return rows.map((r) => r.processingState);
  };

  it('processes every record once when the worker is killed right after the 200 and restarted', async () => {
    const first = await spawnWorker(service.env);
    children.push(first);
    const partners = Array.from({ length: 50 }, (_, i) => ({
      external_id: `KILL-${i}`,
      type: 'C',
      name: `Partner ${i}`,
    }));
    const push = await service.request('POST', '/api/v1/partners', { token: odoo, body: { partners } });
    expect(push.status).toBe(200);
    expect(push.body.created).toBe(50);
    await killWorker(first);

    children.push(await spawnWorker(service.env));
    await eventually(
      async () => ((await states('KILL-')).every((s) => s === 'processed') ? true : undefined),
      60_000,
      'all processed',
    );
    expect(await states('KILL-')).toHaveLength(50);
    // Every run, open or closed, per workflow id: exactly one each. A record started twice (a second run
    // after the first completed, or one per worker) shows up as a second run of the same id.
    const runsPerWorkflow = async () => {
      const runs = new Map<string, { runId: string; status: string }[]>();
      for await (const wf of service.resources.temporal.client.workflow.list({
        query: `WorkflowId STARTS_WITH "partner:KILL-" AND TaskQueue = "${service.config.temporal.taskQueue}"`,
      })) {
        runs.set(wf.workflowId, [...(runs.get(wf.workflowId) ?? []), { runId: wf.runId, status: wf.status.name }]);
      }
      return runs;
    };
    // Visibility is eventually consistent: wait until every workflow is listed and every run is finished.
    const runs = await eventually(
      async () => {
        const listed = await runsPerWorkflow();
        const all = [...listed.values()].flat();
        return listed.size === 50 && all.every((r) => r.status !== 'RUNNING') ? listed : undefined;
      },
      20_000,
      'every run listed and finished',
    );
    expect([...runs].filter(([, list]) => list.length !== 1)).toEqual([]);
    expect([...runs.values()].flat().map((r) => r.status)).toEqual(Array(50).fill('COMPLETED'));
  });

  it('stores the push as pending when Temporal is unreachable and hands it off once it can', async () => {
    await service.startWorker();
    const closedPort = await freePort();
    const deadConnection = Connection.lazy({ address: `127.0.0.1:${closedPort}`, connectTimeout: '1s' });
    const log = createLogger('silent');
    const starters = createWorkflowStarters(
      service.config,
      new Client({ connection: deadConnection }),
      service.resources.metrics,
      log,
    );
    const { app } = createApiApp({ ...service.resources, config: service.config, log, ...starters });
    const server = app.listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/partners`, {
        method: 'POST',
        headers: { authorization: `Bearer ${odoo}`, 'content-type': 'application/json' },
        body: JSON.stringify({ external_id: 'OUTAGE-1', type: 'B', name: 'Stored during an outage' }),
      });
      expect(res.status).toBe(200);
      await eventually(async () => {
        const starts = await service.resources.metrics.workflowStarts.get();
        return starts.values.some((v) => v.labels.result === 'deferred' && v.value >= 1) ? true : undefined;
      });
      expect(await states('OUTAGE-')).toHaveLength(1);
      // The worker's sweep finds it and starts its workflow.
      await eventually(
        async () => ((await states('OUTAGE-'))[0] === 'processed' ? true : undefined),
        60_000,
        'processed after the outage',
      );
      const handle = service.resources.temporal.client.workflow.getHandle('partner:OUTAGE-1');
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    } finally {
      server.close();
      await deadConnection.close();
    }
  });
});
