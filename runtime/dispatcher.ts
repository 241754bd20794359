import type { Client } from '@temporalio/client';
import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { InboundDispatcher } from '../sync/inbound/dispatcher';

export function createInboundDispatcher(
  config: Config,
  client: Client,
  metrics: Metrics,
  log: Logger,
): InboundDispatcher {
  return new InboundDispatcher(
    client,
    {
      taskQueue: config.temporal.taskQueue,
      timing: {
        gracePeriodMs: config.dependencyGracePeriodMs,
        legacyLookupAttempts: config.legacyLookupAttempts,
        maxLookupIntervalMs: config.legacyLookupMaxIntervalMs,
        staleAfterMs: config.stubStaleAfterMs,
      },
    },
    metrics,
    log,
  );
}
