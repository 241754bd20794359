/**
 * Sync-back benchmark (issue 5): webshop orders into a fake Odoo that answers every call after a fixed latency.
 *   1. Throughput and Odoo calls per order for a batch of orders posted at once.
 *   2. An Odoo outage (connections refused) while as many orders are posted; the time to drain the backlog
 *      once Odoo is back, and that every order is in Odoo exactly once.
 *   These two measure the create (SYNC_BACK_CONFIRM=false): with the confirm on, orders end `confirmed`, not `synced`.
 *   3. The lifecycle (SYNC_BACK_CONFIRM=true, a service of its own): as many orders created and confirmed, 20 % of
 *      them updated (a quantity changed, a line added), 10 % others cancelled; the time of each phase, the Odoo calls
 *      per order of each path next to the fewest possible, and no create, confirm, write or cancel sent twice.
 * Run: npm run bench:sync-back -- [--scenario all|happy|outage|lifecycle] [--orders 1000] [--latency 50]
 *   [--outage 120] [--concurrency 4]
 * ODOO_BREAKER_*, SYNC_BACK_RETRY_* and ODOO_TIMEOUT from the environment are passed to the service.
 */
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SaleOrderSchema, type SyncState } from '../entities/sale-order';
import { startFakeOdoo, type FakeOdoo, type FakeOdooRequest } from '../tests/support/fake-odoo';
import type { TestService } from '../tests/support/service-harness';
import {
  cancelOrder,
  odooEnv,
  postOrder,
  pushAndProcess,
  syncBackHandle,
  webshopOrder,
} from '../tests/support/sync-back';
import { percentile, round, withBenchServers, withService } from './support/bench-stack';

const SCENARIOS = ['all', 'happy', 'outage', 'lifecycle'] as const;

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    orders: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '50' },
    outage: { type: 'string', default: '120' },
    concurrency: { type: 'string', default: '4' },
  },
});
if (!(SCENARIOS as readonly string[]).includes(args.scenario)) {
  console.error(`--scenario must be one of ${SCENARIOS.join(', ')}, not ${args.scenario}`);
  process.exit(2);
}
// The SDK's own INFO lines (worker state, the activities' log.info, such as every cancel) would bury the results.
Runtime.install({ logger: new DefaultLogger('WARN') });
const SCENARIO = args.scenario as (typeof SCENARIOS)[number];
const runs = (scenario: Exclude<(typeof SCENARIOS)[number], 'all'>) => SCENARIO === 'all' || SCENARIO === scenario;
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

/** The two products of order `i`. */
function lineProducts(i: number, products: string[]): [string, string] {
  return [products[i % products.length]!, products[(i * 7 + 3) % products.length]!];
}

function orderBodies(prefix: string, partners: string[], products: string[]) {
  return Array.from({ length: ORDERS }, (_, i) =>
    webshopOrder(`${prefix}-${i}`, partners[i % partners.length]!, lineProducts(i, products)),
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

async function countInState(service: TestService, prefix: string, syncState: SyncState): Promise<number> {
  return service.resources.orm.em
    .fork()
    .count(SaleOrderSchema, { direction: 'outbound', externalId: { $like: `${prefix}-%` }, syncState });
}

const countSynced = (service: TestService, prefix: string) => countInState(service, prefix, 'synced');

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

/** Creates the webshop token, the partners and products; prints the settings the service runs with. */
async function prepare(service: TestService, fake: FakeOdoo, run: string) {
  const token = await service.token(['webshop']);
  const { partners, products } = await seed(service, fake, run);
  console.log(
    `${ORDERS} orders (2 lines each), Odoo latency ${LATENCY_MS} ms per call, ` +
      `ODOO_MAX_CONCURRENT=${ODOO_CONCURRENCY}, ODOO_BREAKER_OPEN=${service.config.odooClient.breakerOpenMs} ms, ` +
      `SYNC_BACK_RETRY_MAX=${service.config.syncBack.retryMaxMs} ms, SYNC_BACK_CONFIRM=${service.config.syncBack.confirm}`,
  );
  return { token, partners, products };
}

async function happyPath(
  service: TestService,
  fake: FakeOdoo,
  token: string,
  partners: string[],
  products: string[],
  run: string,
) {
  const happy = `BH-${run}`;
  const from = fake.requests.length;
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
}

/** Odoo refuses connections while the orders arrive, then comes back. */
async function outagePath(
  service: TestService,
  fake: FakeOdoo,
  token: string,
  partners: string[],
  products: string[],
  run: string,
) {
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
  const from = fake.requests.length;
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
}

const say = (line: string) => console.log(line);
const LIFECYCLE_TIMEOUT_MS = 30 * 60_000;
/** The first line's quantity in an updated order (posted first with 1). */
const UPDATED_QTY = 5;

/** Runs `work` on every item, POST_PARALLEL at a time. */
async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: POST_PARALLEL }, worker));
}

/** Polls until `check` holds; returns when it did. On timeout, `stuck` says where things stand. */
async function until(
  what: string,
  check: () => Promise<boolean>,
  stuck: () => Promise<string>,
  timeoutMs = LIFECYCLE_TIMEOUT_MS,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return performance.now();
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs / 1000} s; ${await stuck()}`);
    await sleep(100);
  }
}

/** The stored orders: their sync state, and Odoo's version as last read back. */
function outboundRows(service: TestService, numbers: readonly string[]) {
  return service.resources.orm.em
    .fork()
    .find(
      SaleOrderSchema,
      { direction: 'outbound', externalId: { $in: [...numbers] } },
      { fields: ['externalId', 'syncState', 'odooData'] },
    );
}

/** How many of the orders are in each sync state, and whether Odoo's version was read back: for a stuck phase. */
async function stateTally(service: TestService, numbers: readonly string[]): Promise<string> {
  const tally = new Map<string, number>();
  for (const row of await outboundRows(service, numbers)) {
    const key = `${row.syncState} (${row.odooData ? `read back, ${row.odooData.lines.length} lines` : 'not read back'})`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return `orders: ${[...tally].map(([key, n]) => `${n} ${key}`).join(', ')}`;
}

/** Waits until no workflow of these orders runs any more; returns when, and those that did not complete. */
async function untilWorkflowsEnded(service: TestService, numbers: readonly string[]) {
  const deadline = Date.now() + LIFECYCLE_TIMEOUT_MS;
  const notCompleted: string[] = [];
  let running = [...numbers];
  for (;;) {
    const still: string[] = [];
    await inParallel(running, async (number) => {
      const { status } = await syncBackHandle(service, number).describe();
      if (status.name === 'RUNNING') still.push(number);
      else if (status.name !== 'COMPLETED') notCompleted.push(`${number} ${status.name}`);
    });
    running = still;
    if (!running.length) return { at: performance.now(), notCompleted };
    if (Date.now() > deadline) throw new Error(`workflows still running: ${running.slice(0, 10).join(', ')}`);
    await sleep(200);
  }
}

/** The order a logged call is about: its number (search, create), or its Odoo id (in the domain, or the ids). */
function orderOfCall(request: FakeOdooRequest, numberOf: ReadonlyMap<number, string>): string | undefined {
  const text = JSON.stringify(request.args);
  const ref = /"client_order_ref"(?:,"=",|:)"([^"]+)"/.exec(text);
  if (ref) return ref[1];
  const id = /\["(?:id|order_id)","=",(\d+)\]/.exec(text) ?? /^\[\[(\d+)\]/.exec(text) ?? /"ids":\[(\d+)\]/.exec(text);
  return id ? numberOf.get(Number(id[1])) : undefined;
}

const callName = (r: FakeOdooRequest) =>
  r.model === 'sale.order' ? r.method : r.model === 'sale.order.line' ? `${r.method} lines` : `${r.model}.${r.method}`;

/**
 * The Odoo calls of one phase per order of its path: in all and by method, the fewest and most one order got,
 * how many were about no order of the path, and how many did not end `ok`.
 */
function pathCalls(calls: FakeOdooRequest[], numbers: readonly string[], numberOf: ReadonlyMap<number, string>) {
  const modelCalls = calls.filter((r) => r.model !== undefined);
  const perOrder = new Map(numbers.map((n) => [n, 0]));
  const byMethod = new Map<string, number>();
  const notOk = new Map<string, number>();
  let outside = 0;
  for (const r of modelCalls) {
    byMethod.set(callName(r), (byMethod.get(callName(r)) ?? 0) + 1);
    if (r.outcome !== 'ok') notOk.set(r.outcome, (notOk.get(r.outcome) ?? 0) + 1);
    const order = orderOfCall(r, numberOf);
    if (order !== undefined && perOrder.has(order)) perOrder.set(order, perOrder.get(order)! + 1);
    else outside++;
  }
  const counts = [...perOrder.values()];
  const per = (n: number) => round(n / numbers.length, 2).toFixed(2);
  return (
    `${per(modelCalls.length)} (${[...byMethod].map(([m, n]) => `${m} ${per(n)}`).join(', ')}), ` +
    `per order ${Math.min(...counts)}–${Math.max(...counts)}` +
    (outside ? `, ${outside} calls about no order of this path` : '') +
    (notOk.size ? `, not ok: ${[...notOk].map(([o, n]) => `${o} ${n}`).join(', ')}` : '')
  );
}

/**
 * What was sent more often than it may be: per order at most one create, action_confirm and action_cancel, exactly
 * one write for an updated order and none for the others; and one Odoo order per number.
 */
function sentTwice(
  calls: FakeOdooRequest[],
  numbers: readonly string[],
  updated: ReadonlySet<string>,
  numberOf: ReadonlyMap<number, string>,
): string[] {
  const actions = ['create', 'action_confirm', 'action_cancel', 'write'];
  const sent = new Map<string, Map<string, number>>();
  const problems: string[] = [];
  for (const r of calls) {
    if (r.model !== 'sale.order' || !actions.includes(r.method)) continue;
    const order = orderOfCall(r, numberOf);
    if (order === undefined) {
      problems.push(`a ${r.method} of no known order (${JSON.stringify(r.args).slice(0, 80)})`);
      continue;
    }
    const counts = sent.get(order) ?? new Map<string, number>();
    counts.set(r.method, (counts.get(r.method) ?? 0) + 1);
    sent.set(order, counts);
  }
  const inOdoo = new Map<string, number>();
  for (const ref of numberOf.values()) inOdoo.set(ref, (inOdoo.get(ref) ?? 0) + 1);
  for (const number of numbers) {
    const counts = sent.get(number) ?? new Map<string, number>();
    for (const method of ['create', 'action_confirm', 'action_cancel']) {
      if ((counts.get(method) ?? 0) > 1) problems.push(`${number}: ${method} ×${counts.get(method)}`);
    }
    const writes = counts.get('write') ?? 0;
    if (updated.has(number) ? writes !== 1 : writes > 0) problems.push(`${number}: write ×${writes}`);
    if ((inOdoo.get(number) ?? 0) !== 1) problems.push(`${number}: ${inOdoo.get(number) ?? 0} Odoo orders`);
  }
  return problems;
}

/** Orders whose Odoo side is not as the lifecycle leaves it: state, number of lines, the first line's quantity. */
function odooSideWrong(
  fake: FakeOdoo,
  numbers: readonly string[],
  updated: ReadonlySet<string>,
  cancelled: ReadonlySet<string>,
): string[] {
  const orders = new Map(fake.records('sale.order').map((o) => [String(o.client_order_ref), o]));
  const lines = new Map<number, { sequence: number; id: number; qty: unknown }[]>();
  for (const line of fake.records('sale.order.line')) {
    const orderId = Number(line.order_id);
    lines.set(orderId, [
      ...(lines.get(orderId) ?? []),
      { sequence: Number(line.sequence), id: line.id, qty: line.product_uom_qty },
    ]);
  }
  const wrong: string[] = [];
  for (const number of numbers) {
    const order = orders.get(number);
    if (!order) {
      wrong.push(`${number}: not in Odoo`);
      continue;
    }
    const own = (lines.get(order.id) ?? []).sort((a, b) => a.sequence - b.sequence || a.id - b.id);
    const expected = {
      state: cancelled.has(number) ? 'cancel' : 'sale',
      lines: updated.has(number) ? 3 : 2,
      qty: updated.has(number) ? UPDATED_QTY : 1,
    };
    const actual = { state: order.state, lines: own.length, qty: own[0]?.qty };
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      wrong.push(`${number}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  }
  return wrong;
}

/** The order posted again: its first line's quantity changed, a third product added (one it does not have). */
function changedOrder(i: number, prefix: string, partners: string[], products: string[]) {
  const [first, second] = lineProducts(i, products);
  let k = i + 1;
  while (products[k % products.length] === first || products[k % products.length] === second) k++;
  const order = webshopOrder(`${prefix}-${i}`, partners[i % partners.length]!, [
    first,
    second,
    products[k % products.length]!,
  ]);
  order.lines[0]!.quantity = UPDATED_QTY;
  return order;
}

const listed = (items: string[]) =>
  `${items.length}${items.length ? `: ${items.slice(0, 10).join('; ')}${items.length > 10 ? '; ...' : ''}` : ''}`;

/**
 * Orders created and confirmed, then 20 % of them changed (the first line's quantity, a line added) and 10 % others
 * cancelled, each phase waited out in the database, in the fake Odoo and in Temporal before the next. The Odoo calls
 * of each phase come from the fake's log, by order (its number or Odoo id in the call's arguments).
 */
async function lifecycle(
  service: TestService,
  fake: FakeOdoo,
  token: string,
  partners: string[],
  products: string[],
  run: string,
) {
  const prefix = `BL-${run}`;
  const indexes = Array.from({ length: ORDERS }, (_, i) => i);
  const numbers = indexes.map((i) => `${prefix}-${i}`);
  const toUpdate = indexes.filter((i) => i % 5 === 0);
  const toCancel = indexes.filter((i) => i % 10 === 1);
  const updated = toUpdate.map((i) => numbers[i]!);
  const cancelled = toCancel.map((i) => numbers[i]!);
  const tally = (outcomes: Map<string, number>) => [...outcomes].map(([o, n]) => `${o} ${n}`).join(', ');
  say(
    `lifecycle: ${ORDERS} orders created and confirmed, then ${updated.length} of them updated ` +
      `(first line's quantity 1 → ${UPDATED_QTY}, a third line added) and ${cancelled.length} others cancelled`,
  );

  // 1. Create and confirm, until every order is confirmed and Odoo's version read back.
  const from1 = fake.requests.length;
  const started = performance.now();
  const latencies = await postAll(service, token, orderBodies(prefix, partners, products));
  const accepted = performance.now();
  const confirmed = await until(
    'every order confirmed and read back',
    async () =>
      (await countInState(service, prefix, 'confirmed')) === ORDERS &&
      (await outboundRows(service, numbers)).every((r) => r.odooData !== null),
    () => stateTally(service, numbers),
  );
  const created = await untilWorkflowsEnded(service, numbers);
  const createS = (confirmed - started) / 1000;
  say(
    `  create+confirm: all accepted in ${round((accepted - started) / 1000)} s (POST p50 ${round(percentile(latencies, 50))} ms, p95 ${round(percentile(latencies, 95))} ms); ` +
      `all confirmed in Odoo and read back after ${round(createS)} s = ${round(ORDERS / createS)} orders/s; ` +
      `every workflow ended after ${round((created.at - started) / 1000)} s${created.notCompleted.length ? `, not completed ${listed(created.notCompleted)}` : ''}`,
  );

  // 2. Update: the changed orders posted again, until Odoo has the change and it is read back.
  const from2 = fake.requests.length;
  const repostOutcomes = new Map<string, number>();
  const repostLatencies: number[] = [];
  const updateStarted = performance.now();
  await inParallel(toUpdate, async (i) => {
    const sent = performance.now();
    const res = await postOrder(service, token, changedOrder(i, prefix, partners, products));
    repostLatencies.push(performance.now() - sent);
    const outcome = `${res.status} ${res.body?.outcome ?? JSON.stringify(res.body)}`;
    repostOutcomes.set(outcome, (repostOutcomes.get(outcome) ?? 0) + 1);
  });
  const reposted = performance.now();
  const written = await until(
    'every updated order written in Odoo and read back',
    async () => {
      const rows = await outboundRows(service, updated);
      return (
        rows.length === updated.length &&
        rows.every((r) => r.syncState === 'confirmed' && r.odooData?.lines.length === 3)
      );
    },
    () => stateTally(service, updated),
  );
  const updateEnded = await untilWorkflowsEnded(service, updated);
  const updateS = (written - updateStarted) / 1000;
  say(
    `  update of ${updated.length} orders: reposts answered in ${round((reposted - updateStarted) / 1000)} s (p50 ${round(percentile(repostLatencies, 50))} ms; ${tally(repostOutcomes)}); ` +
      `all written in Odoo and read back after ${round(updateS)} s = ${round(updated.length / updateS)} orders/s; ` +
      `every workflow ended after ${round((updateEnded.at - updateStarted) / 1000)} s${updateEnded.notCompleted.length ? `, not completed ${listed(updateEnded.notCompleted)}` : ''}`,
  );

  // 3. Cancel other orders, until they are cancelled here and in Odoo.
  const from3 = fake.requests.length;
  const cancelOutcomes = new Map<string, number>();
  const cancelStarted = performance.now();
  await inParallel(cancelled, async (number) => {
    const res = await cancelOrder(service, token, number);
    const outcome = `${res.status} ${res.body?.outcome ?? JSON.stringify(res.body)}`;
    cancelOutcomes.set(outcome, (cancelOutcomes.get(outcome) ?? 0) + 1);
  });
  const asked = performance.now();
  const cancelledAt = await until(
    'every cancelled order cancelled here and in Odoo',
    async () => {
      const rows = await outboundRows(service, cancelled);
      if (rows.length !== cancelled.length || !rows.every((r) => r.syncState === 'cancelled')) return false;
      const states = new Map(fake.records('sale.order').map((o) => [String(o.client_order_ref), o.state]));
      return cancelled.every((number) => states.get(number) === 'cancel');
    },
    () => stateTally(service, cancelled),
  );
  const cancelEnded = await untilWorkflowsEnded(service, cancelled);
  const to3 = fake.requests.length;
  const cancelS = (cancelledAt - cancelStarted) / 1000;
  say(
    `  cancel of ${cancelled.length} others: asks answered in ${round((asked - cancelStarted) / 1000)} s (${tally(cancelOutcomes)}); ` +
      `all cancelled here and in Odoo after ${round(cancelS)} s = ${round(cancelled.length / cancelS)} orders/s; ` +
      `every workflow ended after ${round((cancelEnded.at - cancelStarted) / 1000)} s${cancelEnded.notCompleted.length ? `, not completed ${listed(cancelEnded.notCompleted)}` : ''}`,
  );

  // Odoo calls per order of each path, next to the fewest possible.
  const numberOf = new Map(fake.records('sale.order').map((o) => [o.id, String(o.client_order_ref)]));
  const log = fake.requests;
  say(
    `  Odoo calls per order, create+confirm: ${pathCalls(log.slice(from1, from2), numbers, numberOf)}; ` +
      `fewest possible 5 = search (so it is never created twice), create, action_confirm + 2 to read Odoo's version back (order, lines)`,
  );
  say(
    `  Odoo calls per order, update: ${pathCalls(log.slice(from2, from3), updated, numberOf)}; ` +
      `fewest possible 5 = 2 reads before (order, lines: the merge against Odoo's current version) + 1 write + 2 reads after (Odoo's version back)`,
  );
  say(
    `  Odoo calls per order, cancel: ${pathCalls(log.slice(from3, to3), cancelled, numberOf)}; ` +
      `fewest possible 2 = 1 search_read (the state: never cancel twice) + 1 action_cancel`,
  );
  const twice = sentTwice(log.slice(from1, to3), numbers, new Set(updated), numberOf);
  say(
    `  duplicates: ${listed(twice)} (per order at most one create, action_confirm, action_cancel; ` +
      `exactly one write per updated order, none for the others; one Odoo order per number)`,
  );
  const wrong = odooSideWrong(fake, numbers, new Set(updated), new Set(cancelled));
  say(
    `  Odoo side not as expected: ${listed(wrong)} (${ORDERS - cancelled.length} confirmed, ${cancelled.length} cancelled, ${updated.length} with 3 lines)`,
  );
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
  // Every model call waits LATENCY_MS (the seeding writes into the fake directly, not over HTTP).
  fake.hang(LATENCY_MS);
  try {
    await withBenchServers(async () => {
      if (runs('happy') || runs('outage')) {
        // The create only, as issue 5 measured it: with the confirm on, the orders never stay `synced`.
        await withService({ env: { ...env, SYNC_BACK_CONFIRM: 'false' } }, async (service) => {
          const { token, partners, products } = await prepare(service, fake, run);
          if (runs('happy')) await happyPath(service, fake, token, partners, products, run);
          if (runs('outage')) await outagePath(service, fake, token, partners, products, run);
        });
      }
      if (runs('lifecycle')) {
        await withService({ env: { ...env, SYNC_BACK_CONFIRM: 'true' } }, async (service) => {
          const { token, partners, products } = await prepare(service, fake, `${run}l`);
          await lifecycle(service, fake, token, partners, products, run);
        });
      }
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
