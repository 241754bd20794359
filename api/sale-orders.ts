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
      example: {
        external_id: 'SO-2001',
        odoo_id: 2001,
        name: 'S02001',
        partner_external_id: 'P-1001',
        state: 'sale',
        date_order: '2026-11-01T10:00:00Z',
        currency: 'EUR',
        amount_total: 19.9,
        write_date: '2026-11-01T10:00:00Z',
        lines: [{ product_external_id: 'PROD-1', quantity: 2, price_unit: 9.95, discount: 0 }],
      },
    }),
    ...changeFeedRoutes(deps, {
      plural: 'sale-orders',
      entity: SaleOrderSchema,
      tag: 'sale-orders',
      filters: directionFilter,
    }),
  ];
}
