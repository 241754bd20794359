import { ProductSchema } from '../entities/product';
import type { SyncFields } from '../entities/sync-fields';
import type { InboundSpec } from '../sync/inbound-spec';
import { productInbound } from '../sync/product';
import { productRecordSchema } from '../sync/records/product';
import { changeFeedRoutes } from './change-feed-routes';
import type { ApiDeps } from './context';
import { inboundPushRoute } from './inbound-push';
import type { RouteDef } from './route-table';

export function productRoutes(deps: ApiDeps): RouteDef[] {
  return [
    inboundPushRoute(deps, productInbound as unknown as InboundSpec<unknown, SyncFields>, {
      path: '/api/v1/products',
      tag: 'products',
      recordSchema: productRecordSchema,
    }),
    ...changeFeedRoutes(deps, { plural: 'products', entity: ProductSchema, tag: 'products' }),
  ];
}
