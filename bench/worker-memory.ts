/**
 * Worker memory with many workflows waiting on a dependency (issue 12, point 16): 10,000 partners whose parent
 * never arrives, each workflow waiting for it; RSS of the standalone worker process (worker/main.ts) before and
 * after. Run: npm run bench:worker-memory [-- <cached workflows>]
 */
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { PartnerSchema } from '../entities/partner';
import { killWorker, spawnWorker } from '../tests/support/spawn-worker';
import { round, withBenchServers, withService } from './support/bench-stack';

const WAITING = 10_000;
const BATCH = 1_000;
const CACHE = process.argv[2] ?? '1000';

const rssMb = (child: ChildProcess) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;

async function main() {
  await withBenchServers(() =>
    withService(
      {
        withWorker: false,
        env: {
          DEPENDENCY_GRACE_PERIOD: '1h',
          TOKEN_RATE_LIMIT_PER_MINUTE: '1000000',
          PENDING_SWEEP_MIN_AGE: '1h',
          WORKER_MAX_CACHED_WORKFLOWS: CACHE,
        },
      },
      async (service) => {
        const worker = await spawnWorker(service.env);
        try {
          await new Promise((r) => setTimeout(r, 5_000));
          const idle = rssMb(worker);
          const token = await service.token(['odoo']);
          const started = performance.now();
          for (let i = 0; i < WAITING; i += BATCH) {
            const partners = Array.from({ length: BATCH }, (_, k) => ({
              external_id: `MEM-${i + k}`,
              type: 'D',
              parent_external_id: `MEM-PARENT-${i + k}`,
            }));
            await service.request('POST', '/api/v1/partners', { token, body: { partners } });
          }
          let peak = idle;
          for (;;) {
            peak = Math.max(peak, rssMb(worker));
            const waiting = await service.resources.orm.em
              .fork()
              .count(PartnerSchema, { processingState: 'awaiting_dependency' });
            if (waiting >= WAITING) break;
            await new Promise((r) => setTimeout(r, 1_000));
          }
          const seconds = (performance.now() - started) / 1000;
          await new Promise((r) => setTimeout(r, 10_000));
          const settled = rssMb(worker);
          console.log(
            `- ${WAITING} workflows waiting on a dependency (worker cache ${CACHE} workflows, reached in ${round(seconds)} s): ` +
              `worker RSS idle ${round(idle)} MB, peak ${round(Math.max(peak, settled))} MB, settled ${round(settled)} MB`,
          );
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
