import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { PartnerSchema } from '../../entities/partner';
import { inboundStateQuery, retrySignal, SEARCH_ATTRIBUTES } from '../../workflows/contract';
import { insertLegacyRows } from '../support/legacy-rows';
import { HISTORIES_DIR, recordHistory, runsOf } from '../support/record-history';
import { eventually, sharedWorkflowBundle, startTestService, type TestService } from '../support/service-harness';
import { testBackends } from '../support/test-backends';

jest.setTimeout(120_000);

const run = randomBytes(3).toString('hex');

/**
 * Recorded histories must replay against the current workflow code: a change that alters command order
 * without `patched()` fails here. Set RECORD_HISTORIES=1 to write the fresh histories as fixtures
 * (the continue-as-new ones are recorded by continue-as-new.test.ts, which runs its own server).
 */
describe('workflow replay', () => {
  let service: TestService;
  let odoo: string;

  beforeAll(async () => {
    // Short waits, so the stub and failed paths play out in seconds.
    service = await startTestService({
      env: {
        DEPENDENCY_GRACE_PERIOD: '1s',
        LEGACY_LOOKUP_ATTEMPTS: '2',
        LEGACY_LOOKUP_MAX_INTERVAL: '1s',
        STUB_STALE_AFTER: '1s',
      },
    });
    odoo = await service.token(['odoo']);
  });
  afterAll(() => service.stop());

  const client = () => service.resources.temporal.client;
  const push = (partners: object[]) => service.request('POST', '/api/v1/partners', { token: odoo, body: { partners } });
  const stateOf = async (externalId: string) =>
    (await service.resources.orm.em.fork().findOne(PartnerSchema, { externalId }))?.processingState;
  const until = (externalId: string, state: string, timeoutMs = 30_000) =>
    eventually(
      async () => ((await stateOf(externalId)) === state ? true : undefined),
      timeoutMs,
      `${externalId} ${state}`,
    );
  /** Waits for the workflow to finish, replays its (single) run and, when recording, stores it. */
  const replayAndRecord = async (workflowId: string, file: string) => {
    const handle = client().workflow.getHandle(workflowId);
    await handle.result();
    const runs = await runsOf(client(), workflowId);
    expect(runs).toHaveLength(1);
    await Worker.runReplayHistory({ workflowBundle: await sharedWorkflowBundle() }, runs[0]!.history, workflowId);
    recordHistory(workflowId, file, { address: testBackends().temporalAddress, runId: runs[0]!.runId });
    return runs[0]!;
  };

  it('replays every recorded history', async () => {
    const files = fs
      .readdirSync(HISTORIES_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files.length).toBeGreaterThan(0);
    const histories = files.map((file) => ({
      workflowId: file,
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
    const replayed: string[] = [];
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await sharedWorkflowBundle() }, histories)) {
      replayed.push(result.workflowId);
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed.sort()).toEqual(files);
  });

  it('replays a fresh partner run (processed)', async () => {
    await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: { external_id: 'REPLAY-1', type: 'C', name: 'First' },
    });
    await replayAndRecord('partner:REPLAY-1', 'inbound-partner-processed.json');
  });

  it('replays a fresh stub path: a legacy lookup creates the stub, it goes stale, the full push upgrades it', async () => {
    const parent = `REPLAY-STUB-${run}`;
    const child = `REPLAY-STUBCHILD-${run}`;
    await insertLegacyRows('partner', [{ external_id: parent, odoo_id: 4712, json_data: '{"type": "B"}' }]);
    await push([{ external_id: child, type: 'C', parent_external_id: parent }]);
    await until(child, 'processed');
    const childRun = await replayAndRecord(`partner:${child}`, 'inbound-partner-stub-created-by-lookup.json');
    expect(childRun.history.events!.some((e) => e.activityTaskScheduledEventAttributes)).toBe(true);

    await until(parent, 'stub');
    const stub = client().workflow.getHandle(`partner:${parent}`);
    await eventually(
      async () => ((await stub.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.StaleStub) ? true : undefined),
      20_000,
      'stub stale',
    );
    expect(await stub.query(inboundStateQuery)).toMatchObject({ state: 'stub', stale: true });
    await push([{ external_id: parent, odoo_id: 4712, type: 'B', name: 'Full record' }]);
    await until(parent, 'processed');
    await replayAndRecord(`partner:${parent}`, 'inbound-partner-stub-upgraded.json');
  });

  it('replays a fresh failed path: legacy lookups exhausted, failed, retried, processed', async () => {
    const parent = `REPLAY-LATE-${run}`;
    const child = `REPLAY-FAILED-${run}`;
    await push([{ external_id: child, type: 'D', parent_external_id: parent }]);
    await until(child, 'failed');
    const handle = client().workflow.getHandle(`partner:${child}`);
    await eventually(
      async () => ((await handle.query(inboundStateQuery)).state === 'failed' ? true : undefined),
      10_000,
      'workflow failed',
    );
    await insertLegacyRows('partner', [{ external_id: parent, odoo_id: 78, json_data: '{"type": "O"}' }]);
    await handle.signal(retrySignal);
    await until(child, 'processed');
    const failedRun = await replayAndRecord(`partner:${child}`, 'inbound-partner-failed-retried.json');
    expect(
      failedRun.history.events!.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'retry'),
    ).toBe(true);
  });
});
