import { randomUUID } from 'node:crypto';
import { ConnectionException, DriverException } from '@mikro-orm/core';
import type { Context, Next } from 'koa';
import { ZodError, type core } from 'zod';
import { ENTITY_TYPES, type EntityType } from '../../entities/processing-state';
import { isDatabaseError, summarizeError, type Logger } from '../../observability/logger';

export interface ErrorDetail {
  path?: string;
  message: string;
}

/** An error the API answers with the contract's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function zodDetails(issues: readonly core.$ZodIssue[], prefix: (string | number)[] = []): ErrorDetail[] {
  return issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.'),
    message: issue.message,
  }));
}

export function validationError(issues: readonly core.$ZodIssue[], prefix: (string | number)[] = []): ApiError {
  return new ApiError(400, 'validation_failed', 'The request is not valid', zodDetails(issues, prefix));
}

export function sendError(ctx: Context, err: ApiError): void {
  ctx.status = err.status;
  for (const [name, value] of Object.entries(err.headers)) ctx.set(name, value);
  ctx.body = { error: { code: err.code, message: err.message, details: err.details } };
}

/** Body-parser and HTTP errors carry a status and a `type`; map the ones clients can cause. */
function fromHttpError(err: { status?: number; type?: string; message?: string }): ApiError | undefined {
  if (err.status === 413 || err.type === 'entity.too.large') {
    return new ApiError(413, 'payload_too_large', 'The request body is larger than the limit');
  }
  if (err.type === 'entity.parse.failed' || (err.status === 400 && err instanceof SyntaxError)) {
    return new ApiError(400, 'invalid_json', 'The request body is not valid JSON');
  }
  if (err.type === 'encoding.unsupported' || err.status === 415) {
    return new ApiError(415, 'unsupported_media_type', 'The request body encoding is not supported');
  }
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    return new ApiError(err.status, 'bad_request', err.message ?? 'Bad request');
  }
  return undefined;
}

/** How long a client is told to wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Socket codes that mean the database cannot be reached, when the database driver raised them (an HTTP call
 * elsewhere can fail with the same codes, and is not the database).
 */
const SOCKET_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EPIPE: 'connection closed',
};
/** Driver codes that mean the database is gone, going, or refuses work for now. */
const DRIVER_CODES: Record<string, string> = {
  PROTOCOL_CONNECTION_LOST: 'connection lost',
  PROTOCOL_SEQUENCE_TIMEOUT: 'no answer in time',
  ER_SERVER_SHUTDOWN: 'server shutting down',
  ER_CON_COUNT_ERROR: 'too many connections',
  ER_CONNECTION_KILLED: 'connection killed',
  SQLITE_BUSY: 'database is locked',
  SQLITE_LOCKED: 'database is locked',
  SQLITE_CANTOPEN: 'database file cannot be opened',
};
/** The same for MySQL/MariaDB error numbers, for errors that carry no code name. */
const UNAVAILABLE_ERRNOS: Record<number, string> = {
  1040: 'too many connections',
  1053: 'server shutting down',
  1927: 'connection killed',
  2002: 'cannot connect',
  2003: 'cannot connect',
  2006: 'server has gone away',
  2013: 'connection lost',
};

function unavailableReasonOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: unknown; code?: unknown; errno?: unknown; fatal?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  // mysql2 marks errors of the connection itself (as opposed to a failed statement) fatal.
  const fromDriver = err instanceof DriverException || e.fatal === true || isDatabaseError(err);
  // SQLite's extended codes (SQLITE_BUSY_SNAPSHOT, ...) share the primary code's meaning.
  const known =
    code &&
    (DRIVER_CODES[code] ??
      DRIVER_CODES[code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1')] ??
      (fromDriver ? SOCKET_CODES[code] : undefined));
  if (known) return `${known} (${code})`;
  if (typeof e.errno === 'number' && UNAVAILABLE_ERRNOS[e.errno]) return `${UNAVAILABLE_ERRNOS[e.errno]} (${e.errno})`;
  const message = typeof e.message === 'string' ? e.message : '';
  // Knex's pool gave up waiting for a connection (MikroORM rethrows it as a DriverException with the same text).
  if (e.name === 'KnexTimeoutError' || message.startsWith('Knex: Timeout acquiring a connection')) {
    return 'no connection available in time (KnexTimeoutError)';
  }
  if (err instanceof ConnectionException || e.name === 'ConnectionException') {
    return `cannot connect (${code ?? 'ConnectionException'})`;
  }
  if (e.fatal === true) return `connection failed (${code ?? 'fatal'})`;
  if (/database is locked/i.test(message)) return 'database is locked';
  return undefined;
}

/**
 * Why the database cannot be used right now, when `err` (or an error it was caused by) says it is unreachable,
 * gone, shutting down, or has no connection to hand out in time; undefined for every other error. The reason
 * names the driver's code, never the error's message.
 */
export function databaseUnavailableReason(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const reason = unavailableReasonOf(current);
    if (reason) return reason;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function databaseUnavailableError(): ApiError {
  return new ApiError(
    503,
    'database_unavailable',
    `The database is unavailable; retry in ${DATABASE_RETRY_AFTER_SECONDS} seconds`,
    [],
    { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  );
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** The caller's `X-Request-Id` when it is a plain token, otherwise a new one. */
function requestIdOf(ctx: Context): string {
  const given = ctx.get('x-request-id');
  return REQUEST_ID.test(given) ? given : randomUUID();
}

const ROUTE_ENTITY_TYPES: [RegExp, EntityType][] = [
  [/sale-orders/, 'sale_order'],
  [/purchase-orders/, 'purchase_order'],
  [/products/, 'product'],
  [/partners/, 'partner'],
  [/stocks/, 'stock'],
];
const MAX_LOGGED_IDS = 20;

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function idOf(record: Record<string, unknown>, entityType: EntityType | undefined): string | undefined {
  if (typeof record.external_id === 'string') return record.external_id;
  if (typeof record.supplier_external_id === 'string' && typeof record.product_external_id === 'string') {
    return `${record.supplier_external_id}/${record.product_external_id}`;
  }
  if (entityType === 'purchase_order' && typeof record.name === 'string') return record.name;
  return undefined;
}

/** The external ids of the records a request is about: its path parameters, or the records of a push. */
function externalIdsOf(ctx: Context, entityType: EntityType | undefined): string[] {
  const params = (ctx as { params?: Record<string, string> }).params ?? {};
  const fromPath = [params.external_id, params.workflow_id, params.supplier_external_id, params.product_external_id];
  const body = asObject((ctx.request as { body?: unknown }).body);
  let records: unknown[] = [];
  if (body && idOf(body, entityType) !== undefined) records = [body];
  else if (body && Object.keys(body).length === 1 && Array.isArray(Object.values(body)[0])) {
    records = Object.values(body)[0] as unknown[];
  }
  const fromBody = records.map((r) => (asObject(r) ? idOf(asObject(r)!, entityType) : undefined));
  return [...fromPath, ...fromBody].filter((id): id is string => typeof id === 'string').map((id) => id.slice(0, 100));
}

/** Who asked what, for the log: never the body or the query string, only route, entity type and external ids. */
function requestSummary(ctx: Context, requestId: string) {
  const route = (ctx as { _matchedRoute?: string })._matchedRoute;
  const params = (ctx as { params?: Record<string, string> }).params ?? {};
  const entityType =
    ROUTE_ENTITY_TYPES.find(([pattern]) => route !== undefined && pattern.test(route))?.[1] ??
    ENTITY_TYPES.find((type) => type === params.entity_type);
  const ids = externalIdsOf(ctx, entityType);
  return {
    requestId,
    method: ctx.method,
    route: route ?? 'unmatched',
    ...(entityType ? { entityType } : {}),
    ...(ids.length ? { externalIds: ids.slice(0, MAX_LOGGED_IDS), externalIdCount: ids.length } : {}),
  };
}

/**
 * Every error leaves as the contract's error body. A database that cannot be reached answers 503
 * `database_unavailable` with `Retry-After`; any other unexpected error answers 500 without details. Both are
 * logged as a safe summary (error class and codes, route, entity type, external ids, request id): never the
 * request body nor a database error's message, which holds the SQL statement with the record's values.
 */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const requestId = requestIdOf(ctx);
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } catch (err) {
      if (err instanceof ApiError) return sendError(ctx, err);
      if (err instanceof ZodError) return sendError(ctx, validationError(err.issues));
      const mapped = fromHttpError(err as { status?: number; type?: string });
      if (mapped) return sendError(ctx, mapped);
      const unavailable = databaseUnavailableReason(err);
      if (unavailable) {
        log.warn(
          { ...requestSummary(ctx, requestId), reason: unavailable, error: summarizeError(err) },
          'database unavailable: answered 503',
        );
        return sendError(ctx, databaseUnavailableError());
      }
      log.error({ ...requestSummary(ctx, requestId), error: summarizeError(err) }, 'request failed');
      sendError(
        ctx,
        new ApiError(500, 'internal_error', `The request could not be completed (request id ${requestId})`),
      );
    }
  };
}

export function notFound(ctx: Context): void {
  sendError(ctx, new ApiError(404, 'not_found', `No route for ${ctx.method} ${ctx.path}`));
}
