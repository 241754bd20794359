import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { adminRoutes } from './admin';
import { createAuthorizer } from './http/auth';
import type { ApiDeps } from './http/context';
import { mountDocsRoutes } from './http/docs';
import { ApiError, errorMiddleware, notFound, sendError } from './http/errors';
import { jsonGuard } from './http/json-guard';
import { mountHealthRoutes } from './http/health';
import { buildOpenApiDocument } from './http/openapi';
import { partnerRoutes } from './partners';
import { pricelistRoutes } from './pricelists';
import { productRoutes } from './products';
import { pullRoutes } from './pulls';
import { purchaseOrderRoutes } from './purchase-orders';
import { queueStatusRoutes } from './queue-status';
import { mountRoutes, type RouteDef } from './http/route-table';
import { saleOrderRoutes } from './sale-orders';
import { stockRoutes } from './stocks';
import { syncRunRoutes } from './sync-runs';
import { webshopOrderRoutes } from './webshop-orders';

export const API_VERSION = '1.0.0';

export function apiRoutes(deps: ApiDeps): RouteDef[] {
  return [
    ...partnerRoutes(deps),
    ...productRoutes(deps),
    ...saleOrderRoutes(deps),
    ...stockRoutes(deps),
    ...purchaseOrderRoutes(deps),
    ...pricelistRoutes(deps),
    ...webshopOrderRoutes(deps),
    ...queueStatusRoutes(deps),
    ...adminRoutes(deps),
    ...syncRunRoutes(deps),
    ...pullRoutes(deps),
  ];
}

export interface ApiApp {
  app: Koa;
  router: Router;
  routes: RouteDef[];
}

export function createApiApp(deps: ApiDeps): ApiApp {
  const app = new Koa();
  app.proxy = true;
  const router = new Router();
  const routes = apiRoutes(deps);
  const openApi = buildOpenApiDocument(routes, API_VERSION);

  // Outermost, so every answer is counted with the status it went out with, errors included.
  app.use(async (ctx, next) => {
    const stop = deps.metrics.httpRequestDuration.startTimer({ method: ctx.method });
    try {
      await next();
    } finally {
      stop({ route: (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched', status: String(ctx.status) });
    }
  });
  app.use(errorMiddleware(deps.log));
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: deps.config.bodyLimit,
      // Odoo does not always label its bodies; every POST is JSON here.
      detectJSON: () => true,
      jsonStrict: true,
    }),
  );
  app.use(jsonGuard);

  app.use(async (ctx, next) => {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 404) notFound(ctx);
    // The router answers 501 for methods it knows no route for at all (TRACE, QUERY, ...).
    else if (ctx.status === 405 || ctx.status === 501)
      sendError(ctx, new ApiError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`));
  });

  mountHealthRoutes(router, deps);
  router.get('openapi', '/openapi.json', (ctx) => {
    ctx.body = openApi;
  });
  mountDocsRoutes(router);
  mountRoutes(router, routes, createAuthorizer(deps));

  app.use(router.routes());
  app.use(router.allowedMethods({ throw: false }));
  return { app, router, routes };
}
