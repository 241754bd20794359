/**
 * Where the time of an unchanged product re-push goes (issue 12, point 16): 10,000 products with 3 prices
 * stored once (hand-offs skipped: nothing here needs Temporal to hold them), then re-pushed unchanged in batches
 * of 1,000 over HTTP, `--rounds` times; the last rounds run under the CPU profiler. Prints the wall time per
 * batch, the SQL statements and their time, and the profile's time per part of the pipeline (inclusive, so
 * each sample counted once). Run: npx tsx bench/repush-profile.ts [--rounds 6 --profile-rounds 3 --out /tmp/x.cpuprofile];
 * `--summarise /tmp/x.cpuprofile --batches 30` prints the parts of a saved profile again.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { TestService } from '../tests/support/service-harness';
import { percentile, round, withBenchServers, withService } from './support/bench-stack';

const BATCH = 1000;
const TOTAL = 10_000;
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const ROUNDS = Number(arg('rounds', '6'));
const PROFILE_ROUNDS = Number(arg('profile-rounds', '3'));
const OUT = arg('out', '/tmp/repush.cpuprofile');

const product = (i: number) => ({
  external_id: `BENCH-U-${i}`,
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

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Parts of the pipeline. Each sample goes to the part of the innermost frame of its stack that any rule
 * matches (rules tried in order at each frame), so the parts add up to the whole profile.
 */
const PARTS: [string, (fn: string, url: string) => boolean][] = [
  ['garbage collector', (fn) => fn === '(garbage collector)'],
  ['idle (waiting: database, network)', (fn) => fn === '(idle)'],
  ['profiler itself', (fn, url) => url === 'node:inspector' || (fn === 'dispatch' && url === '')],
  ['stored JSON parse (data columns)', (fn, url) => fn === 'parseJsonSafe' || url.includes('json-column')],
  ['change detection (products and prices)', (fn, url) => url.includes('change-detection')],
  ['pricelistItemKey', (fn) => fn === 'pricelistItemKey'],
  [
    'zod validation (parseTimestamp included)',
    (fn, url) => url.includes('/zod/') || url.includes('record-fields') || url.includes('optional-values'),
  ],
  ['body guard (unsafeJsonProblems)', (fn, url) => url.includes('json-guard')],
  ['HTTP body parse (bodyparser, JSON.parse)', (fn, url) => /co-body|bourne|bodyparser|raw-body/.test(url)],
  [
    'SQL client: query building, driver, row decoding',
    (fn, url) => /mysql2|\/knex\/|@mikro-orm|sql-escaper|lru\.min|plain-rows/.test(url),
  ],
  ['importer and price bookkeeping (our code)', (fn, url) => /inbound\/|sync\/shared/.test(url)],
  ['benchmark client (fetch, stringify, response)', (fn, url) => /service-harness|undici|webstreams/.test(url)],
  ['HTTP server, routing, auth, metrics', (fn, url) => /koa|node:_http|api\/|prom-client|rate-limiter/.test(url)],
];

function summarise(profile: Profile, batches: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string>();
  const part = (id: number): string => {
    const known = partOf.get(id);
    if (known) return known;
    let found = 'other (node internals, timers, streams)';
    search: for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const { functionName, url } = byId.get(n)!.callFrame;
      for (const [name, match] of PARTS) {
        if (match(functionName, url)) {
          found = name;
          break search;
        }
      }
    }
    partOf.set(id, found);
    return found;
  };
  const totals = new Map<string, number>();
  const selfByFn = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    all += dt;
    totals.set(part(id), (totals.get(part(id)) ?? 0) + dt);
    const leaf = byId.get(id)!.callFrame;
    const where = leaf.url.replace(/.*node_modules\//, '').replace(/^file:\/\/.*?\/(?=[a-z-]+\/[^/]+\.ts$)/, '');
    const selfKey = `${leaf.functionName || '(anonymous)'} ${where}:${leaf.lineNumber}`;
    selfByFn.set(selfKey, (selfByFn.get(selfKey) ?? 0) + dt);
  });
  const lines = [`profile: ${round(all / batches)} ms of samples per batch (profiled rounds, idle included)`];
  for (const [name, ms] of [...totals].sort((a, b) => b[1] - a[1])) lines.push(`  ${round(ms / batches)} ms  ${name}`);
  lines.push('top self time per batch:');
  for (const [fn, ms] of [...selfByFn].sort((a, b) => b[1] - a[1]).slice(0, 25))
    lines.push(`  ${round(ms / batches, 2)} ms  ${fn}`);
  return lines;
}

async function timedQueries(service: TestService) {
  const knex = (
    service.resources.orm.em as unknown as {
      getKnex(): { on(e: string, f: (...a: any[]) => void): void };
    }
  ).getKnex();
  const started = new Map<string, number>();
  const stats = { count: 0, ms: 0 };
  knex.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now()));
  knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string }) => {
    const t = started.get(q.__knexQueryUid);
    if (t === undefined) return;
    started.delete(q.__knexQueryUid);
    stats.count++;
    stats.ms += performance.now() - t;
  });
  return stats;
}

async function main() {
  const saved = process.argv.indexOf('--summarise');
  if (saved >= 0) {
    const profile = JSON.parse(fs.readFileSync(process.argv[saved + 1]!, 'utf8')) as Profile;
    for (const line of summarise(profile, Number(arg('batches', '30')))) console.log(line);
    return;
  }
  await withBenchServers(() =>
    withService(
      {
        withWorker: false,
        env: {
          DEPENDENCY_GRACE_PERIOD: '1h',
          TOKEN_RATE_LIMIT_PER_MINUTE: '1000000',
          PENDING_SWEEP_MIN_AGE: '1h',
          LOG_LEVEL: 'silent',
        },
      },
      async (service) => {
        // Storing is what this measures, not Temporal: the seed's hand-offs are skipped.
        const dispatcher = service.resources.dispatcher as unknown as { dispatch: () => Promise<unknown> };
        dispatcher.dispatch = async () => ({ started: 0, deferred: 0 });
        const token = await service.token(['odoo']);
        const all = Array.from({ length: TOTAL }, (_, i) => product(i));
        const bodies = Array.from({ length: TOTAL / BATCH }, (_, b) => all.slice(b * BATCH, (b + 1) * BATCH));
        for (const products of bodies) {
          const res = await service.request('POST', '/api/v1/products', { token, body: { products } });
          if (res.body.created !== BATCH) throw new Error(`seed failed: ${JSON.stringify(res.body).slice(0, 300)}`);
        }
        const sql = await timedQueries(service);
        const session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        const perBatch: number[] = [];
        const plain: { wall: number; cpu: number }[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          const profiled = r === ROUNDS - PROFILE_ROUNDS;
          if (profiled) {
            await session.post('Profiler.start');
            sql.count = 0;
            sql.ms = 0;
          }
          const t0 = performance.now();
          const cpu0 = process.cpuUsage();
          for (const products of bodies) {
            const b0 = performance.now();
            const res = await service.request('POST', '/api/v1/products', { token, body: { products } });
            if (res.body.unchanged !== BATCH)
              throw new Error(`not unchanged: ${JSON.stringify(res.body).slice(0, 300)}`);
            if (r >= ROUNDS - PROFILE_ROUNDS) perBatch.push(performance.now() - b0);
          }
          const wall = (performance.now() - t0) / bodies.length;
          const used = process.cpuUsage(cpu0);
          const cpu = (used.user + used.system) / 1000 / bodies.length;
          const profiledRound = r >= ROUNDS - PROFILE_ROUNDS;
          // The first round warms the JIT up; profiled rounds run slower.
          if (r > 0 && !profiledRound) plain.push({ wall, cpu });
          console.log(
            `round ${r + 1}: ${round(wall)} ms per batch, process CPU ${round(cpu)} ms per batch${profiledRound ? ' (profiled)' : ''}`,
          );
        }
        const median = (values: number[]) => percentile(values, 50);
        console.log(
          `unprofiled rounds after the first: wall p50 ${round(median(plain.map((p) => p.wall)))} ms per batch ` +
            `(${round(Math.min(...plain.map((p) => p.wall)))}-${round(Math.max(...plain.map((p) => p.wall)))}), ` +
            `process CPU p50 ${round(median(plain.map((p) => p.cpu)))} ms per batch`,
        );
        if (PROFILE_ROUNDS === 0) return;
        const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
        fs.writeFileSync(OUT, JSON.stringify(profile));
        const batches = PROFILE_ROUNDS * bodies.length;
        console.log(
          `profiled batches: p50 ${round(percentile(perBatch, 50))} ms, mean ${round(perBatch.reduce((a, b) => a + b, 0) / batches)} ms; ` +
            `SQL ${sql.count / batches} statements per batch, ${round(sql.ms / batches)} ms per batch in SQL (wall)`,
        );
        for (const line of summarise(profile, batches)) console.log(line);
        console.log(`profile written to ${OUT}`);
      },
    ),
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
