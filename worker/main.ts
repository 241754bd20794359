/** Production entry of the worker process (the API runs separately: api/main.ts). */
import { loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { startMetricsServer } from '../runtime/metrics-server';
import { runUntilSignal } from '../runtime/process-lifecycle';
import { openResources } from '../runtime/resources';
import { installTemporalLogging } from '../runtime/temporal-logging';
import { startWorker } from '../runtime/worker-process';
import { prebuiltWorkflowBundle } from './workflow-bundle';

void runUntilSignal(
  'worker',
  async (log, onStop) => {
    const config = loadConfig();
    if (!config.temporal.address)
      throw new Error('TEMPORAL_ADDRESS must be set for the standalone worker (npm start embeds a server)');
    installTemporalLogging(log);
    const resources = await openResources(config, log, config.temporal.address);
    onStop(() => resources.close());
    const workflowBundle = prebuiltWorkflowBundle();
    const worker = await startWorker(config, log, resources, config.temporal.address, { workflowBundle });
    onStop(() => worker.close());
    const metricsServer = await startMetricsServer(resources.metrics, config.workerMetricsPort);
    onStop(() => metricsServer.close());
    log.info(
      {
        taskQueue: config.temporal.taskQueue,
        pullTaskQueue: config.temporal.pullTaskQueue,
        workflowCode: workflowBundle ? 'prebuilt bundle' : 'bundled at start',
        msSinceProcessStart: Math.round(process.uptime() * 1000),
      },
      'worker running',
    );
    return worker.done;
  },
  createLogger,
);
