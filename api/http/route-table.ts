import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ZodType } from 'zod';
import type { TokenScope } from '../../entities/api-token';
import type { ApiState } from './context';

export type Method = 'get' | 'post' | 'delete';

/** One API operation: where it lives, who may call it, and what it exchanges (for the OpenAPI document). */
export interface RouteDef {
  method: Method;
  /** Koa-router path, e.g. `/api/v1/updated-partners/:id`. */
  path: string;
  scope: TokenScope;
  operationId: string;
  summary: string;
  tag: string;
  requestBody?: ZodType;
  /** Named examples of a valid request body: shown by the document, sent by the conformance test. */
  requestExamples?: Record<string, { summary: string; value: unknown }>;
  query?: ZodType;
  /**
   * The path parameters, an object schema keyed by the `:name`s of `path` (documentation only: the handler
   * validates them). A parameter it does not declare is documented as a plain string.
   */
  params?: ZodType;
  /**
   * Status code -> description, with the body's schema (the error body when none is given) and the headers it
   * sets. The OpenAPI document adds what every operation may answer (401, 403, 429, 500, 503) and, for a POST,
   * what its body may cause (400, 413, 415).
   */
  responses: Record<
    number,
    { description: string; schema?: ZodType; headers?: Record<string, { description: string; schema: object }> }
  >;
  handler: (ctx: Context & { state: ApiState }) => Promise<void>;
}

export function mountRoutes(
  router: Router,
  routes: readonly RouteDef[],
  authorize: (scope: TokenScope) => (ctx: Context, next: () => Promise<unknown>) => Promise<unknown>,
): void {
  for (const route of routes) {
    router[route.method](route.operationId, route.path, authorize(route.scope), async (ctx) => {
      await route.handler(ctx as Context & { state: ApiState });
    });
  }
}
