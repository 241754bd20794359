import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { PartnerSchema } from '../../entities/partner';
import { ensureTemporalBinaries } from '../../runtime/temporal/binaries';
import { startTemporalDevServer, type TemporalDevServer } from '../../runtime/temporal/dev-server';
import {
  inboundStateQuery,
  retrySignal,
  SEARCH_ATTRIBUTES,
  type InboundRecordInput,
  type InboundRecordStatus,
} from '../../workflows/contract';
import { freePort } from '../support/free-port';
import { insertLegacyRows } from '../support/legacy-rows';
import { recordRuns, runsOf, type WorkflowRun } from '../support/record-history';
import { eventually, sharedWorkflowBundle, startTestService, type TestService } from '../support/service-harness';

jest.setTimeout(300_000);

/**
 * The server suggests continue-as-new once a run's history has this many events (the default is
 * thousands), so every state of the inbound workflow reaches its continue-as-new points within seconds.
 */
const SUGGEST_AFTER_EVENTS = 20;
/**
 * A run continues as new at the first check after the suggestion, which comes with the next workflow task:
 * one more round of work (a push, a lookup) at most. Without continue-as-new a history grows without bound.
 */
const MAX_RUN_EVENTS = 2 * SUGGEST_AFTER_EVENTS;
const CAN_WHILE_WAITING_PATCH = 'inbound-continue-as-new-while-waiting';

const run = randomBytes(3).toString('hex');
const id = (name: string) => `CAN-${name}-${run}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const inputOf = (r: WorkflowRun) => r.input as InboundRecordInput;
const lastEvent = (r: WorkflowRun) => r.history.events!.at(-1)!;
const patchIds = (r: WorkflowRun) =>
  r.history
    .events!.map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_patch')
    .map((m) => (defaultPayloadConverter.fromPayload(m!.details!['patch-data']!.payloads![0]!) as { id: string }).id);

/** Every run bounded, every run but the last continued as new, the last one completed. */
function expectCompletedChain(runs: WorkflowRun[]): void {
  expect(runs.length).toBeGreaterThan(1);
  for (const r of runs) expect(r.events).toBeLessThanOrEqual(MAX_RUN_EVENTS);
  for (const r of runs.slice(0, -1)) expect(r.continuedAsNew).toBe(true);
  expect(lastEvent(runs.at(-1)!).workflowExecutionCompletedEventAttributes).toBeTruthy();
  // Each run after the first started from what the one before handed over.
  for (const r of runs.slice(1)) expect(inputOf(r).carried).toBeDefined();
}

async function replay(workflowId: string, runs: WorkflowRun[]): Promise<void> {
  const failures: string[] = [];
  const histories = runs.map((r, i) => ({ workflowId: `${workflowId} run ${i + 1}`, history: r.history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: await sharedWorkflowBundle() }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
}

describe('inbound records continue as new in every state, losing no work', () => {
  let server: TemporalDevServer;
  let dir: string;
  let previousAddress: string | undefined;
  /** Dependencies are only waited for: no legacy lookup within the test. */
  let waiting: TestService;
  /** Short grace period, lookups and staleness, so stubs and failures play out in seconds. */
  let lookups: TestService;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-test-can-'));
    server = await startTemporalDevServer({
      cliPath: ensureTemporalBinaries().cli,
      dbFile: path.join(dir, 'temporal.sqlite'),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_AFTER_EVENTS}`],
    });
    // The harness wires the API and the worker to the suite's server; this file's processes use its own.
    previousAddress = process.env.TEST_TEMPORAL_ADDRESS;
    process.env.TEST_TEMPORAL_ADDRESS = server.address;
    waiting = await startTestService({ env: { DEPENDENCY_GRACE_PERIOD: '1h' } });
    lookups = await startTestService({
      env: {
        DEPENDENCY_GRACE_PERIOD: '1s',
        LEGACY_LOOKUP_ATTEMPTS: '3',
        LEGACY_LOOKUP_MAX_INTERVAL: '1s',
        STUB_STALE_AFTER: '2s',
      },
    });
  });

  afterAll(async () => {
    await waiting?.stop();
    await lookups?.stop();
    await server?.stop();
    process.env.TEST_TEMPORAL_ADDRESS = previousAddress;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const helpers = (service: TestService) => {
    const client = service.resources.temporal.client;
    let token: Promise<string> | undefined;
    const push = async (partners: object[]) => {
      token ??= service.token(['odoo']);
      const res = await service.request('POST', '/api/v1/partners', { token: await token, body: { partners } });
      expect(res.status).toBe(200);
      return res.body;
    };
    const row = (externalId: string) => service.resources.orm.em.fork().findOne(PartnerSchema, { externalId });
    const until = (externalId: string, state: string, timeoutMs = 30_000) =>
      eventually(
        async () => ((await row(externalId))?.processingState === state ? true : undefined),
        timeoutMs,
        `${externalId} ${state}`,
      );
    const handle = (externalId: string) => client.workflow.getHandle(`partner:${externalId}`);
    const status = (externalId: string) => handle(externalId).query(inboundStateQuery);
    const untilStatus = (externalId: string, matches: (s: InboundRecordStatus) => boolean, what: string) =>
      eventually(
        async () => {
          const current = await status(externalId);
          return matches(current) ? current : undefined;
        },
        30_000,
        what,
      );
    const runs = (externalId: string) => runsOf(client, `partner:${externalId}`);
    /** Waits until the workflow id has more than `count` runs. */
    const untilMoreRunsThan = (externalId: string, count: number) =>
      eventually(
        async () => {
          const chain = await runs(externalId);
          return chain.length > count ? chain : undefined;
        },
        30_000,
        'a new run',
      );
    /** The chain once its last run has completed (the row is processed a moment before that). */
    const finished = async (externalId: string) => {
      await handle(externalId).result();
      return runs(externalId);
    };
    return { client, push, row, until, handle, status, untilStatus, runs, untilMoreRunsThan, finished };
  };

  it('waiting: a record pushed again and again while awaiting its parent continues as new, no history grows past the limit', async () => {
    const { push, row, until, untilStatus, runs, finished } = helpers(waiting);
    const child = id('WAITER');
    const parent = id('WAITED');
    const version = (n: number) => ({ external_id: child, type: 'D', parent_external_id: parent, name: `v${n}` });
    await push([version(0)]);
    await until(child, 'awaiting_dependency');

    const PUSHES = 30;
    for (let n = 1; n <= PUSHES; n++) {
      expect(await push([version(n)])).toMatchObject({ updated: 1 });
      await sleep(100);
    }
    // Each push is processed (and seen to still miss its parent) by whichever run is current.
    await untilStatus(child, (s) => s.state === 'awaiting_dependency', 'awaiting after the pushes');
    await until(child, 'awaiting_dependency');
    const whileWaiting = await runs(child);
    expect(whileWaiting.length).toBeGreaterThan(2);
    for (const r of whileWaiting) expect(r.events).toBeLessThanOrEqual(MAX_RUN_EVENTS);
    // Altogether far more than one run may hold: without continuing as new it would all be one history.
    expect(whileWaiting.reduce((sum, r) => sum + r.events, 0)).toBeGreaterThan(3 * SUGGEST_AFTER_EVENTS);
    // They continued from the awaiting-dependency branch (the patched check), not after a finished wait.
    expect(patchIds(whileWaiting[0]!)).toContain(CAN_WHILE_WAITING_PATCH);
    for (const r of whileWaiting.slice(1)) expect(inputOf(r).legacyMisses).toBe(0);

    await push([{ external_id: parent, type: 'B', name: 'Parent' }]);
    await until(child, 'processed');
    expect((await row(child))!.name).toBe(`v${PUSHES}`);
    const done = await finished(child);
    expectCompletedChain(done);
    await replay(`partner:${child}`, done);
  });

  it('waiting: records the two runs of a record that continued as new while awaiting its parent', async () => {
    const { push, until, runs, untilStatus, finished } = helpers(waiting);
    const child = id('WAITER2');
    const parent = id('WAITED2');
    await push([{ external_id: child, type: 'D', parent_external_id: parent, name: 'v0' }]);
    await until(child, 'awaiting_dependency');
    // Pushed one at a time, each processed before the next, until the run continues as new once.
    for (let n = 1; (await runs(child)).length === 1; n++) {
      expect(n).toBeLessThan(10);
      await push([{ external_id: child, type: 'D', parent_external_id: parent, name: `v${n}` }]);
      await until(child, 'awaiting_dependency');
      await untilStatus(child, (s) => s.state === 'awaiting_dependency', 'awaiting');
    }
    await push([{ external_id: parent, type: 'B', name: 'Parent' }]);
    await until(child, 'processed');
    const done = await finished(child);
    expect(done).toHaveLength(2);
    expectCompletedChain(done);
    expect(patchIds(done[0]!)).toContain(CAN_WHILE_WAITING_PATCH);
    await replay(`partner:${child}`, done);
    recordRuns(`partner:${child}`, done, 'inbound-partner-continued-while-waiting', { address: server.address });
  });

  it('failed with a retry pending: the lookups count across runs, and the retry taken at continue-as-new runs in the next run', async () => {
    const { push, until, untilStatus, handle, runs, untilMoreRunsThan, finished } = helpers(lookups);
    const child = id('ORPHAN');
    const parent = id('LATE');
    await push([{ external_id: child, type: 'D', parent_external_id: parent }]);
    // Grace 1s, then lookups finding nothing; the runs continue as new in between and hand the misses over.
    await until(child, 'failed');
    const failed = await untilStatus(child, (s) => s.state === 'failed', 'workflow failed');
    expect(failed).toMatchObject({ legacyMisses: 3, lastError: expect.stringContaining('after 3 legacy lookups') });
    const beforeRetry = await runs(child);
    expect(beforeRetry.length).toBeGreaterThan(1);
    expect(beforeRetry.some((r) => (inputOf(r).legacyMisses ?? 0) > 0)).toBe(true);
    const failedRun = beforeRetry.at(-1)!;
    // The precondition of what follows: the failed run is past the limit, so the retry continues it as new.
    expect(failedRun.events).toBeGreaterThanOrEqual(SUGGEST_AFTER_EVENTS);

    await insertLegacyRows('partner', [{ external_id: parent, odoo_id: 79, json_data: '{"type": "O"}' }]);
    await handle(child).signal(retrySignal);
    const afterRetry = await untilMoreRunsThan(child, beforeRetry.length);
    const continued = afterRetry[beforeRetry.length - 1]!;
    expect(continued.runId).toBe(failedRun.runId);
    expect(continued.continuedAsNew).toBe(true);
    // The failed run took the retry, then continued as new: the retry went along and lookups start over.
    expect(inputOf(afterRetry[beforeRetry.length]!)).toMatchObject({
      legacyMisses: 0,
      carried: { retryRequested: true },
    });

    await until(child, 'processed');
    const done = await finished(child);
    expectCompletedChain(done);
    await replay(`partner:${child}`, done);
    recordRuns(`partner:${child}`, done, 'inbound-partner-continued-failed-retried', { address: server.address });
  });

  it('failed, woken by its late parent: the wake is taken as a retry and carried into the next run', async () => {
    const { push, until, untilStatus, runs, untilMoreRunsThan, finished } = helpers(lookups);
    const child = id('ORPHAN2');
    const parent = id('LATE2');
    await push([{ external_id: child, type: 'D', parent_external_id: parent }]);
    await until(child, 'failed');
    await untilStatus(child, (s) => s.state === 'failed', 'workflow failed');
    const beforeWake = await runs(child);
    expect(beforeWake.at(-1)!.events).toBeGreaterThanOrEqual(SUGGEST_AFTER_EVENTS);

    await push([{ external_id: parent, type: 'B', name: 'Late parent' }]);
    const afterWake = await untilMoreRunsThan(child, beforeWake.length);
    expect(inputOf(afterWake[beforeWake.length]!).carried).toMatchObject({ retryRequested: true });
    await until(child, 'processed');
    const done = await finished(child);
    expectCompletedChain(done);
    await replay(`partner:${child}`, done);
  });

  /** A stub from a legacy lookup that went stale, then was woken by retries until it continued as new. */
  const staleStubContinuedAsNew = async (name: string, odooId: number) => {
    const { push, until, untilStatus, handle, runs, untilMoreRunsThan } = helpers(lookups);
    const parent = id(name);
    await insertLegacyRows('partner', [{ external_id: parent, odoo_id: odooId, json_data: '{"type": "B"}' }]);
    await push([{ external_id: id(`${name}CHILD`), type: 'C', parent_external_id: parent }]);
    await until(parent, 'stub');
    await untilStatus(parent, (s) => s.state === 'stub' && s.stale, 'stale stub');
    expect(await runs(parent)).toHaveLength(1);
    // Each retry finds the stub unchanged and waits again; the history grows until it continues as new.
    for (let n = 0; (await runs(parent)).length === 1; n++) {
      expect(n).toBeLessThan(10);
      await handle(parent).signal(retrySignal);
      await sleep(300);
    }
    await untilMoreRunsThan(parent, 1);
    await untilStatus(parent, (s) => s.state === 'stub', 'stub processed in the new run');
    return { parent, continued: await runs(parent) };
  };

  it('stub: a stub woken by retries continues as new and stays a stub until the full push upgrades it', async () => {
    const { push, row, until, handle, finished } = helpers(lookups);
    const { parent, continued } = await staleStubContinuedAsNew('STUB', 4713);
    expect(continued[0]!.continuedAsNew).toBe(true);
    expect(inputOf(continued[1]!).carried).toMatchObject({ retryRequested: true });
    expect((await row(parent))!.processingState).toBe('stub');
    const attributes = (await handle(parent).describe()).typedSearchAttributes;
    expect(attributes.get(SEARCH_ATTRIBUTES.IsStub)).toBe(true);
    expect(attributes.get(SEARCH_ATTRIBUTES.ProcessingState)).toBe('stub');

    await push([{ external_id: parent, odoo_id: 4713, type: 'B', name: 'Full record' }]);
    await until(parent, 'processed');
    const done = await finished(parent);
    expectCompletedChain(done);
    expect((await handle(parent).describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.IsStub)).toBe(false);
    await replay(`partner:${parent}`, done);
  });

  /**
   * FAILS with the current workflow (a bug, reported, not fixed here): `stale` is not part of the work carried
   * over continue-as-new, so the new run starts with `stale: false`, its first publish upserts StaleStub=false
   * and the stub reads as fresh again until STUB_STALE_AFTER (7 days by default) has passed once more. Within
   * one run a retry leaves a stale stub stale (`apply` only clears it once the record is no longer a stub).
   */
  it('stub: a stale stub stays stale across continue-as-new', async () => {
    const { push, until } = helpers(lookups);
    const { parent, continued } = await staleStubContinuedAsNew('STALE', 4714);
    // Every StaleStub value the chain wrote, in order: once true, a stub must not read as fresh again.
    const written = continued.flatMap((r) =>
      r.history.events!.flatMap((e) => {
        const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.StaleStub;
        return field ? [defaultPayloadConverter.fromPayload<boolean>(field)] : [];
      }),
    );
    try {
      expect(written).toContain(true);
      expect(written.slice(written.indexOf(true))).not.toContain(false);
    } finally {
      await push([{ external_id: parent, odoo_id: 4714, type: 'B', name: 'Full record' }]);
      await until(parent, 'processed');
    }
  });
});
