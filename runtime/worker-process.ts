import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import { createInboundDispatcher } from './dispatcher';
import { PendingSweeper } from '../sync/pending-sweeper';
import { createSyncWorker, type SyncWorkerOptions } from '../worker/sync-worker';
import type { Resources } from './resources';

export interface RunningWorker {
  worker: Worker;
  sweeper: PendingSweeper;
  /** Resolves when the worker has stopped (after `close`, or on a fatal error). */
  done: Promise<void>;
  close(): Promise<void>;
}

/** The Temporal worker plus the sweep that re-hands-off records left pending. */
export async function startWorker(
  config: Config,
  log: Logger,
  resources: Resources,
  temporalAddress: string,
  extra: Pick<SyncWorkerOptions, 'workflowBundle'> = {},
): Promise<RunningWorker> {
  const dispatcher = createInboundDispatcher(config, resources.temporal.client, resources.metrics, log);
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await createSyncWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: {
      orm: resources.orm,
      metrics: resources.metrics,
      temporal: resources.temporal.client,
      legacy: resources.legacy,
      dispatcher,
    },
    ...extra,
  });
  const sweeper = new PendingSweeper(resources.orm, dispatcher, log, {
    intervalMs: config.pendingSweepIntervalMs,
    minAgeMs: Math.max(config.pendingSweepIntervalMs, 5_000),
  });
  const done = worker.run().finally(() => connection.close());
  sweeper.start();
  return {
    worker,
    sweeper,
    done,
    async close() {
      await sweeper.stop();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
