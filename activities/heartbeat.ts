import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating at a third of the activity's heartbeat timeout, so Temporal learns within
 * seconds that the worker running it died, and retries the attempt elsewhere without waiting out its timeout.
 */
export async function withHeartbeats<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  if (!timeoutMs) return work();
  const timer = setInterval(() => context.heartbeat(), Math.max(100, Math.floor(timeoutMs / 3)));
  context.heartbeat();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
