import type { Client } from '@temporalio/client';
import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { MikroORM } from '@mikro-orm/core';
import { InboundDispatcher } from '../sync/inbound/dispatcher';
import { handOffMarks } from '../sync/inbound/hand-off-marks';
import { SyncBackStarter } from '../sync/sync-back/starter';
import { workflowTimings } from './workflow-timings';

/** What hands stored records to their workflows; the API and the worker's sweeps share one of each. */
export interface WorkflowStarters {
  dispatcher: InboundDispatcher;
  syncBackStarter: SyncBackStarter;
}

/** With `orm`, each hand-off is noted on its row (see handOffMarks). */
export function createWorkflowStarters(
  config: Config,
  client: Client,
  metrics: Metrics,
  log: Logger,
  orm?: MikroORM,
): WorkflowStarters {
  const timings = workflowTimings(config);
  const taskQueue = config.temporal.taskQueue;
  return {
    dispatcher: new InboundDispatcher(
      client,
      { taskQueue, timing: timings.inbound },
      metrics,
      log,
      orm && handOffMarks(orm),
    ),
    syncBackStarter: new SyncBackStarter(client, { taskQueue, timing: timings.syncBack }, log),
  };
}
