import type { Client } from '@temporalio/client';
import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { InboundDispatcher } from '../sync/inbound/dispatcher';
import { SyncBackStarter } from '../sync/sync-back/starter';
import { workflowTimings } from './workflow-timings';

/** What hands stored records to their workflows; the API and the worker's sweeps share one of each. */
export interface WorkflowStarters {
  dispatcher: InboundDispatcher;
  syncBackStarter: SyncBackStarter;
}

export function createWorkflowStarters(config: Config, client: Client, metrics: Metrics, log: Logger): WorkflowStarters {
  const timings = workflowTimings(config);
  const taskQueue = config.temporal.taskQueue;
  return {
    dispatcher: new InboundDispatcher(client, { taskQueue, timing: timings.inbound }, metrics, log),
    syncBackStarter: new SyncBackStarter(client, { taskQueue, timing: timings.syncBack }, log),
  };
}
