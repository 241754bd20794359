import { ConfigError } from '../config/config';
import type { Logger } from '../observability/logger';

type Stop = () => Promise<void>;

/**
 * Runs a process body, then waits for SIGINT/SIGTERM and runs the registered stop steps in reverse order.
 * A bad configuration exits with code 2 and the message naming the variable.
 */
export async function runUntilSignal(
  name: string,
  body: (log: Logger, onStop: (stop: Stop) => void) => Promise<unknown>,
  createLogger: (level: string, name?: string) => Logger,
): Promise<void> {
  const log = createLogger(process.env.LOG_LEVEL ?? 'info', name);
  const stops: Stop[] = [];
  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    for (const stop of stops.reverse()) {
      await stop().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  try {
    await body(log, (stop) => stops.push(stop));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    log.fatal({ err }, 'failed');
    await shutdown('error', 1);
  }
}
