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
      example: {
        external_id: 'PROD-1',
        odoo_id: 42,
        name: 'Espresso cup',
        default_code: 'CUP-ESP',
        active: true,
        list_price: 9.95,
        write_date: '2026-11-01 10:00:00',
        prices: [{ pricelist_id: 'PL-RETAIL', price: 9.95, min_quantity: 1 }],
      },
    }),
    ...changeFeedRoutes(deps, { plural: 'products', entity: ProductSchema, tag: 'products' }),
  ];
}
