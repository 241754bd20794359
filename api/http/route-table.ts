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
  query?: ZodType;
  /** Status code -> description, with a response schema where one is fixed. */
  responses: Record<number, { description: string; schema?: ZodType }>;
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
