/**
 * Kills under load (issue 12, point 19): the API in this process, the worker as its own process, the embedded
 * Temporal dev server's SQLite file on disk (WAL, synchronous=normal). 2,000 partners are pushed while the worker
 * is killed (SIGKILL) and restarted 12 times; then the time until every record is processed is measured.
 * Run: npm run bench:kill-drain
 */
import type { ChildProcess } from 'node:child_process';
import { PartnerSchema } from '../entities/partner';
import { killWorker, spawnWorker } from '../tests/support/spawn-worker';
import { round, withBenchServers, withService } from './support/bench-stack';

const RECORDS = 2_000;
const BATCH = 100;
const KILLS = 12;

async function main() {
  await withBenchServers(() =>
    withService(
      {
        withWorker: false,
        env: { TOKEN_RATE_LIMIT_PER_MINUTE: '1000000', PENDING_SWEEP_INTERVAL: '5s', PENDING_SWEEP_MIN_AGE: '30s' },
      },
      async (service) => {
        const token = await service.token(['odoo']);
        let worker: ChildProcess = await spawnWorker(service.env);
        const started = performance.now();
        let pushed = 0;
        const pushing = (async () => {
          for (let i = 0; i < RECORDS; i += BATCH) {
            const partners = Array.from({ length: BATCH }, (_, k) => ({ external_id: `KD-${i + k}`, type: 'C' }));
            const res = await service.request('POST', '/api/v1/partners', { token, body: { partners } });
            if (res.status !== 200) throw new Error(`push answered ${res.status}`);
            pushed += BATCH;
            await new Promise((r) => setTimeout(r, 500));
          }
        })();
        for (let k = 0; k < KILLS; k++) {
          await new Promise((r) => setTimeout(r, 2_500));
          await killWorker(worker);
          worker = await spawnWorker(service.env);
        }
        await pushing;
        const lastRestart = performance.now();
        const em = service.resources.orm.em;
        for (;;) {
          const processed = await em.fork().count(PartnerSchema, { processingState: 'processed' });
          if (processed >= RECORDS) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        const drained = performance.now();
        await killWorker(worker);
        const deferred =
          (await service.resources.metrics.workflowStarts.get()).values.find((v) => v.labels.result === 'deferred')
            ?.value ?? 0;
        console.log(
          `- ${RECORDS} partners pushed (${pushed} answered 200) while the worker was killed ${KILLS} times: all processed ` +
            `${round((drained - lastRestart) / 1000)} s after the pushes and kills ended (${round((drained - started) / 1000)} s in all); ` +
            `hand-offs deferred to the sweep: ${deferred}`,
        );
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
