import { z } from 'zod';
import { SALE_ORDER_DIRECTIONS, SaleOrderSchema } from '../entities/sale-order';
import { saleOrderInbound } from '../sync/inbound/sale-order/spec';
import { changeFeedRoutes } from './change-feed-routes';
import type { ApiDeps } from './http/context';
import { inboundPushRoute } from './inbound-push';
import type { RouteDef } from './http/route-table';

const directionFilter = {
  shape: {
    direction: z
      .enum(SALE_ORDER_DIRECTIONS, { error: `must be one of ${SALE_ORDER_DIRECTIONS.join(', ')}` })
      .optional()
      .describe('inbound: orders pushed by Odoo; outbound: webshop orders; both when omitted'),
  },
  where: (q: { direction?: (typeof SALE_ORDER_DIRECTIONS)[number] }) => (q.direction ? { direction: q.direction } : {}),
};

export function saleOrderRoutes(deps: ApiDeps): RouteDef[] {
  return [
    inboundPushRoute(deps, saleOrderInbound, {
      path: '/api/v1/sale-orders',
      tag: 'sale-orders',
    }),
    ...changeFeedRoutes(deps, {
      plural: 'sale-orders',
      entity: SaleOrderSchema,
      tag: 'sale-orders',
      filters: directionFilter,
    }),
  ];
}
