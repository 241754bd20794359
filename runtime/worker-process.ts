import { bundleWorkflowCode, NativeConnection, type Worker } from '@temporalio/worker';
import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import { PendingSweeper } from '../sync/inbound/pending-sweeper';
import { ensurePullSchedules } from '../sync/pull/pull-schedules';
import { PeriodicTask } from './periodic-task';
import { purgeSyncRunsLogged, SYNC_RUN_PURGE_INTERVAL_MS } from '../sync/runs/sync-run-retention';
import { SyncBackSweeper } from '../sync/sync-back/sweeper';
import { createSyncWorker, type SyncWorkerOptions } from '../worker/sync-worker';
import { workflowsPath } from '../worker/workflow-bundle';
import { createWorkerOdooClient } from './odoo-client';
import { limitedOdooClient } from '../odoo/limited-client';
import type { Resources } from './resources';

/** Pull runs at once are few (one per entity type, plus a manual one): a small cache holds them all. */
const PULL_WORKER_CACHED_WORKFLOWS = 20;

export interface RunningWorker {
  /** Polls the main task queue: record workflows, sync-back, and everything they run. */
  worker: Worker;
  /** Polls the pull task queue: pull runs and their page activities. */
  pullWorker: Worker;
  sweeper: PendingSweeper;
  /** Resolves when the worker has stopped (after `close`, or on a fatal error). */
  done: Promise<void>;
  close(): Promise<void>;
}

/** The Temporal worker, its Odoo client, and the sweeps that re-hand-off records and webshop orders left pending. */
export async function startWorker(
  config: Config,
  log: Logger,
  resources: Resources,
  temporalAddress: string,
  extra: Pick<SyncWorkerOptions, 'workflowBundle'> = {},
): Promise<RunningWorker> {
  const { dispatcher, syncBackStarter } = resources;
  const odoo = createWorkerOdooClient(config, resources.metrics, log);
  const connection = await NativeConnection.connect({ address: temporalAddress });
  // Both workers run the same workflow code: bundled once here unless the caller has a bundle already.
  const workflowBundle = extra.workflowBundle ?? (await bundleWorkflowCode({ workflowsPath: workflowsPath() }));
  const deps: SyncWorkerOptions['deps'] = {
    orm: resources.orm,
    metrics: resources.metrics,
    temporal: resources.temporal.client,
    legacy: resources.legacy,
    dispatcher,
    syncBackStarter,
    odoo,
    unknownOutcomeSettleMs: config.syncBack.unknownOutcomeSettleMs,
    breakerOpenMs: config.odooClient.breakerOpenMs,
    pullOdoo: odoo && limitedOdooClient(odoo, config.pull.maxConcurrent),
    pull: config.pull,
  };
  const common = { connection, namespace: config.temporal.namespace, deps, workflowBundle };
  const worker = await createSyncWorker({
    ...common,
    taskQueue: config.temporal.taskQueue,
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
  });
  // Pulls poll a queue of their own: a run hands off thousands of record workflows to the main queue, and its
  // own next workflow task (after each page, after a continue-as-new) must not wait behind them.
  const pullWorker = await createSyncWorker({
    ...common,
    taskQueue: config.temporal.pullTaskQueue,
    maxCachedWorkflows: PULL_WORKER_CACHED_WORKFLOWS,
    // A page activity waits for one of the ODOO_PULL_MAX_CONCURRENT slots anyway; a few more for bookkeeping.
    maxConcurrentActivities: config.pull.maxConcurrent + 4,
  });
  // The Schedules pull:<entity_type>, in line with ODOO_PULL_INTERVAL and ODOO_*; never throws.
  await ensurePullSchedules(resources.temporal.client, config, log);
  const sweeper = new PendingSweeper(resources.orm, dispatcher, resources.metrics, log, {
    minAgeMs: config.pendingSweepMinAgeMs,
    maxPerPass: config.pendingSweepMaxPerPass,
  });
  const syncBackSweeper = new SyncBackSweeper(resources.orm, syncBackStarter, log, {
    minAgeMs: config.pendingSweepMinAgeMs,
  });
  // One worker stopping (shut down, or a fatal error) stops the other: the process then ends with both.
  const stopWorkers = () => {
    for (const w of [worker, pullWorker]) if (w.getState() === 'RUNNING') w.shutdown();
  };
  const done = Promise.allSettled([worker.run(), pullWorker.run()].map((run) => run.finally(stopWorkers)))
    .then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    })
    .finally(() => connection.close())
    .finally(() => odoo?.close());
  const sweeps = [
    new PeriodicTask('pending sweep', config.pendingSweepIntervalMs, () => sweeper.sweep(), log).start(),
    new PeriodicTask('sync-back sweep', config.pendingSweepIntervalMs, () => syncBackSweeper.sweep(), log).start(),
    new PeriodicTask(
      'sync-run purge',
      SYNC_RUN_PURGE_INTERVAL_MS,
      () => purgeSyncRunsLogged(resources.orm, log, { retentionMs: config.syncRunRetentionMs }),
      log,
    ).start({ immediately: true }),
  ];
  return {
    worker,
    pullWorker,
    sweeper,
    done,
    async close() {
      await Promise.all(sweeps.map((sweep) => sweep.stop()));
      stopWorkers();
      await done;
    },
  };
}
