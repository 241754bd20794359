/**
 * Inbound pipeline benchmark (issue 3): batch accept time, unchanged re-push cost, dependency wake-up
 * latency and Temporal history size per record. Run: npm run bench:inbound
 */
import { PartnerSchema } from '../entities/partner';
import { ProductSchema } from '../entities/product';
import type { TestService } from '../tests/support/service-harness';
import { countQueries, percentile, round, withBenchStack } from './support/bench-stack';

const BATCH = 1000;
const UNCHANGED_TOTAL = 10_000;
const WAKE_SAMPLES = 30;

const product = (i: number, run: string) => ({
  external_id: `BENCH-${run}-${i}`,
  name: `Product ${i}`,
  default_code: `SKU-${i}`,
  list_price: 10 + (i % 100),
  active: true,
  write_date: '2026-11-01T10:00:00+00:00',
  prices: [
    { pricelist_id: 1, price: 9.5 + (i % 50) },
    { pricelist_id: 2, price: 8.5 + (i % 50), min_quantity: 10 },
    {
      pricelist_id: 3,
      price: 7.5,
      is_promo: true,
      date_start: '2026-11-01T00:00:00+00:00',
      date_end: '2026-12-01T00:00:00+00:00',
    },
  ],
});

async function workflowStarts(service: TestService): Promise<number> {
  const metric = await service.resources.metrics.workflowStarts.get();
  return metric.values.filter((v) => v.labels.result === 'ok').reduce((sum, v) => sum + v.value, 0);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main() {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  await withBenchStack(
    {
      env: {
        DEPENDENCY_GRACE_PERIOD: '1h',
        TOKEN_RATE_LIMIT_PER_MINUTE: '100000',
        PENDING_SWEEP_MIN_AGE: '10m',
        LOG_LEVEL: 'silent',
      },
    },
    async (service) => {
      const token = await service.token(['odoo']);
      const push = (products: object[]) => service.request('POST', '/api/v1/products', { token, body: { products } });

      // 1. Accepting a batch of 1,000 new products (3 prices each), 5 batches.
      const acceptMs: number[] = [];
      for (let b = 0; b < 5; b++) {
        const batch = Array.from({ length: BATCH }, (_, i) => product(i, `A${b}`));
        const started = performance.now();
        const res = await push(batch);
        acceptMs.push(performance.now() - started);
        if (res.body.created !== BATCH)
          throw new Error(`batch not accepted: ${JSON.stringify(res.body).slice(0, 300)}`);
      }
      say(
        `accept 1,000-product batch (new, 3 prices each): p50 ${round(percentile(acceptMs, 50))} ms, max ${round(Math.max(...acceptMs))} ms`,
      );

      // 2. 10,000 products pushed, processed, then re-pushed unchanged.
      const all = Array.from({ length: UNCHANGED_TOTAL }, (_, i) => product(i, 'U'));
      for (let i = 0; i < all.length; i += BATCH) await push(all.slice(i, i + BATCH));
      await waitUntil(
        async () =>
          (await service.resources.orm.em.fork().count(ProductSchema, { processingState: { $ne: 'processed' } })) === 0,
        600_000,
        'all products processed',
      );
      const startsBefore = await workflowStarts(service);
      const started = performance.now();
      const { queries, result: unchanged } = await countQueries(service, async () => {
        let count = 0;
        for (let i = 0; i < all.length; i += BATCH) count += (await push(all.slice(i, i + BATCH))).body.unchanged;
        return count;
      });
      const repushMs = performance.now() - started;
      const startsAfter = await workflowStarts(service);
      say(
        `re-push 10,000 unchanged products: ${round(repushMs)} ms total (${round(repushMs / 10)} ms per 1,000), ` +
          `${unchanged} unchanged, ${startsAfter - startsBefore} workflows started, ${queries} SQL statements (${queries / 10} per batch, tokens included)`,
      );

      // 3. Wake-up latency: a child partner waits for its parent; time from the parent's 200 to the child processed.
      const partnerToken = token;
      const wake: number[] = [];
      for (let i = 0; i < WAKE_SAMPLES; i++) {
        const child = `WAKE-C-${i}`;
        const parent = `WAKE-P-${i}`;
        await service.request('POST', '/api/v1/partners', {
          token: partnerToken,
          body: { external_id: child, type: 'D', parent_external_id: parent },
        });
        const em = service.resources.orm.em;
        await waitUntil(
          async () =>
            (await em.fork().findOne(PartnerSchema, { externalId: child }))?.processingState === 'awaiting_dependency',
          30_000,
          'child waiting',
        );
        const t0 = performance.now();
        await service.request('POST', '/api/v1/partners', {
          token: partnerToken,
          body: { external_id: parent, type: 'B' },
        });
        await waitUntil(
          async () => (await em.fork().findOne(PartnerSchema, { externalId: child }))?.processingState === 'processed',
          30_000,
          'child processed',
        );
        wake.push(performance.now() - t0);
      }
      say(
        `dependency wake-up (parent push -> waiting child processed, ${WAKE_SAMPLES} samples): p50 ${round(percentile(wake, 50))} ms, p95 ${round(percentile(wake, 95))} ms`,
      );

      // 4. History events per record.
      const client = service.resources.temporal.client;
      const events = async (id: string) => (await client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0;
      say(
        `history events per record: product happy path ${await events('product:BENCH-U-1')}, partner that waited for its parent ${await events('partner:WAKE-C-0')}, parent ${await events('partner:WAKE-P-0')}`,
      );
    },
  );
  console.log('\n' + lines.map((l) => `- ${l}`).join('\n'));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
