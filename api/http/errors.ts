import type { Context, Next } from 'koa';
import { ZodError, type core } from 'zod';
import type { Logger } from '../../observability/logger';

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

/** Every error leaves as the contract's error body; unexpected ones are logged and answered without details. */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (err) {
      if (err instanceof ApiError) return sendError(ctx, err);
      if (err instanceof ZodError) return sendError(ctx, validationError(err.issues));
      const mapped = fromHttpError(err as { status?: number; type?: string });
      if (mapped) return sendError(ctx, mapped);
      log.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      sendError(ctx, new ApiError(500, 'internal_error', 'The request could not be completed'));
    }
  };
}

export function notFound(ctx: Context): void {
  sendError(ctx, new ApiError(404, 'not_found', `No route for ${ctx.method} ${ctx.path}`));
}
