import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import { PendingSweeper } from '../sync/inbound/pending-sweeper';
import { ensurePullSchedules } from '../sync/pull/pull-schedules';
import { PeriodicTask } from './periodic-task';
import { purgeSyncRunsLogged, SYNC_RUN_PURGE_INTERVAL_MS } from '../sync/runs/sync-run-retention';
import { SyncBackSweeper } from '../sync/sync-back/sweeper';
import { createSyncWorker, type SyncWorkerOptions } from '../worker/sync-worker';
import { createWorkerOdooClient } from './odoo-client';
import { limitedOdooClient } from '../odoo/limited-client';
import type { Resources } from './resources';

export interface RunningWorker {
  worker: Worker;
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
  const worker = await createSyncWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
    deps: {
      orm: resources.orm,
      metrics: resources.metrics,
      temporal: resources.temporal.client,
      legacy: resources.legacy,
      dispatcher,
      odoo,
      unknownOutcomeSettleMs: config.syncBack.unknownOutcomeSettleMs,
      breakerOpenMs: config.odooClient.breakerOpenMs,
      pullOdoo: odoo && limitedOdooClient(odoo, config.pull.maxConcurrent),
      pull: config.pull,
    },
    ...extra,
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
  const done = worker
    .run()
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
    sweeper,
    done,
    async close() {
      await Promise.all(sweeps.map((sweep) => sweep.stop()));
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
