import type { EntityManager } from '@mikro-orm/knex';
import { PartnerSchema } from '../../entities/partner';
import { PricelistItemSchema } from '../../entities/pricelist-item';
import { ProductSchema } from '../../entities/product';
import { SaleOrderSchema } from '../../entities/sale-order';
import { PullWatermarkSchema } from '../../entities/pull-watermark';
import { odooDateTime } from '../../odoo/odoo-values';
import type { FakeOdoo } from '../support/fake-odoo';
import { useSyncBackFixture } from '../support/fixtures';
import { executionsOf, pullNow, pullRuns } from '../support/pull';
import { Worker } from '@temporalio/worker';
import { PULL_PAGES_PER_EXECUTION, type OdooPullInput } from '../../workflows/contract';
import { recordRuns, runsOf } from '../support/record-history';
import { eventually, sharedWorkflowBundle, type TestService } from '../support/service-harness';
import { testBackends } from '../support/test-backends';
import { runId } from '../support/sync-back';

jest.setTimeout(240_000);

/** Pulled records get their external ids from these Odoo fields (unique per test run, see below). */
const PULL_ENV = {
  ODOO_PULL_INTERVAL: 'off',
  ODOO_PULL_PAGE_SIZE: '2',
  ODOO_PULL_LOOKBACK: '10m',
  ODOO_PULL_EXTERNAL_ID: 'partner=ref,product=default_code,sale_order=name,purchase_order=name',
};

const at = (iso: string) => new Date(iso);

describe.each(['jsonrpc', 'json2'] as const)('pull from Odoo over %s', (protocol) => {
  let fake: FakeOdoo;
  let service: TestService;
  let admin: string;
  let odooToken: string;
  const run = runId();
  const key = (name: string) => `${name}-${protocol}-${run}`;
  const em = () => service.resources.orm.em.fork() as EntityManager;

  useSyncBackFixture({
    odoo: protocol,
    tokens: ['admin', 'odoo'],
    env: PULL_ENV,
    ready: (f) => {
      ({ fake, service, admin } = f);
      odooToken = f.odoo;
    },
  });

  afterEach(() => fake.setClock(() => new Date()));

  const partnerRows = (refs: string[]) => em().find(PartnerSchema, { externalId: { $in: refs } });

  it('reads every record once across pages inside a run of equal write_dates, and a row committed late', async () => {
    // Five partners written in one second, read two per page: page boundaries fall inside the second.
    fake.setClock(() => at('2026-03-01T10:00:00Z'));
    const refs = [1, 2, 3, 4, 5].map((n) => key(`EQ${n}`));
    const ids = refs.map((ref) => fake.seed('res.partner', { name: ref, ref, type: 'contact' }));

    const first = await pullNow(service, admin, 'partner');
    expect(first).toMatchObject({ status: 'success', total: 5 });
    expect(first.counts).toEqual({ read: 5, created: 5, updated: 0, unchanged: 0, failed: 0 });
    expect(first.pages).toBe(3);

    // A transaction that began at 09:58 commits now: its row sorts before the stored watermark.
    fake.setClock(() => at('2026-03-01T10:05:00Z'));
    const lateRef = key('LATE');
    const lateId = fake.commitLate(
      'res.partner',
      { name: lateRef, ref: lateRef, type: 'contact' },
      '2026-03-01 09:58:00',
    );

    const second = await pullNow(service, admin, 'partner');
    // The lookback re-reads the five (unchanged: no write, no workflow) and finds the late one.
    expect(second.counts).toEqual({ read: 6, created: 1, updated: 0, unchanged: 5, failed: 0 });

    const rows = await partnerRows([...refs, lateRef]);
    expect(rows.map((r) => r.odooId).sort((a, b) => a! - b!)).toEqual([...ids, lateId].sort((a, b) => a - b));
    await eventually(async () => {
      const now = await partnerRows([...refs, lateRef]);
      return now.every((r) => r.processingState === 'processed') ? true : undefined;
    });
    // One workflow execution per record: the re-read in the lookback started none.
    for (const ref of [...refs, lateRef]) expect(await executionsOf(service, 'partner', ref)).toBe(1);

    const watermark = await em().findOneOrFail(PullWatermarkSchema, { entityType: 'partner' });
    expect(watermark).toMatchObject({ writeDate: '2026-03-01 10:00:00', odooId: Math.max(...ids) });
    expect(watermark.readUpTo).not.toBeNull();
  });

  it('matches a pushed record by its Odoo id: one row, one workflow, counted unchanged', async () => {
    fake.setClock(() => at('2026-03-02T08:00:00Z'));
    const ref = key('PUSHED');
    const odooId = fake.seed('res.partner', { name: 'Pushed Ltd', ref, type: 'invoice', email: 'a@example.com' });
    const pushed = await service.request('POST', '/api/v1/partners', {
      token: odooToken,
      body: {
        external_id: ref,
        odoo_id: odooId,
        type: 'B',
        parent_external_id: null,
        name: 'Pushed Ltd',
        email: 'a@example.com',
        vat: null,
        street: null,
        city: null,
        zip: null,
        country_code: null,
        active: true,
        write_date: '2026-03-02 08:00:00',
        // A field of the push module's own, which the pull does not map: kept, not seen as removed.
        x_loyalty_tier: 'gold',
      },
    });
    expect(pushed.body).toMatchObject({ created: 1 });

    const pulled = await pullNow(service, admin, 'partner', { since: '2026-03-02' });
    expect(pulled.counts).toMatchObject({ read: 1, created: 0, updated: 0, unchanged: 1 });
    const rows = await em().find(PartnerSchema, { odooId });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.externalId).toBe(ref);
    await eventually(async () => ((await partnerRows([ref]))[0]?.processingState === 'processed' ? true : undefined));
    expect(await executionsOf(service, 'partner', ref)).toBe(1);

    // Renamed in Odoo (and its ref changed): still the same row, found by Odoo id, updated.
    fake.setClock(() => at('2026-03-02T08:30:00Z'));
    fake.update('res.partner', odooId, { name: 'Renamed Ltd', ref: key('NEWREF') });
    const again = await pullNow(service, admin, 'partner');
    expect(again.counts).toMatchObject({ updated: 1 });
    const after = await em().find(PartnerSchema, { odooId });
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ externalId: ref, name: 'Renamed Ltd' });
    expect(after[0]!.data).toMatchObject({ name: 'Renamed Ltd', x_loyalty_tier: 'gold' });
    expect(after[0]!.changedFields).toEqual(['name']);
  });

  it('pulls an order before its customer and products: it waits, then is processed once they are pulled', async () => {
    fake.setClock(() => at('2026-03-03T09:00:00Z'));
    const [customerRef, mugCode, orderName] = [key('CUST'), key('MUG'), key('SO')];
    const customer = fake.seed('res.partner', { name: 'Customer', ref: customerRef, type: 'contact' });
    const mug = fake.seed('product.product', { name: 'Mug', default_code: mugCode, list_price: 7.5 });
    fake.seed('sale.order', {
      name: orderName,
      partner_id: customer,
      order_line: [[0, 0, { product_id: mug, product_uom_qty: 3, price_unit: 7.5 }]],
    });

    const orders = await pullNow(service, admin, 'sale_order', { since: '2026-03-03' });
    expect(orders.counts).toMatchObject({ read: 1, created: 1, failed: 0 });
    const order = await eventually(async () => {
      const row = await em().findOne(SaleOrderSchema, { externalId: orderName, direction: 'inbound' });
      return row?.processingState === 'awaiting_dependency' ? row : undefined;
    });
    expect(order.data).toMatchObject({
      partner_external_id: customerRef,
      lines: [{ product_external_id: mugCode, quantity: 3 }],
    });

    await pullNow(service, admin, 'partner', { since: '2026-03-03' });
    await pullNow(service, admin, 'product', { since: '2026-03-03' });
    await eventually(
      async () => {
        const row = await em().findOne(SaleOrderSchema, { externalId: orderName, direction: 'inbound' });
        return row?.processingState === 'processed' ? row : undefined;
      },
      30_000,
      'the order processed once its customer and product were pulled',
    );
    expect(await executionsOf(service, 'sale_order', orderName)).toBe(1);
  });

  it('pulls products with their fixed prices, archived ones too, and a changed price alone', async () => {
    fake.setClock(() => at('2026-03-04T07:00:00Z'));
    const [code, archivedCode] = [key('TEA'), key('OLD')];
    const tea = fake.seed('product.product', { name: 'Tea', default_code: code, list_price: 4 });
    fake.seed('product.product', { name: 'Old', default_code: archivedCode, list_price: 1, active: false });
    const retail = fake.seed('product.pricelist', { name: 'Retail' });
    const item = fake.seed('product.pricelist.item', {
      pricelist_id: retail,
      product_id: tea,
      applied_on: '0_product_variant',
      compute_price: 'fixed',
      fixed_price: 3.5,
      min_quantity: 0,
    });

    const first = await pullNow(service, admin, 'product', { since: '2026-03-04' });
    expect(first.status).toBe('success');
    const archived = await em().findOneOrFail(ProductSchema, { externalId: archivedCode });
    expect(archived.active).toBe(false);
    const teaRow = await em().findOneOrFail(ProductSchema, { externalId: code });
    const prices = await em().find(PricelistItemSchema, { productExternalId: code } as never);
    expect(prices.map((p) => (p as unknown as { price: number }).price)).toEqual([3.5]);

    // Only the price changes: the product's write_date stays, the item's moves.
    fake.setClock(() => at('2026-03-04T07:10:00Z'));
    fake.update('product.pricelist.item', item, { fixed_price: 3.2 });
    const second = await pullNow(service, admin, 'product');
    expect(second.status).toBe('success');
    const repriced = await em().find(PricelistItemSchema, { productExternalId: code } as never);
    expect(repriced.map((p) => (p as unknown as { price: number }).price)).toEqual([3.2]);
    expect((await em().findOneOrFail(ProductSchema, { externalId: code })).id).toBe(teaRow.id);
  });

  it('counts a record that fails validation as failed, with its Odoo id, and goes on with the page', async () => {
    fake.setClock(() => at('2026-03-05T07:00:00Z'));
    const [good, bad] = [key('GOOD'), key('BAD')];
    fake.seed('res.partner', { name: 'Good', ref: good, type: 'contact' });
    const badId = fake.seed('res.partner', { name: 'x'.repeat(300), ref: bad, type: 'contact' });

    const pulled = await pullNow(service, admin, 'partner', { since: '2026-03-05' });
    expect(pulled.status).toBe('partial');
    expect(pulled.counts).toMatchObject({ read: 2, created: 1, failed: 1 });
    expect(await partnerRows([good])).toHaveLength(1);
    const [latest] = await pullRuns(service, admin, 'partner');
    expect(latest).toMatchObject({ status: 'partial', counts: expect.objectContaining({ failed: 1 }) });
    expect(latest!.failures).toEqual([
      expect.objectContaining({ odoo_id: badId, external_id: bad, message: expect.stringContaining('name') }),
    ]);
  });

  it('ends partial when Odoo goes down mid-run, keeps the watermark of the last page, and the next run resumes', async () => {
    fake.setClock(() => at('2026-03-06T06:00:00Z'));
    const refs = [1, 2, 3, 4, 5, 6].map((n) => key(`DOWN${n}`));
    refs.forEach((ref, i) => {
      fake.setClock(() => new Date(Date.parse('2026-03-06T06:00:00Z') + i * 1000));
      fake.seed('res.partner', { name: ref, ref, type: 'contact' });
    });
    fake.setClock(() => at('2026-03-06T06:01:00Z'));

    // The first page is read, then every read fails (more failures than the page's retries).
    fake.failAfter(1, 503, 50, { method: 'search_read', model: 'res.partner' });
    const broken = await pullNow(service, admin, 'partner', { since: '2026-03-06' });
    fake.clearSwitches();
    expect(broken.status).toBe('partial');
    expect(broken.counts).toMatchObject({ read: 2, created: 2 });
    expect(broken.error).toMatch(/503|unavailable/i);
    const watermark = await em().findOneOrFail(PullWatermarkSchema, { entityType: 'partner' });
    expect(watermark.writeDate).toBe('2026-03-06 06:00:01');

    const resumed = await pullNow(service, admin, 'partner');
    expect(resumed.status).toBe('success');
    expect(resumed.counts).toMatchObject({ created: 4, failed: 0 });
    const rows = await partnerRows(refs);
    expect(rows).toHaveLength(6);
    for (const ref of refs) {
      await eventually(async () => ((await partnerRows([ref]))[0]?.processingState === 'processed' ? true : undefined));
      expect(await executionsOf(service, 'partner', ref)).toBe(1);
    }

    const runs = await pullRuns(service, admin, 'partner');
    expect(runs[0]).toMatchObject({ status: 'success', trigger: 'manual' });
    expect(runs[1]).toMatchObject({ status: 'partial', error: expect.stringMatching(/503|unavailable/i) });
    const overview = await service.request('GET', '/api/v1/admin/overview', { token: admin });
    expect(overview.body.integration.partner).toMatchObject({
      status: 'success',
      watermark: { write_date: '2026-03-06 06:00:05', id: expect.any(Number) },
    });
    expect(overview.body.integration.partner.lag_seconds).toEqual(expect.any(Number));
  });

  it('records the watermark as Odoo text', () => {
    expect(odooDateTime(at('2026-03-06T06:00:01.500Z'))).toBe('2026-03-06 06:00:01');
  });
});

describe('a long pull continues as new and replays', () => {
  let fake: FakeOdoo;
  let service: TestService;
  let admin: string;
  const run = runId();
  const client = () => service.resources.temporal.client;

  useSyncBackFixture({
    odoo: 'jsonrpc',
    tokens: ['admin'],
    // One record per page: a backfill of more than PULL_PAGES_PER_EXECUTION records continues as new.
    env: { ...PULL_ENV, ODOO_PULL_PAGE_SIZE: '1' },
    ready: (f) => ({ fake, service, admin } = f),
  });

  /** Replays every run of the workflow against today's code and, with RECORD_HISTORIES=1, stores them. */
  const replayRuns = async (workflowId: string, baseName: string) => {
    const runs = await runsOf(client(), workflowId);
    const histories = runs.map((r, i) => ({ workflowId: `${workflowId} run ${i + 1}`, history: r.history }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await sharedWorkflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    recordRuns(workflowId, runs, baseName, { address: testBackends().temporalAddress });
    return runs;
  };

  it('reads a backfill longer than one execution across continue-as-new, each record once', async () => {
    fake.setClock(() => at('2026-04-01T00:00:00Z'));
    const refs = Array.from({ length: PULL_PAGES_PER_EXECUTION + 3 }, (_, i) => `CAN${i}-${run}`);
    refs.forEach((ref, i) => {
      fake.setClock(() => new Date(Date.parse('2026-04-01T00:00:00Z') + i * 1000));
      fake.seed('res.partner', { name: ref, ref, type: 'contact' });
    });

    const pulled = await pullNow(service, admin, 'partner', { full: true });
    expect(pulled).toMatchObject({ status: 'success', total: refs.length });
    expect(pulled.counts).toEqual({ read: refs.length, created: refs.length, updated: 0, unchanged: 0, failed: 0 });

    const runs = await replayRuns(pulled.workflowId, 'pull-partners-continue-as-new');
    expect(runs).toHaveLength(2);
    expect(runs[0]!.continuedAsNew).toBe(true);
    expect((runs[1]!.input as OdooPullInput).carried?.progress.pages).toBe(PULL_PAGES_PER_EXECUTION);
    const [logged] = await pullRuns(service, admin, 'partner');
    expect(logged).toMatchObject({ status: 'success', pages: refs.length + 1 });
    expect(await em(service).count(PartnerSchema, { externalId: { $in: refs } })).toBe(refs.length);
  });

  it('replays a run that ended partial when Odoo went down', async () => {
    fake.setClock(() => at('2026-04-02T00:00:00Z'));
    const refs = [1, 2, 3].map((n) => `PARTIAL${n}-${run}`);
    for (const ref of refs) fake.seed('res.partner', { name: ref, ref, type: 'contact' });
    fake.failAfter(2, 503, 50, { method: 'search_read', model: 'res.partner' });
    const pulled = await pullNow(service, admin, 'partner', { since: '2026-04-02' });
    fake.clearSwitches();
    expect(pulled.status).toBe('partial');
    await replayRuns(pulled.workflowId, 'pull-partners-partial');
  });
});

function em(service: TestService): EntityManager {
  return service.resources.orm.em.fork() as EntityManager;
}
