/**
 * Pull benchmark (pull from Odoo): a full backfill of N products with 3 fixed prices each from the fake Odoo,
 * then a second run with nothing changed, which must read only the lookback window, write nothing and start no
 * workflow. Beside it, in the same run, the raw baseline: the same Odoo reads (pages of products by
 * (write_date, id) and their pricelist items) with nothing imported.
 * Run: npm run bench:pull -- [--products 50000] [--page-size 200]
 */
import { parseArgs } from 'node:util';
import type { Domain, OdooClient, OdooRecord } from '../odoo/odoo-client';
import { createOdooClient } from '../odoo/odoo-client';
import { ProductSchema } from '../entities/product';
import { PRICE_ITEM_FIELDS } from '../sync/pull/mappers';
import { pageDomain } from '../sync/pull/pull-page';
import { startFakeOdoo, type FakeOdoo } from '../tests/support/fake-odoo';
import type { TestService } from '../tests/support/service-harness';
import { odooEnv } from '../tests/support/sync-back';
import type { PullProgress } from '../workflows/contract';
import { countQueries, round, withBenchStack } from './support/bench-stack';

const { values: args } = parseArgs({
  options: {
    products: { type: 'string', default: '50000' },
    'page-size': { type: 'string', default: '200' },
    'drain-timeout': { type: 'string', default: '600' },
  },
});
const PRODUCTS = Number(args.products);
const PAGE_SIZE = Number(args['page-size']);
/** Seconds to wait for the record workflows of the backfill to finish before the second run. */
const DRAIN_TIMEOUT_S = Number(args['drain-timeout']);
/** Products written this far apart in Odoo: the 10-minute lookback then holds about a dozen of them. */
const SPACING_MS = 50_000;
const PRODUCT_FIELDS = ['name', 'default_code', 'barcode', 'active', 'list_price', 'write_date'];

const say = (line: string) => console.log(line);
const rss = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

function seed(fake: FakeOdoo): { first: string; last: string } {
  const started = performance.now();
  const pricelists = [1, 2, 3].map((n) => fake.seed('product.pricelist', { name: `List ${n}` }));
  const base = Date.parse('2026-01-01T00:00:00Z');
  const stamp = (i: number) => new Date(base + i * SPACING_MS);
  const ids = fake.seedMany(
    'product.product',
    Array.from({ length: PRODUCTS }, (_, i) => ({
      name: `Product ${i}`,
      default_code: `BP-${i}`,
      list_price: 10 + (i % 50),
      write_date: stamp(i),
    })),
  );
  fake.seedMany(
    'product.pricelist.item',
    ids.flatMap((productId, i) =>
      pricelists.map((pricelistId, n) => ({
        pricelist_id: pricelistId,
        product_id: productId,
        applied_on: '0_product_variant',
        compute_price: 'fixed',
        fixed_price: 9 + n + (i % 7) / 10,
        min_quantity: n,
        write_date: stamp(i),
      })),
    ),
  );
  say(`seeded ${PRODUCTS} products, ${PRODUCTS * 3} prices in ${round((performance.now() - started) / 1000)} s`);
  return { first: stamp(0).toISOString(), last: stamp(PRODUCTS - 1).toISOString() };
}

/** What the pull reads from Odoo, without importing anything: pages of products and their items. */
async function rawBaseline(odoo: OdooClient): Promise<{ ms: number; rows: number; calls: number }> {
  const started = performance.now();
  let after: { writeDate: string; id: number } | null = null;
  let rows = 0;
  let calls = 0;
  for (;;) {
    const page: OdooRecord[] = await odoo.searchRead(
      'product.product',
      pageDomain({ since: null, after }) as Domain,
      PRODUCT_FIELDS,
      { limit: PAGE_SIZE, order: 'write_date asc, id asc', context: { active_test: false } },
    );
    calls++;
    if (page.length) {
      await odoo.searchRead(
        'product.pricelist.item',
        [['product_id', 'in', page.map((p) => p.id)]],
        PRICE_ITEM_FIELDS,
        {
          order: 'id asc',
          context: { active_test: false },
        },
      );
      calls++;
    }
    rows += page.length;
    if (page.length < PAGE_SIZE) break;
    const last: OdooRecord = page[page.length - 1]!;
    after = { writeDate: String(last.write_date), id: last.id };
  }
  return { ms: performance.now() - started, rows, calls };
}

async function handOffs(service: TestService): Promise<number> {
  const metric = await service.resources.metrics.workflowStarts.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

/** Waits until no product is pending or processing, or the timeout; returns how many still are. */
async function drained(service: TestService): Promise<number> {
  const deadline = Date.now() + DRAIN_TIMEOUT_S * 1000;
  for (;;) {
    const waiting = await service.resources.orm.em
      .fork()
      .count(ProductSchema, { processingState: { $in: ['pending', 'processing'] } });
    if (waiting === 0 || Date.now() > deadline) return waiting;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function pull(service: TestService, admin: string, body: object): Promise<PullProgress> {
  const res = await service.request('POST', '/api/v1/admin/pulls/product/run', { token: admin, body });
  if (res.status !== 202) throw new Error(`pull: ${res.status} ${JSON.stringify(res.body)}`);
  return service.resources.temporal.client.workflow.getHandle(res.body.workflow_id as string).result();
}

async function main(): Promise<void> {
  const fake = await startFakeOdoo();
  try {
    seed(fake);
    await withBenchStack(
      {
        env: {
          ...odooEnv(fake, 'jsonrpc'),
          ODOO_PULL_INTERVAL: 'off',
          ODOO_PULL_PAGE_SIZE: String(PAGE_SIZE),
          ODOO_PULL_EXTERNAL_ID: 'product=default_code',
          TOKEN_RATE_LIMIT_PER_MINUTE: '100000',
        },
      },
      async (service) => {
        const admin = await service.token(['admin']);
        const odoo = createOdooClient(service.config.odoo!, { maxConcurrent: 1 });
        const baseline = await rawBaseline(odoo);
        odoo.close();
        say(
          `raw baseline (the same Odoo reads, nothing imported): ${baseline.rows} products in ` +
            `${round(baseline.ms / 1000)} s = ${Math.round(baseline.rows / (baseline.ms / 1000))} /s, ${baseline.calls} Odoo calls`,
        );

        const callsBefore = fake.callCount();
        const startsBefore = await handOffs(service);
        const started = performance.now();
        const { result: full, queries } = await countQueries(service, () => pull(service, admin, {}));
        const fullMs = performance.now() - started;
        say(
          `full backfill: ${full.counts.read} products (${full.counts.created} created, ${full.counts.failed} failed) in ` +
            `${round(fullMs / 1000)} s = ${Math.round(full.counts.read / (fullMs / 1000))} /s; ${full.pages} pages; ` +
            `${fake.callCount() - callsBefore} Odoo calls; ${queries} SQL statements; ` +
            `${(await handOffs(service)) - startsBefore} workflows handed off; status ${full.status}; RSS ${rss()} MB`,
        );

        // The backlog of record workflows first, so the second run is measured alone.
        const drainStarted = performance.now();
        const left = await drained(service);
        say(
          left === 0
            ? `record workflows drained ${round((performance.now() - drainStarted) / 1000)} s after the backfill ended`
            : `${left} record workflows still pending after ${DRAIN_TIMEOUT_S} s: the second run's SQL count includes their processing`,
        );

        const calls2 = fake.callCount();
        const starts2 = await handOffs(service);
        const started2 = performance.now();
        const { result: again, queries: queries2 } = await countQueries(service, () => pull(service, admin, {}));
        const againMs = performance.now() - started2;
        say(
          `second run, nothing changed: ${again.counts.read} products read (lookback window), ` +
            `${again.counts.created + again.counts.updated} written, ${again.counts.unchanged} unchanged, ` +
            `${(await handOffs(service)) - starts2} workflows started, ${fake.callCount() - calls2} Odoo calls, ` +
            `${queries2} SQL statements, ${Math.round(againMs)} ms; status ${again.status}`,
        );
      },
    );
  } finally {
    await fake.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
