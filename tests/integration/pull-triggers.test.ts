/**
 * What starts pulls from Odoo: the Temporal Schedules `pull:<entity_type>` brought in line with the configuration at
 * worker start, and the admin route that starts a run by hand. The runs themselves (the workflow) are tested in
 * odoo-pull.test.ts: here no worker polls the queue the runs go to, so they only have to exist, as started.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Client, Connection, ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import { defaultPayloadConverter, type TypedSearchAttributes } from '@temporalio/common';
import { createApiApp } from '../../api/app';
import type { ApiDeps } from '../../api/http/context';
import type { Config } from '../../config/config';
import { createLogger } from '../../observability/logger';
import { startWorker } from '../../runtime/worker-process';
import {
  ensurePullSchedules,
  PULL_SCHEDULE_PAUSE_PREFIX,
  type PullScheduleOutcome,
  type PullScheduleResult,
} from '../../sync/pull/pull-schedules';
import {
  ODOO_PULL_WORKFLOW,
  PULL_ENTITY_TYPES,
  pullScheduleId,
  SEARCH_ATTRIBUTES,
  type PullEntityType,
} from '../../workflows/contract';
import { useServiceFixture } from '../support/fixtures';
import { sharedWorkflowBundle } from '../support/service-harness';
import { testBackends } from '../support/test-backends';

jest.setTimeout(120_000);

const log = createLogger('silent');
/** Odoo settings that are complete, pointing nowhere: the runs started here are never executed. */
const ODOO_ENV = { ODOO_URL: 'http://127.0.0.1:9', ODOO_DB: 'none', ODOO_LOGIN: 'none', ODOO_API_KEY: 'none' };
const ODOO: NonNullable<Config['odoo']> = {
  url: ODOO_ENV.ODOO_URL,
  db: 'none',
  login: 'none',
  apiKey: 'none',
  protocol: 'jsonrpc',
};
const MINUTE = 60_000;
/** The intervals of a Schedule as [every, offset] in ms (Temporal leaves a zero offset out). */
const intervalsOf = (schedule: ScheduleDescription) =>
  (schedule.spec.intervals ?? []).map((i) => [i.every, i.offset ?? 0]);

const outcomes = (results: PullScheduleResult[]) =>
  Object.fromEntries(results.map((r) => [r.entityType, r.outcome])) as Record<PullEntityType, PullScheduleOutcome>;
const every = (outcome: PullScheduleOutcome) =>
  Object.fromEntries(PULL_ENTITY_TYPES.map((t) => [t, outcome])) as Record<PullEntityType, PullScheduleOutcome>;

describe('pull triggers', () => {
  const fixture = useServiceFixture({
    withWorker: false,
    // The Schedules are driven by hand below; the service's own config leaves them alone.
    env: { ...ODOO_ENV, ODOO_PULL_INTERVAL: 'off' },
    tokens: ['admin', 'odoo', 'webshop'],
    // Other suites' workers leave their Schedules on the shared server: start from none, leave none.
    ready: () => deleteSchedules(),
    teardown: async () => {
      await deleteSchedules();
      await Promise.all(
        started.map((id) =>
          client()
            .workflow.getHandle(id)
            .terminate('pull-triggers test done')
            .catch(() => undefined),
        ),
      );
    },
  });
  const client = (): Client => fixture.service.resources.temporal.client;
  const queue = `pull-triggers-${randomBytes(4).toString('hex')}`;
  const config = (intervalMs: number | null, over: { odoo?: Config['odoo']; pullTaskQueue?: string } = {}) => ({
    odoo: 'odoo' in over ? over.odoo : ODOO,
    pull: { ...fixture.service.config.pull, intervalMs },
    temporal: { pullTaskQueue: over.pullTaskQueue ?? queue },
  });
  const ensure = (intervalMs: number | null, over: { odoo?: Config['odoo']; pullTaskQueue?: string } = {}) =>
    ensurePullSchedules(client(), config(intervalMs, over), log);
  const describeSchedule = (entityType: PullEntityType) =>
    client().schedule.getHandle(pullScheduleId(entityType)).describe();
  const deleteSchedules = async (): Promise<void> => {
    await Promise.all(
      PULL_ENTITY_TYPES.map((t) =>
        client()
          .schedule.getHandle(pullScheduleId(t))
          .delete()
          .catch((err: unknown) => {
            if (!(err instanceof ScheduleNotFoundError)) throw err;
          }),
      ),
    );
  };
  const started: string[] = [];

  describe('Schedules', () => {
    it('creates one Schedule per entity type: the interval, overlap SKIP, the pull workflow on the task queue', async () => {
      expect(outcomes(await ensure(2 * MINUTE))).toEqual(every('created'));
      for (const entityType of PULL_ENTITY_TYPES) {
        const schedule = await describeSchedule(entityType);
        expect(intervalsOf(schedule)).toEqual([[2 * MINUTE, 0]]);
        expect(schedule.policies.overlap).toBe('SKIP');
        expect(schedule.action).toMatchObject({
          type: 'startWorkflow',
          workflowType: ODOO_PULL_WORKFLOW,
          workflowId: `pull:${entityType}`,
          taskQueue: queue,
          args: [{ entityType, trigger: 'schedule' }],
          staticSummary: expect.stringMatching(/^Pull .+ from Odoo \(scheduled, from the watermark\)$/),
        });
        // Described, a Schedule's action holds them as TypedSearchAttributes.
        const actionAttributes = schedule.action.typedSearchAttributes as TypedSearchAttributes | undefined;
        expect(actionAttributes?.get(SEARCH_ATTRIBUTES.EntityType)).toBe(entityType);
        expect(schedule.typedSearchAttributes.get(SEARCH_ATTRIBUTES.EntityType)).toBe(entityType);
        expect(schedule.memo).toEqual({ managedBy: 'odoo-webshop-sync', entityType });
        expect(schedule.state).toMatchObject({ paused: false, note: expect.stringMatching(/every 2m/) });
        expect(schedule.info.nextActionTimes.length).toBeGreaterThan(0);
      }
    });

    it('changes nothing when called again with the same configuration', async () => {
      const tokens = async () =>
        Promise.all(PULL_ENTITY_TYPES.map(async (t) => (await describeSchedule(t)).raw.conflictToken));
      const before = await tokens();
      expect(outcomes(await ensure(2 * MINUTE))).toEqual(every('unchanged'));
      expect(await tokens()).toEqual(before);
      const listed: string[] = [];
      for await (const s of client().schedule.list()) {
        if (s.scheduleId.startsWith('pull:')) listed.push(s.scheduleId);
      }
      // Listing is eventually consistent: never more than one each, whatever it has caught up with.
      expect(new Set(listed).size).toBe(listed.length);
    });

    it('updates the interval and the task queue when they change', async () => {
      const results = await ensure(3 * MINUTE);
      expect(outcomes(results)).toEqual(every('updated'));
      expect(results[0]!.changes).toEqual([`interval ${2 * MINUTE}ms -> ${3 * MINUTE}ms`]);
      const product = await describeSchedule('product');
      expect(intervalsOf(product)).toEqual([[3 * MINUTE, 0]]);
      expect(product.state).toMatchObject({ paused: false, note: expect.stringMatching(/every 3m/) });

      const otherQueue = `${queue}-b`;
      const moved = await ensure(3 * MINUTE, { pullTaskQueue: otherQueue });
      expect(moved[0]!.changes).toEqual([`task queue ${queue} -> ${otherQueue}`]);
      expect((await describeSchedule('partner')).action.taskQueue).toBe(otherQueue);
      expect(outcomes(await ensure(3 * MINUTE))).toEqual(every('updated'));
      expect((await describeSchedule('partner')).action.taskQueue).toBe(queue);
    });

    it("keeps an operator's pause and note through an update", async () => {
      await client().schedule.getHandle(pullScheduleId('product')).pause('Odoo maintenance until Monday (ops)');
      const results = outcomes(await ensure(4 * MINUTE));
      expect(results.product).toBe('updated');
      let product: ScheduleDescription = await describeSchedule('product');
      expect(intervalsOf(product)).toEqual([[4 * MINUTE, 0]]);
      expect(product.state).toMatchObject({ paused: true, note: 'Odoo maintenance until Monday (ops)' });
      expect(outcomes(await ensure(4 * MINUTE)).product).toBe('unchanged');
      product = await describeSchedule('product');
      expect(product.state).toMatchObject({ paused: true, note: 'Odoo maintenance until Monday (ops)' });
    });

    it('pauses the Schedules, saying why, when pulls are off or Odoo is not configured; resumes only its own pauses', async () => {
      // `product` is still paused by the operator (above).
      expect(outcomes(await ensure(null))).toEqual({ ...every('paused'), product: 'left_paused' });
      expect((await describeSchedule('partner')).state).toEqual({
        paused: true,
        note: `${PULL_SCHEDULE_PAUSE_PREFIX} ODOO_PULL_INTERVAL is off`,
      });
      expect((await describeSchedule('product')).state.note).toBe('Odoo maintenance until Monday (ops)');

      expect(outcomes(await ensure(4 * MINUTE, { odoo: undefined }))).toEqual(every('left_paused'));
      expect((await describeSchedule('sale_order')).state).toMatchObject({
        paused: true,
        note: expect.stringMatching(/^odoo-webshop-sync: paused: ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_API_KEY/),
      });

      // Pulls on again: the service resumes what it paused, and updates what differs (the interval) on the way.
      const back = await ensure(2 * MINUTE);
      expect(outcomes(back)).toEqual({ ...every('resumed'), product: 'updated' });
      for (const entityType of ['partner', 'sale_order', 'purchase_order'] as const) {
        const schedule = await describeSchedule(entityType);
        expect(schedule.state).toMatchObject({
          paused: false,
          note: expect.stringMatching(/resumed: pulls are on again/),
        });
        expect(intervalsOf(schedule)).toEqual([[2 * MINUTE, 0]]);
      }
      expect((await describeSchedule('product')).state).toMatchObject({
        paused: true,
        note: 'Odoo maintenance until Monday (ops)',
      });

      // Paused by the service with nothing else to change: resumed with a patch.
      await ensure(null);
      expect(outcomes(await ensure(2 * MINUTE))).toEqual({ ...every('resumed'), product: 'unchanged' });
      expect((await describeSchedule('partner')).state.paused).toBe(false);
    });

    it('creates none while pulls are off or Odoo is not configured', async () => {
      await deleteSchedules();
      expect(outcomes(await ensure(null))).toEqual(every('absent'));
      expect(outcomes(await ensure(5 * MINUTE, { odoo: undefined }))).toEqual(every('absent'));
      for (const entityType of PULL_ENTITY_TYPES) {
        await expect(describeSchedule(entityType)).rejects.toBeInstanceOf(ScheduleNotFoundError);
      }
    });

    it('creates each Schedule once when two workers start at the same moment', async () => {
      await deleteSchedules();
      const [a, b] = await Promise.all([ensure(5 * MINUTE), ensure(5 * MINUTE)]);
      for (const entityType of PULL_ENTITY_TYPES) {
        const pair = [outcomes(a!)[entityType], outcomes(b!)[entityType]].sort();
        expect({ entityType, pair }).toEqual({ entityType, pair: ['created', 'unchanged'] });
      }
      expect(intervalsOf(await describeSchedule('purchase_order'))).toEqual([[5 * MINUTE, 0]]);
    });

    it('reports, never throws, when Temporal cannot be reached', async () => {
      const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
      try {
        const unreachable = new Client({ connection, namespace: fixture.service.config.temporal.namespace });
        const results = await ensurePullSchedules(unreachable, config(5 * MINUTE), log);
        expect(outcomes(results)).toEqual(every('failed'));
        expect(results[0]!.error).toBeTruthy();
      } finally {
        await connection.close();
      }
    });

    it('are ensured at worker start, from the configuration', async () => {
      await deleteSchedules();
      const workerQueue = `${queue}-worker`;
      const base = fixture.service.config;
      const worker = await startWorker(
        {
          ...base,
          odoo: ODOO,
          temporal: { ...base.temporal, taskQueue: workerQueue, pullTaskQueue: `${workerQueue}-pull` },
          pull: { ...base.pull, intervalMs: 60 * MINUTE },
        },
        log,
        fixture.service.resources,
        testBackends().temporalAddress,
        { workflowBundle: await sharedWorkflowBundle() },
      );
      try {
        for (const entityType of PULL_ENTITY_TYPES) {
          const schedule = await describeSchedule(entityType);
          expect(intervalsOf(schedule)).toEqual([[60 * MINUTE, 0]]);
          expect(schedule.action.taskQueue).toBe(`${workerQueue}-pull`);
        }
      } finally {
        await worker.close();
        await deleteSchedules();
      }
    });
  });

  describe('POST /api/v1/admin/pulls/{entity_type}/run', () => {
    const run = (entityType: string, options: { body?: unknown; rawBody?: string; token?: string | null } = {}) =>
      fixture.service.request('POST', `/api/v1/admin/pulls/${entityType}/run`, {
        ...(options.token === null ? {} : { token: options.token ?? fixture.admin }),
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.rawBody !== undefined ? { rawBody: options.rawBody } : {}),
      });

    /** The run as Temporal has it: its type, queue, search attributes, summary and input. */
    const inTemporal = async (workflowId: string) => {
      const handle = client().workflow.getHandle(workflowId);
      const description = await handle.describe();
      const history = await handle.fetchHistory();
      const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      return {
        type: description.type,
        taskQueue: description.taskQueue,
        status: description.status.name,
        entityType: description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.EntityType),
        summary: await description.staticSummary(),
        input: defaultPayloadConverter.fromPayload(payload),
      };
    };

    it('starts the pull workflow and answers 202 with its id', async () => {
      const res = await run('product', { body: {} });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        workflow_id: expect.stringMatching(/^pull:product:manual-\d{4}-\d\d-\d\dT/),
        run_id: expect.any(String),
        entity_type: 'product',
        trigger: 'manual',
        since: null,
        full: false,
      });
      started.push(res.body.workflow_id);
      expect(await inTemporal(res.body.workflow_id)).toEqual({
        type: ODOO_PULL_WORKFLOW,
        taskQueue: fixture.service.config.temporal.pullTaskQueue,
        status: 'RUNNING',
        entityType: 'product',
        summary: 'Pull products from Odoo (manual, from the watermark)',
        input: { entityType: 'product', trigger: 'manual' },
      });
    });

    it('passes since and full on, and takes no body at all', async () => {
      const since = await run('sale_order', { body: { since: '2026-01-01T08:00:00+02:00' } });
      expect(since.status).toBe(202);
      expect(since.body).toMatchObject({ entity_type: 'sale_order', since: '2026-01-01T08:00:00+02:00', full: false });
      const full = await run('purchase_order', { body: { full: true } });
      expect(full.status).toBe(202);
      const none = await run('partner', { rawBody: '' });
      expect(none.status).toBe(202);
      started.push(since.body.workflow_id, full.body.workflow_id, none.body.workflow_id);

      expect(await inTemporal(since.body.workflow_id)).toMatchObject({
        summary: 'Pull sale orders from Odoo (manual, since 2026-01-01T08:00:00+02:00)',
        input: { entityType: 'sale_order', trigger: 'manual', since: '2026-01-01T08:00:00+02:00' },
      });
      expect(await inTemporal(full.body.workflow_id)).toMatchObject({
        entityType: 'purchase_order',
        summary: 'Pull purchase orders from Odoo (manual, full)',
        input: { entityType: 'purchase_order', trigger: 'manual', full: true },
      });
      expect((await inTemporal(none.body.workflow_id)).input).toEqual({ entityType: 'partner', trigger: 'manual' });
      // Two runs asked for at once get two workflows.
      const twice = await Promise.all([run('partner'), run('partner')]);
      expect(twice.map((r) => r.status)).toEqual([202, 202]);
      expect(twice[0]!.body.workflow_id).not.toBe(twice[1]!.body.workflow_id);
      started.push(...twice.map((r) => r.body.workflow_id as string));
    });

    it('answers 400 for stock (not pulled), and 404 for what is no entity type', async () => {
      const stock = await run('stock');
      expect(stock.status).toBe(400);
      expect(stock.body.error).toMatchObject({
        code: 'not_pulled',
        message: expect.stringMatching(/^stock is not pulled/),
      });
      const plural = await run('products');
      expect(plural.status).toBe(404);
      expect(plural.body.error).toMatchObject({
        code: 'not_found',
        message: expect.stringMatching(/did you mean product\?/),
      });
      expect((await run('sale-orders')).body.error.message).toMatch(/did you mean sale_order\?/);
      expect((await run('nothing')).status).toBe(404);
    });

    it.each([
      [{ since: 'yesterday' }, 'since'],
      [{ since: '2026-01-01T08:00:00' }, 'since'],
      [{ since: '2026-02-30' }, 'since'],
      [{ full: 'yes' }, 'full'],
      [{ full: true, since: '2026-01-01' }, 'since'],
      [{ from: '2026-01-01' }, ''],
    ])('answers 400 validation_failed for the body %j', async (body, path) => {
      const res = await run('partner', { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path, message: expect.any(String) })]);
    });

    it('answers 400 for a body that is not an object, or not JSON', async () => {
      expect((await run('partner', { body: [] })).status).toBe(400);
      const malformed = await run('partner', { rawBody: '{"since": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('invalid_json');
    });

    it('requires the admin scope', async () => {
      expect((await run('product', { token: null })).status).toBe(401);
      expect((await run('product', { token: fixture.odoo })).status).toBe(403);
      expect((await run('product', { token: fixture.webshop })).status).toBe(403);
    });

    /** The API over the service's resources, with other settings or another Temporal client. */
    const serve = async (deps: Partial<ApiDeps>) => {
      const { app } = createApiApp({ ...fixture.service.resources, config: fixture.service.config, log, ...deps });
      const server: Server = await new Promise((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return {
        post: async (path: string, body: unknown = {}) => {
          const res = await fetch(`${url}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${fixture.admin}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          return { status: res.status, headers: res.headers, body: (await res.json()) as any };
        },
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    };

    it('answers 503 odoo_not_configured without ODOO_*, even with the Schedules off', async () => {
      const api = await serve({ config: { ...fixture.service.config, odoo: undefined } });
      try {
        const res = await api.post('/api/v1/admin/pulls/product/run');
        expect(res.status).toBe(503);
        expect(res.body.error).toMatchObject({ code: 'odoo_not_configured', details: [] });
        // Bad input is still bad input.
        expect((await api.post('/api/v1/admin/pulls/product/run', { full: 1 })).status).toBe(400);
      } finally {
        await api.close();
      }
      // The service under test has ODOO_PULL_INTERVAL=off: manual runs work all the same (above).
      expect(fixture.service.config.pull.intervalMs).toBeNull();
    });

    it('answers 503 temporal_unavailable with Retry-After when Temporal cannot be reached', async () => {
      const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
      const unreachable = new Client({ connection, namespace: fixture.service.config.temporal.namespace });
      const api = await serve({ temporal: { client: unreachable, connection } });
      try {
        const res = await api.post('/api/v1/admin/pulls/partner/run');
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('temporal_unavailable');
        expect(res.headers.get('retry-after')).toBe('5');
      } finally {
        await api.close();
        await connection.close();
      }
    });
  });
});
