/**
 * Worker memory with many workflows waiting on a dependency (issue 12, point 16): 10,000 partners whose parent
 * never arrives, each workflow waiting for it; RSS of the standalone worker process (worker/main.ts) before and
 * after. Run: npm run bench:worker-memory [-- <cached workflows, default: the service's> [<records, default 10000>] [--tsx]
 * [--hold=<seconds>]]
 *
 * The records are pushed through the API in batches of 1,000, and each batch's hand-offs (signal-with-start, 32
 * at a time) are waited for before the next batch is pushed: ten batches handed off at once would queue 320
 * calls on the dev server, and a call past its 5 s deadline defers the rest of its batch to the pending sweep.
 * The sweep runs here every 5 s for records deferred for 30 s, so a deferred hand-off is retried, not lost.
 * Progress is printed every 15 s; the run gives up (with the counts) after 45 minutes instead of hanging.
 *
 * The worker runs as in production (`node dist/worker/main.js` with the prebuilt workflow bundle): compiled into
 * var/bench-worker-memory/ with tsconfig.build.json, the workflows bundled next to it. `--tsx` runs it from source
 * instead (`tsx worker/main.ts`, which bundles the workflows in the worker process at start, as `npm run worker` does).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT } from '../config/config';
import { PartnerSchema } from '../entities/partner';
import { workflowsPath } from '../worker/workflow-bundle';
import { freePort } from '../tests/support/free-port';
import type { TestService } from '../tests/support/service-harness';
import { killWorker, spawnWorker } from '../tests/support/spawn-worker';
import { round, withBenchServers, withService } from './support/bench-stack';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const FROM_SOURCE = process.argv.includes('--tsx');
/** `--hold=<seconds>`: keep the worker running after the measurement, e.g. to inspect it. */
const HOLD_MS = Number(/^--hold=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--hold=')) ?? '')?.[1] ?? 0) * 1000;
/** The worker's cache size; without it, the service's default (WORKER_MAX_CACHED_WORKFLOWS). */
const CACHE = args[0];
const WAITING = Number(args[1] ?? 10_000);
const BATCH = 1_000;
const PROGRESS_EVERY_MS = 15_000;
const SETTLE_SAMPLES = 6;
const GIVE_UP_AFTER_MS = 45 * 60_000;

const rssMb = (child: ChildProcess) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;

/** Heap figures of the worker process, from its own /metrics (prom-client's default process metrics). */
async function workerHeap(port: number): Promise<string> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const mb = (name: string) => {
      const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
      return value === undefined ? '?' : String(round(Number(value) / 1024 / 1024));
    };
    return (
      `V8 heap used ${mb('nodejs_heap_size_used_bytes')} MB of ${mb('nodejs_heap_size_total_bytes')} MB, ` +
      `external ${mb('nodejs_external_memory_bytes')} MB`
    );
  } catch (err) {
    return `heap unknown (${(err as Error).message})`;
  }
}

/** Compiles the service as `npm run build` does, into a directory of its own; returns the worker's entry point. */
async function buildProductionWorker(): Promise<string> {
  const outDir = path.join(PROJECT_ROOT, 'var', 'bench-worker-memory');
  rmSync(outDir, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    { cwd: PROJECT_ROOT, encoding: 'utf8' },
  );
  const entry = path.join(outDir, 'worker', 'main.js');
  // tsc emits despite type errors; only a missing output is fatal here.
  if (!existsSync(entry)) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`);
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quiet });
  // Where worker/workflow-bundle.ts looks for it: next to the compiled code.
  writeFileSync(path.join(outDir, 'workflow-bundle.js'), code);
  return entry;
}

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/** The compiled worker as its own process, resolved once it polls. */
function spawnCompiledWorker(entry: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [entry], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      // Read on to the end (a full pipe would stall the worker), keeping only the tail for errors.
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes('worker running')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}):\n${output}`)));
  });
}

/** Hand-offs (workflow starts or signals) the API has attempted so far, successful or deferred. */
async function handOffs(service: TestService, result?: 'ok' | 'deferred'): Promise<number> {
  const metric = await service.resources.metrics.workflowStarts.get();
  return metric.values.filter((v) => !result || v.labels.result === result).reduce((sum, v) => sum + v.value, 0);
}

const waiting = (service: TestService) =>
  service.resources.orm.em.fork().count(PartnerSchema, { processingState: 'awaiting_dependency' });

async function main() {
  const metricsPort = await freePort();
  const entry = FROM_SOURCE ? undefined : await buildProductionWorker();
  const form = entry ? 'compiled, prebuilt workflow bundle' : 'tsx from source, bundling at start';
  await withBenchServers(() =>
    withService(
      {
        withWorker: false,
        env: {
          DEPENDENCY_GRACE_PERIOD: '1h',
          TOKEN_RATE_LIMIT_PER_MINUTE: '1000000',
          PENDING_SWEEP_INTERVAL: '5s',
          PENDING_SWEEP_MIN_AGE: '30s',
          ...(CACHE === undefined ? {} : { WORKER_MAX_CACHED_WORKFLOWS: CACHE }),
          WORKER_METRICS_PORT: String(metricsPort),
          LOG_LEVEL: 'silent',
        },
      },
      async (service) => {
        const cache = service.config.workerMaxCachedWorkflows;
        const runStarted = performance.now();
        const worker = entry ? await spawnCompiledWorker(entry, service.env) : await spawnWorker(service.env);
        try {
          await new Promise((r) => setTimeout(r, 5_000));
          const idle = rssMb(worker);
          const idleHeap = await workerHeap(metricsPort);
          console.log(`worker (${form}) idle: RSS ${round(idle)} MB, ${idleHeap}; cache ${cache} workflows`);
          const token = await service.token(['odoo']);
          const started = performance.now();
          const elapsed = () => `${round((performance.now() - started) / 1000)} s`;
          let peak = idle;
          let lastProgress = performance.now();
          const progress = async (what: string) => {
            peak = Math.max(peak, rssMb(worker));
            if (performance.now() - lastProgress < PROGRESS_EVERY_MS) return;
            lastProgress = performance.now();
            console.log(
              `  ${elapsed()}: ${what}; handed off ${await handOffs(service, 'ok')} ` +
                `(deferred to the sweep ${await handOffs(service, 'deferred')}), waiting ${await waiting(service)}, ` +
                `worker RSS ${round(rssMb(worker))} MB`,
            );
          };
          for (let i = 0; i < WAITING; i += BATCH) {
            const partners = Array.from({ length: Math.min(BATCH, WAITING - i) }, (_, k) => ({
              external_id: `MEM-${i + k}`,
              type: 'D',
              parent_external_id: `MEM-PARENT-${i + k}`,
            }));
            const res = await service.request('POST', '/api/v1/partners', { token, body: { partners } });
            if (res.body.created !== partners.length) throw new Error(`push refused: ${JSON.stringify(res.body)}`);
            // The batch's hand-offs go on in the background after the push's 2 s budget: bounded, one batch at a time.
            while ((await handOffs(service)) < i + partners.length) {
              await progress(`pushing batch ${i / BATCH + 1}`);
              await new Promise((r) => setTimeout(r, 200));
            }
          }
          const handedOffIn = elapsed();
          console.log(`  ${handedOffIn}: all ${WAITING} pushed and handed off`);
          while ((await waiting(service)) < WAITING) {
            if (performance.now() - started > GIVE_UP_AFTER_MS) {
              throw new Error(`gave up after ${elapsed()}: ${await waiting(service)} of ${WAITING} waiting`);
            }
            await progress('processing');
            await new Promise((r) => setTimeout(r, 1_000));
          }
          const reachedIn = elapsed();
          peak = Math.max(peak, rssMb(worker));
          // With nothing to do the worker's heaps shrink only when V8 gets round to a full collection (its memory
          // reducer, some seconds into idleness): RSS is sampled for a minute, every 10 s.
          const quiet: number[] = [];
          for (let i = 0; i < SETTLE_SAMPLES; i++) {
            await new Promise((r) => setTimeout(r, 10_000));
            quiet.push(rssMb(worker));
            console.log(
              `  ${(i + 1) * 10} s after: worker RSS ${round(quiet.at(-1)!)} MB, ${await workerHeap(metricsPort)}`,
            );
          }
          const settled = quiet.at(-1)!;
          console.log(
            `- ${WAITING} workflows waiting on a dependency (worker ${form}, WORKER_MAX_CACHED_WORKFLOWS=${cache}; handed off in ${handedOffIn}, ` +
              `all waiting after ${reachedIn}; whole run ${round((performance.now() - runStarted) / 1000)} s): ` +
              `worker RSS idle ${round(idle)} MB, peak while starting ${round(peak)} MB, ` +
              `10 s after ${round(quiet[0]!)} MB, ${quiet.length * 10} s after ${round(settled)} MB ` +
              `(${await workerHeap(metricsPort)})`,
          );
          if (HOLD_MS) {
            console.log(`holding the worker (pid ${worker.pid}) for ${HOLD_MS / 1000} s`);
            await new Promise((r) => setTimeout(r, HOLD_MS));
          }
        } finally {
          await killWorker(worker);
        }
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
