/**
 * Sync-back benchmark (issue 5): webshop orders into a fake Odoo that answers every call after a fixed latency.
 *   1. Throughput and Odoo calls per order for a batch of orders posted at once.
 *   2. An Odoo outage (connections refused) while as many orders are posted; the time to drain the backlog
 *      once Odoo is back, and that every order is in Odoo exactly once.
 * Run: npm run bench:sync-back -- [--orders 1000] [--latency 50] [--outage 120] [--concurrency 4]
 * ODOO_BREAKER_*, SYNC_BACK_RETRY_* and ODOO_TIMEOUT from the environment are passed to the service.
 */
import { parseArgs } from 'node:util';
import { SaleOrderSchema } from '../entities/sale-order';
import { startFakeOdoo, type FakeOdoo } from '../tests/support/fake-odoo';
import type { TestService } from '../tests/support/service-harness';
import { odooEnv, postOrder, pushAndProcess, webshopOrder } from '../tests/support/sync-back';
import { percentile, round, withBenchStack } from './support/bench-stack';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '50' },
    outage: { type: 'string', default: '120' },
    concurrency: { type: 'string', default: '4' },
  },
});
const ORDERS = Number(args.orders);
const LATENCY_MS = Number(args.latency);
const OUTAGE_S = Number(args.outage);
const ODOO_CONCURRENCY = Number(args.concurrency);
const PARTNERS = 20;
const PRODUCTS = 50;
const POST_PARALLEL = 16;

const TUNABLES = [
  'ODOO_BREAKER_OPEN',
  'ODOO_BREAKER_FAILURES',
  'ODOO_TIMEOUT',
  'SYNC_BACK_RETRY_INITIAL',
  'SYNC_BACK_RETRY_MAX',
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seed(service: TestService, fake: FakeOdoo, run: string) {
  const partners = Array.from({ length: PARTNERS }, (_, i) => `BP-${run}-${i}`);
  const products = Array.from({ length: PRODUCTS }, (_, i) => `BM-${run}-${i}`);
  await pushAndProcess(
    service,
    'partners',
    partners.map((id) => ({ external_id: id, odoo_id: fake.seed('res.partner', { name: id }), type: 'C' })),
  );
  await pushAndProcess(
    service,
    'products',
    products.map((id, i) => ({
      external_id: id,
      odoo_id: fake.seed('product.product', { name: id, list_price: 5 + i }),
      name: id,
    })),
  );
  return { partners, products };
}

function orderBodies(prefix: string, partners: string[], products: string[]) {
  return Array.from({ length: ORDERS }, (_, i) =>
    webshopOrder(`${prefix}-${i}`, partners[i % partners.length]!, [
      products[i % products.length]!,
      products[(i * 7 + 3) % products.length]!,
    ]),
  );
}

/** Posts every order, POST_PARALLEL at a time; returns the per-request latencies. */
async function postAll(service: TestService, token: string, bodies: object[]): Promise<number[]> {
  const queue = [...bodies];
  const latencies: number[] = [];
  const worker = async () => {
    for (let body = queue.shift(); body; body = queue.shift()) {
      const started = performance.now();
      const res = await postOrder(service, token, body);
      latencies.push(performance.now() - started);
      if (res.status !== 202) throw new Error(`post failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  await Promise.all(Array.from({ length: POST_PARALLEL }, worker));
  return latencies;
}

async function countSynced(service: TestService, prefix: string): Promise<number> {
  return service.resources.orm.em
    .fork()
    .count(SaleOrderSchema, { direction: 'outbound', externalId: { $like: `${prefix}-%` }, syncState: 'synced' });
}

async function untilAllSynced(service: TestService, prefix: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await countSynced(service, prefix)) === ORDERS) return performance.now();
    if (Date.now() > deadline) throw new Error(`not all ${prefix} orders synced in time`);
    await sleep(100);
  }
}

function odooCalls(fake: FakeOdoo, from: number) {
  const calls = fake.requests.slice(from).filter((r) => r.model === 'sale.order');
  return {
    total: calls.length,
    search: calls.filter((r) => r.method === 'search').length,
    create: calls.filter((r) => r.method === 'create').length,
  };
}

function duplicates(fake: FakeOdoo, prefix: string): number {
  const refs = fake
    .records('sale.order')
    .map((o) => String(o.client_order_ref))
    .filter((ref) => ref.startsWith(`${prefix}-`));
  return refs.length - new Set(refs).size;
}

async function historyEvents(service: TestService, prefix: string): Promise<number> {
  const sample = [0, Math.floor(ORDERS / 2), ORDERS - 1];
  let events = 0;
  for (const i of sample) {
    const history = await service.resources.temporal.client.workflow
      .getHandle(`sync:sale_order:${prefix}-${i}`)
      .fetchHistory();
    events += history.events?.length ?? 0;
  }
  return events / sample.length;
}

async function main() {
  const fake = await startFakeOdoo();
  const run = Date.now().toString(36);
  const env = {
    ...odooEnv(fake),
    ODOO_MAX_CONCURRENT: String(ODOO_CONCURRENCY),
    TOKEN_RATE_LIMIT_PER_MINUTE: '1000000',
    // The production sweep settings (the test harness makes the sweep eager).
    PENDING_SWEEP_INTERVAL: '15s',
    PENDING_SWEEP_MIN_AGE: '2m',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...Object.fromEntries(TUNABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : []))),
  };
  try {
    await withBenchStack({ env }, async (service) => {
      const token = await service.token(['webshop']);
      const { partners, products } = await seed(service, fake, run);
      fake.hang(LATENCY_MS);
      console.log(
        `${ORDERS} orders (2 lines each), Odoo latency ${LATENCY_MS} ms per call, ` +
          `ODOO_MAX_CONCURRENT=${ODOO_CONCURRENCY}, ODOO_BREAKER_OPEN=${service.config.odooClient.breakerOpenMs} ms, ` +
          `SYNC_BACK_RETRY_MAX=${service.config.syncBack.retryMaxMs} ms`,
      );

      // 1. Happy path.
      const happy = `BH-${run}`;
      let from = fake.requests.length;
      fake.maxInFlight = 0;
      const started = performance.now();
      const latencies = await postAll(service, token, orderBodies(happy, partners, products));
      const accepted = performance.now();
      const done = await untilAllSynced(service, happy, 30 * 60_000);
      const calls = odooCalls(fake, from);
      const seconds = (done - started) / 1000;
      console.log(
        `happy path: all accepted in ${round((accepted - started) / 1000)} s (POST p50 ${round(percentile(latencies, 50))} ms, p95 ${round(percentile(latencies, 95))} ms); ` +
          `all in Odoo after ${round(seconds)} s = ${round(ORDERS / seconds)} orders/s`,
      );
      console.log(
        `  Odoo calls per order: ${round(calls.total / ORDERS, 2)} (search ${round(calls.search / ORDERS, 2)}, create ${round(calls.create / ORDERS, 2)}); ` +
          `max Odoo requests in flight ${fake.maxInFlight}; duplicates ${duplicates(fake, happy)}; ` +
          `Temporal history events per order ${round(await historyEvents(service, happy))}`,
      );

      // 2. Outage: Odoo refuses connections while the orders arrive, then comes back.
      const outage = `BO-${run}`;
      await fake.refuseConnections();
      const outageStarted = performance.now();
      await postAll(service, token, orderBodies(outage, partners, products));
      await sleep(Math.max(0, OUTAGE_S * 1000 - (performance.now() - outageStarted)));
      const orders = await service.resources.orm.em.fork().find(SaleOrderSchema, {
        direction: 'outbound',
        externalId: { $like: `${outage}-%` },
      });
      const attempts = orders.map((o) => o.syncAttempts);
      from = fake.requests.length;
      await fake.acceptConnections();
      const recovered = performance.now();
      const drained = await untilAllSynced(service, outage, 30 * 60_000);
      const drainCalls = odooCalls(fake, from);
      console.log(
        `outage of ${OUTAGE_S} s with ${ORDERS} orders posted: attempts per order during the outage p50 ${percentile(attempts, 50)}, max ${Math.max(...attempts)}; ` +
          `backlog drained ${round((drained - recovered) / 1000)} s after Odoo came back`,
      );
      console.log(
        `  Odoo calls per order after recovery: ${round(drainCalls.total / ORDERS, 2)} (search ${round(drainCalls.search / ORDERS, 2)}, create ${round(drainCalls.create / ORDERS, 2)}); ` +
          `duplicates ${duplicates(fake, outage)}; breaker now ${service.resources.metrics.odooBreakerState()}`,
      );
    });
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
