import { DriverException, ValidationError } from '@mikro-orm/core';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * What a log line says about an error: its kind and where it was thrown. Errors of the database layer carry the
 * SQL statement with its values (message, `sql`, `bindings`, `sqlMessage`) or the entity they were about
 * (`entity`): for those only the class and the driver's codes are kept, never a message or a property.
 */
export interface ErrorSummary {
  type: string;
  name?: string;
  code?: string;
  errno?: number;
  sqlState?: string;
  fatal?: boolean;
  /** Only for errors outside the database layer, shortened. */
  message?: string;
  /** Stack frames only: the first line of a stack repeats the message. */
  stack?: string[];
  cause?: ErrorSummary;
}

const MAX_MESSAGE = 300;
const MAX_FRAMES = 15;
const MAX_CAUSES = 3;
const DATABASE_ERROR_NAMES = new Set(['KnexTimeoutError', 'LibsqlError', 'SqliteError', 'DriverException']);
const DATABASE_ERROR_PROPS = ['sql', 'sqlMessage', 'sqlState', 'bindings', 'errmsg'] as const;

function causeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
}

function isDatabaseLayerError(err: unknown): boolean {
  if (err instanceof DriverException || err instanceof ValidationError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Record<string, unknown>;
  if (DATABASE_ERROR_PROPS.some((prop) => e[prop] !== undefined)) return true;
  if (typeof e.name === 'string' && DATABASE_ERROR_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && /^(ER_|SQLITE_|PROTOCOL_|CR_)/.test(e.code)) return true;
  return typeof e.message === 'string' && e.message.startsWith('Knex:');
}

/** True when `err`, or an error it was caused by, comes from the database layer. */
export function isDatabaseError(err: unknown): boolean {
  let current = err;
  for (let depth = 0; depth <= MAX_CAUSES && current !== undefined && current !== null; depth++) {
    if (isDatabaseLayerError(current)) return true;
    current = causeOf(current);
  }
  return false;
}

function frames(stack: unknown): string[] | undefined {
  if (typeof stack !== 'string') return undefined;
  const lines = stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '));
  return lines.length ? lines.slice(0, MAX_FRAMES) : undefined;
}

function summarize(err: unknown, withMessage: boolean, depth: number): ErrorSummary {
  if (typeof err !== 'object' || err === null) {
    return { type: typeof err, ...(withMessage ? { message: String(err).slice(0, MAX_MESSAGE) } : {}) };
  }
  const e = err as Record<string, unknown>;
  const type = (err as object).constructor?.name || 'Object';
  const summary: ErrorSummary = { type };
  if (typeof e.name === 'string' && e.name !== type) summary.name = e.name;
  if (typeof e.code === 'string' || typeof e.code === 'number') summary.code = String(e.code);
  if (typeof e.errno === 'number') summary.errno = e.errno;
  if (typeof e.sqlState === 'string') summary.sqlState = e.sqlState;
  if (e.fatal === true) summary.fatal = true;
  if (withMessage && typeof e.message === 'string') summary.message = e.message.slice(0, MAX_MESSAGE);
  const stack = frames(e.stack);
  if (stack) summary.stack = stack;
  const cause = causeOf(err);
  if (cause !== undefined && cause !== null && depth < MAX_CAUSES)
    summary.cause = summarize(cause, withMessage, depth + 1);
  return summary;
}

/**
 * A summary of `err` that is safe to log: class, name, code, errno, sqlState and stack frames; the message only
 * when neither the error nor its causes come from the database layer.
 */
export function summarizeError(err: unknown): ErrorSummary {
  return summarize(err, !isDatabaseError(err), 0);
}

/** pino's `err` serializer, except that database errors are reduced to their safe summary. */
function serializeErr(err: unknown): unknown {
  if (err instanceof Error && isDatabaseError(err)) return summarizeError(err);
  return pino.stdSerializers.err(err as Error);
}

/** `destination` is for tests that read what is logged; the service logs to stdout. */
export function createLogger(level: string, name = 'odoo-webshop-sync', destination?: DestinationStream): Logger {
  const options = { name, level, base: { pid: process.pid }, serializers: { err: serializeErr } };
  return destination ? pino(options, destination) : pino(options);
}
