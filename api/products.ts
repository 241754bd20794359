import { ProductSchema } from '../entities/product';
import { productInbound } from '../sync/inbound/product/spec';
import { changeFeedRoutes } from './change-feed-routes';
import type { ApiDeps } from './http/context';
import { inboundPushRoute } from './inbound-push';
import type { RouteDef } from './http/route-table';

export function productRoutes(deps: ApiDeps): RouteDef[] {
  return [
    inboundPushRoute(deps, productInbound, {
      path: '/api/v1/products',
      tag: 'products',
    }),
    ...changeFeedRoutes(deps, { plural: 'products', entity: ProductSchema, tag: 'products' }),
  ];
}
