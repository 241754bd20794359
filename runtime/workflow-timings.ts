import type { Config } from '../config/config';
import type { InboundTiming, SyncBackTiming } from '../workflows/contract';

export interface WorkflowTimings {
  inbound: InboundTiming;
  syncBack: SyncBackTiming;
}

/** The durations workflows are started with, read from the configuration in this one place. */
export function workflowTimings(config: Config): WorkflowTimings {
  const dependencies = {
    gracePeriodMs: config.dependencyGracePeriodMs,
    legacyLookupAttempts: config.legacyLookupAttempts,
    maxLookupIntervalMs: config.legacyLookupMaxIntervalMs,
  };
  return {
    inbound: { ...dependencies, staleAfterMs: config.stubStaleAfterMs },
    syncBack: {
      ...dependencies,
      retryInitialMs: config.syncBack.retryInitialMs,
      retryMaxMs: config.syncBack.retryMaxMs,
      deadlineMs: config.syncBack.deadlineMs,
      attemptTimeoutMs: config.syncBack.attemptTimeoutMs,
      heartbeatTimeoutMs: config.syncBack.heartbeatTimeoutMs,
      confirm: config.syncBack.confirm,
    },
  };
}
