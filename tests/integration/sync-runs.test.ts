import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/knex';
import { openPrimaryOrm, type PrimaryOrm } from '../../db/primary-orm';
import { PullWatermarkSchema } from '../../entities/pull-watermark';
import { SyncRunSchema } from '../../entities/sync-run';
import { integrationStatuses } from '../../sync/runs/integration-status';
import { listSyncRuns } from '../../sync/runs/sync-run-list';
import { purgeSyncRuns } from '../../sync/runs/sync-run-retention';
import {
  finishSyncRun,
  getSyncRun,
  recordRequestRun,
  recordSyncRunPage,
  startSyncRun,
  type SyncRunCounts,
} from '../../sync/runs/sync-run-store';
import { useServiceFixture } from '../support/fixtures';
import { runId, webshopOrder } from '../support/sync-back';

jest.setTimeout(120_000);

const counts = (c: Partial<SyncRunCounts>): SyncRunCounts => ({
  read: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  failed: 0,
  ...c,
});

/** The value of one sample in Prometheus text, or undefined. */
function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of metrics.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2]!.split(',');
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(match[3]);
  }
  return undefined;
}

describe('sync runs: the audit log, its API, overview, metrics and retention', () => {
  const fixture = useServiceFixture({ tokens: ['odoo', 'webshop', 'admin'], withWorker: false });
  const run = runId();
  const id = (name: string) => `${name}-${run}`;
  const em = () => fixture.service.resources.orm.em.fork() as EntityManager;
  const runs = async (query = '') => {
    const res = await fixture.service.request('GET', `/api/v1/admin/sync-runs${query}`, { token: fixture.admin });
    expect(res.status).toBe(200);
    return res.body as { items: any[]; next_cursor: string | null };
  };
  const metrics = async () => (await fixture.service.request('GET', '/metrics')).body as string;

  it('records a push batch with invalid records as one partial push run', async () => {
    const res = await fixture.service.request('POST', '/api/v1/products', {
      token: fixture.odoo,
      body: {
        products: [
          { external_id: id('A'), name: 'A' },
          { external_id: id('BAD'), odoo_id: 7, list_price: 'not a price' },
          { external_id: id('B'), name: 'B' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, created: 2 });

    const [latest] = (await runs('?kind=push')).items;
    expect(latest).toMatchObject({
      kind: 'push',
      entity_type: 'product',
      trigger: 'odoo',
      status: 'partial',
      counts: { read: 3, created: 2, updated: 0, unchanged: 0, failed: 1 },
      watermark_from: null,
      watermark_to: null,
      error: null,
      workflow_id: null,
      failures: [{ odoo_id: 7, external_id: id('BAD'), message: expect.stringContaining('list_price') }],
    });
    expect(Date.parse(latest.finished_at)).toBeGreaterThanOrEqual(Date.parse(latest.started_at));
  });

  it('records an all-valid push as success, and a single invalid record (400) as failed', async () => {
    const ok = await fixture.service.request('POST', '/api/v1/products', {
      token: fixture.odoo,
      body: { products: [{ external_id: id('A'), name: 'A' }, { external_id: id('C') }] },
    });
    expect(ok.status).toBe(200);
    const [success] = (await runs('?kind=push')).items;
    expect(success).toMatchObject({
      status: 'success',
      counts: { read: 2, created: 1, updated: 0, unchanged: 1, failed: 0 },
      failures: [],
    });

    const bad = await fixture.service.request('POST', '/api/v1/partners', {
      token: fixture.odoo,
      body: { external_id: id('P'), type: 'nope' },
    });
    expect(bad.status).toBe(400);
    const [failed] = (await runs('?kind=push')).items;
    expect(failed).toMatchObject({
      entity_type: 'partner',
      status: 'failed',
      counts: { read: 1, created: 0, failed: 1 },
      error: expect.stringContaining('The record is not valid: type'),
      failures: [{ odoo_id: null, external_id: id('P'), message: expect.stringContaining('type') }],
    });
  });

  it('records a webshop order as a webshop run', async () => {
    const res = await fixture.service.request('POST', '/api/v1/webshop/sale-orders', {
      token: fixture.webshop,
      body: webshopOrder(id('WEB'), id('P'), [id('A')]),
    });
    expect(res.status).toBe(202);
    const [order] = (await runs('?kind=webshop')).items;
    expect(order).toMatchObject({
      kind: 'webshop',
      entity_type: 'sale_order',
      trigger: 'webshop',
      status: 'success',
      counts: { read: 1, created: 1, updated: 0, unchanged: 0, failed: 0 },
    });
  });

  it('records a pull page by page, a repeated page once, and ends it once', async () => {
    const before = await metrics();
    const readBefore = sample(before, 'pull_records_read_total', { entity_type: 'product' }) ?? 0;
    const m = fixture.service.resources.metrics;
    const runId = await startSyncRun(em(), {
      kind: 'pull',
      entityType: 'product',
      trigger: 'schedule',
      watermarkFrom: { writeDate: '2026-12-01 07:45:00', id: 118 },
      workflowId: 'pull:product-2026-12-01T08:00:00Z',
    });
    const first = {
      expectedPages: 0,
      counts: counts({ read: 200, created: 3, updated: 40, unchanged: 157 }),
      failures: [],
      watermarkTo: { writeDate: '2026-12-01 07:50:00', id: 4000 },
    };
    expect(await recordSyncRunPage(em(), runId, first, m)).toBe(true);
    expect(await recordSyncRunPage(em(), runId, first, m)).toBe(false);
    const failures = Array.from({ length: 120 }, (_, i) => ({
      odoo_id: 4000 + i,
      external_id: `X-${i}`,
      message: 'bad',
    }));
    const second = {
      expectedPages: 1,
      counts: counts({ read: 150, unchanged: 30, failed: 120 }),
      failures,
      watermarkTo: { writeDate: '2026-12-01 07:59:58', id: 4711 },
    };
    expect(await recordSyncRunPage(em(), runId, second, m)).toBe(true);
    expect(await recordSyncRunPage(em(), runId, second, m)).toBe(false);
    const running = (await runs('?kind=pull')).items[0];
    expect(running).toMatchObject({ id: runId, status: 'running', finished_at: null, pages: 2 });

    await finishSyncRun(em(), runId, { status: 'partial', error: null }, new Date(), m);
    await finishSyncRun(em(), runId, { status: 'failed', error: 'too late' }, new Date(), m);
    // A page of a run that ended is not added either.
    expect(await recordSyncRunPage(em(), runId, { ...second, expectedPages: 2 }, m)).toBe(false);

    const [pull] = (await runs('?kind=pull&entity_type=product')).items;
    expect(pull).toMatchObject({
      id: runId,
      kind: 'pull',
      entity_type: 'product',
      trigger: 'schedule',
      status: 'partial',
      pages: 2,
      counts: { read: 350, created: 3, updated: 40, unchanged: 187, failed: 120 },
      watermark_from: { write_date: '2026-12-01 07:45:00', id: 118 },
      watermark_to: { write_date: '2026-12-01 07:59:58', id: 4711 },
      error: null,
      workflow_id: 'pull:product-2026-12-01T08:00:00Z',
    });
    expect(pull.failures).toHaveLength(100);
    expect(pull.failures[99]).toEqual({ odoo_id: 4099, external_id: 'X-99', message: 'bad' });
    expect((await getSyncRun(em(), runId))?.status).toBe('partial');

    const after = await metrics();
    expect(sample(after, 'pull_records_read_total', { entity_type: 'product' })).toBe(readBefore + 350);
    expect(sample(after, 'sync_runs_total', { kind: 'pull', entity_type: 'product', status: 'partial' })).toBe(1);
    expect(sample(after, 'sync_runs_total', { kind: 'pull', entity_type: 'product', status: 'failed' })).toBe(
      undefined,
    );
    expect(sample(after, 'sync_runs_total', { kind: 'push', entity_type: 'product', status: 'partial' })).toBe(1);
    expect(sample(after, 'sync_runs_total', { kind: 'push', entity_type: 'partner', status: 'failed' })).toBe(1);
    expect(sample(after, 'sync_runs_total', { kind: 'webshop', entity_type: 'sale_order', status: 'success' })).toBe(1);
  });

  it('filters and pages newest first, every run seen exactly once', async () => {
    const start = new Date();
    for (let i = 0; i < 12; i++) {
      await recordRequestRun(em(), {
        kind: i % 3 === 0 ? 'webshop' : 'push',
        entityType: i % 3 === 0 ? 'sale_order' : i % 2 ? 'stock' : 'partner',
        trigger: i % 3 === 0 ? 'webshop' : 'odoo',
        startedAt: start,
        counts: counts({ read: i, failed: i % 4 === 0 ? i : 0 }),
        status: i % 4 === 0 ? 'failed' : 'success',
      });
    }
    const all = await em().find(SyncRunSchema, {}, { orderBy: { id: 'desc' } });
    for (const query of [
      {},
      { kind: 'push' },
      { entity_type: 'stock' },
      { status: 'failed' },
      { kind: 'push', status: 'success', entity_type: 'partner' },
    ] as Record<string, string>[]) {
      const expected = all
        .filter(
          (r) =>
            (!query.kind || r.kind === query.kind) &&
            (!query.status || r.status === query.status) &&
            (!query.entity_type || r.entityType === query.entity_type),
        )
        .map((r) => r.id);
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const params = new URLSearchParams({ ...query, limit: '3', ...(cursor ? { cursor } : {}) });
        const page = await runs(`?${params}`);
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((item) => item.id as number));
        cursor = page.next_cursor;
        pages++;
      } while (cursor && pages < 50);
      expect([query, seen]).toEqual([query, expected]);
    }
    const firstPage = await runs('');
    expect(firstPage.items).toHaveLength(Math.min(50, all.length));
  });

  it('answers 400 for bad filters and cursors', async () => {
    for (const query of [
      'entity_type=pricelist',
      'kind=pulls',
      'status=done',
      'limit=0',
      'limit=201',
      'limit=abc',
      'cursor=bm90LWEtY3Vyc29y!',
      'cursor=MA',
      'cursor=LTE',
      'kind=push&kind=pull',
    ]) {
      const res = await fixture.service.request('GET', `/api/v1/admin/sync-runs?${query}`, { token: fixture.admin });
      expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'validation_failed']);
    }
    const forbidden = await fixture.service.request('GET', '/api/v1/admin/sync-runs', { token: fixture.odoo });
    expect(forbidden.status).toBe(403);
  });

  it('shows each entity type’s integration status in the overview, and the pull lag in the metrics', async () => {
    const now = Date.now();
    const writer = em();
    writer.create(
      PullWatermarkSchema,
      {
        entityType: 'product',
        writeDate: '2026-12-01 07:59:58',
        odooId: 4711,
        readUpTo: new Date(now - 120_000),
        updatedAt: new Date(now),
      },
      { persist: true },
    );
    writer.create(
      PullWatermarkSchema,
      {
        entityType: 'product:product.pricelist.item',
        writeDate: '2026-12-01 07:00:00',
        odooId: 9,
        readUpTo: new Date(now - 180_000),
        updatedAt: new Date(now),
      },
      { persist: true },
    );
    writer.create(
      PullWatermarkSchema,
      { entityType: 'partner', writeDate: '2026-12-01 06:00:00', odooId: 5, readUpTo: null, updatedAt: new Date(now) },
      { persist: true },
    );
    await writer.flush();

    const res = await fixture.service.request('GET', '/api/v1/admin/overview', { token: fixture.admin });
    expect(res.status).toBe(200);
    const { integration } = res.body;
    expect(Object.keys(integration).sort()).toEqual(['partner', 'product', 'purchase_order', 'sale_order', 'stock']);
    const pull = (await runs('?kind=pull&entity_type=product')).items[0];
    const lastProductRun = (await runs('?entity_type=product')).items[0];
    const lastProductSuccess = (await runs('?entity_type=product&status=success')).items[0];
    expect(integration.product).toMatchObject({
      last_run: {
        id: lastProductRun.id,
        kind: lastProductRun.kind,
        status: lastProductRun.status,
        started_at: lastProductRun.started_at,
        finished_at: lastProductRun.finished_at,
      },
      last_success_at: lastProductSuccess.finished_at,
      status: pull.status,
      watermark: { write_date: '2026-12-01 07:59:58', id: 4711 },
    });
    // The oldest of the entity type's streams counts.
    expect(integration.product.lag_seconds).toBeGreaterThanOrEqual(180);
    expect(integration.product.lag_seconds).toBeLessThan(240);
    expect(integration.partner).toMatchObject({
      status: null,
      watermark: { write_date: '2026-12-01 06:00:00', id: 5 },
      lag_seconds: null,
    });
    expect(integration.purchase_order).toEqual({
      last_run: null,
      last_success_at: null,
      status: null,
      watermark: null,
      lag_seconds: null,
    });
    // The existing parts are still there.
    expect(res.body.entities.product.total).toBeGreaterThanOrEqual(3);

    const text = await metrics();
    expect(sample(text, 'pull_lag_seconds', { entity_type: 'product' })).toBeGreaterThanOrEqual(180);
    expect(sample(text, 'pull_lag_seconds', { entity_type: 'partner' })).toBeUndefined();
  });

  it('purges only runs past the retention, in batches', async () => {
    const now = new Date();
    const day = 24 * 3600 * 1000;
    const old = [40, 31, 30.5].map((days) => new Date(now.getTime() - days * day));
    for (const startedAt of [...old, new Date(now.getTime() - 29 * day)]) {
      await recordRequestRun(em(), {
        kind: 'push',
        entityType: 'stock',
        trigger: 'odoo',
        startedAt,
        counts: counts({ read: 1, created: 1 }),
        status: 'success',
      });
    }
    const total = await em().count(SyncRunSchema, {});
    const purged = await purgeSyncRuns(
      fixture.service.resources.orm,
      { retentionMs: fixture.service.config.syncRunRetentionMs, batchSize: 2 },
      now,
    );
    expect(purged).toBe(3);
    expect(await em().count(SyncRunSchema, {})).toBe(total - 3);
    expect(await em().count(SyncRunSchema, { startedAt: { $lt: new Date(now.getTime() - 30 * day) } })).toBe(0);
    expect(fixture.service.config.syncRunRetentionMs).toBe(30 * day);
  });
});

/** The same store statements on the embedded SQLite store `npm start` uses. */
describe('sync runs on the embedded SQLite store', () => {
  let dir: string;
  let orm: PrimaryOrm;
  const em = () => orm.em.fork() as EntityManager;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-runs-'));
    orm = await openPrimaryOrm({ kind: 'sqlite', file: path.join(dir, 'sync.sqlite') });
  });
  afterAll(async () => {
    await orm?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts, pages (a repeated page once), keeps failures, finishes, lists, reports and purges', async () => {
    const started = new Date('2026-12-01T08:00:00.000Z');
    const runId = await startSyncRun(
      em(),
      { kind: 'pull', entityType: 'partner', trigger: 'manual', watermarkFrom: null },
      started,
    );
    const page = {
      expectedPages: 0,
      counts: counts({ read: 2, created: 1, failed: 1 }),
      failures: [{ odoo_id: 3, external_id: null, message: 'no name' }],
      watermarkTo: { writeDate: '2026-12-01 07:00:00', id: 3 },
    };
    expect(await recordSyncRunPage(em(), runId, page)).toBe(true);
    expect(await recordSyncRunPage(em(), runId, page)).toBe(false);
    expect(await recordSyncRunPage(em(), runId, { ...page, expectedPages: 1, watermarkTo: null })).toBe(true);
    await finishSyncRun(em(), runId, { status: 'partial' }, new Date('2026-12-01T08:00:05.000Z'));
    await recordRequestRun(
      em(),
      {
        kind: 'push',
        entityType: 'partner',
        trigger: 'odoo',
        startedAt: started,
        counts: counts({ read: 1, updated: 1 }),
        status: 'success',
      },
      new Date('2026-12-01T08:00:06.000Z'),
    );

    expect(await getSyncRun(em(), runId)).toMatchObject({
      status: 'partial',
      pages: 2,
      readCount: 4,
      createdCount: 2,
      failedCount: 2,
      watermarkFromDate: null,
      watermarkToDate: '2026-12-01 07:00:00',
      watermarkToId: 3,
      finishedAt: new Date('2026-12-01T08:00:05.000Z'),
      failures: [page.failures[0], page.failures[0]],
    });
    const list = await listSyncRuns(em(), { filters: { entityType: 'partner' }, limit: 1 });
    expect(list.runs.map((r) => r.kind)).toEqual(['push']);
    const next = await listSyncRuns(em(), { filters: { entityType: 'partner' }, limit: 1, before: list.runs[0]!.id });
    expect(next.runs.map((r) => r.id)).toEqual([runId]);

    const statuses = await integrationStatuses(em(), ['partner'], new Date('2026-12-01T09:00:00.000Z'));
    expect(statuses.partner).toEqual({
      last_run: expect.objectContaining({ kind: 'push', status: 'success' }),
      last_success_at: '2026-12-01T08:00:06.000Z',
      status: 'partial',
      watermark: null,
      lag_seconds: null,
    });

    expect(await purgeSyncRuns(orm, { retentionMs: 1000, batchSize: 1 }, new Date('2026-12-02T00:00:00.000Z'))).toBe(2);
  });
});
