import { Runtime, type LogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from '../observability/logger';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The Temporal SDK's logger interface over the service's pino logger (its level, its JSON lines). */
export function temporalLogger(log: Logger): TemporalLogger {
  const at =
    (level: LogLevel) =>
    (message: string, meta?: LogMetadata): void =>
      log[PINO_LEVEL[level]]({ ...meta }, message);
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

/**
 * Routes what the Temporal SDK logs in this process (worker state, workflow and activity `log` calls) through the
 * service's logger, so LOG_LEVEL applies to it and it is JSON like the rest. Must run before the first worker or
 * native connection is created; a process whose Temporal runtime exists already (tests) keeps it.
 */
export function installTemporalLogging(log: Logger): boolean {
  try {
    Runtime.install({ logger: temporalLogger(log.child({ component: 'temporal-sdk' })) });
    return true;
  } catch {
    return false;
  }
}
