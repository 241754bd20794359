import type { EntityManager } from '@mikro-orm/knex';
import { z } from 'zod';
import { PurchaseOrderLineSchema, PurchaseOrderSchema, type PurchaseOrderLine } from '../entities/purchase-order';
import { acknowledge, syncFeedTable } from '../sync/feeds/change-feed';
import { purchaseOrderInbound } from '../sync/inbound/purchase-order/spec';
import {
  ackResult,
  ackResultSchema,
  BAD_ID,
  BAD_IDS_BODY,
  BAD_QUERY,
  feedItemSchema,
  feedQuerySchema,
  idParamsSchema,
  idsBodyExamples,
  idsBodySchema,
  pageOf,
  parseId,
  parseQuery,
  processingStateSchema,
  readFeedPage,
  rowIdSchema,
  serializeFeedItem,
  timestampSchema,
} from './change-feed-routes';
import type { ApiDeps } from './http/context';
import { ApiError } from './http/errors';
import { inboundPushRoute } from './inbound-push';
import type { RouteDef } from './http/route-table';

const lineSchema = z.object({
  id: rowIdSchema,
  line_no: z.number().int(),
  product_external_id: z.string(),
  quantity: z.number(),
  qty_received: z.number().nullable(),
  price_unit: z.number().nullable(),
  date_planned: timestampSchema.nullable(),
  replied_by_vendor: z.boolean().nullable(),
});

function serializeLine(line: PurchaseOrderLine): z.infer<typeof lineSchema> {
  return {
    id: line.id,
    line_no: line.lineNo,
    product_external_id: line.productExternalId,
    quantity: line.quantity,
    qty_received: line.qtyReceived,
    price_unit: line.priceUnit,
    date_planned: line.datePlanned?.toISOString() ?? null,
    replied_by_vendor: line.repliedByVendor,
  };
}

export function purchaseOrderRoutes(deps: ApiDeps): RouteDef[] {
  const em = () => deps.orm.em.fork() as EntityManager;
  const table = syncFeedTable(PurchaseOrderSchema);
  const findOrder = async (rawId: string | undefined) => {
    const id = parseId(rawId);
    const order = await em().findOne(PurchaseOrderSchema, { id });
    if (!order) throw new ApiError(404, 'not_found', `No purchase order with id ${id}`);
    return order;
  };
  const linesOf = (purchaseOrderId: number) =>
    em().find(PurchaseOrderLineSchema, { purchaseOrderId }, { orderBy: { lineNo: 'asc' } });

  return [
    inboundPushRoute(deps, purchaseOrderInbound, {
      path: '/api/v1/purchase-orders',
      tag: 'purchase-orders',
      example: {
        name: 'PO-3001',
        external_id: 'PO-3001',
        odoo_id: 3001,
        vendor_external_id: 'P-1001',
        state: 'purchase',
        order_date: '2026-11-01T10:00:00Z',
        write_date: '2026-11-01T10:00:00Z',
        lines: [{ product_external_id: 'PROD-1', quantity: 10, price_unit: 4.5, date_planned: '2026-11-08' }],
      },
    }),
    {
      method: 'get',
      path: '/api/v1/purchase-orders/updated',
      scope: 'webshop',
      operationId: 'list_updated_purchase_orders',
      summary: 'Changed purchase orders not yet acknowledged, oldest change first',
      tag: 'purchase-orders',
      query: feedQuerySchema,
      responses: {
        200: { description: 'A page of changes', schema: pageOf(feedItemSchema) },
        400: BAD_QUERY,
      },
      handler: async (ctx) => {
        const page = await readFeedPage(deps, table, parseQuery(feedQuerySchema, ctx.query));
        ctx.body = { items: page.items.map(serializeFeedItem), next_cursor: page.nextCursor };
      },
    },
    {
      method: 'post',
      path: '/api/v1/purchase-orders/updated/batch-delete',
      scope: 'webshop',
      operationId: 'batch_ack_updated_purchase_orders',
      summary: 'Acknowledge purchase order changes; unknown or already acknowledged ids are not errors',
      tag: 'purchase-orders',
      requestBody: idsBodySchema,
      requestExamples: idsBodyExamples,
      responses: {
        200: { description: 'What was acknowledged', schema: ackResultSchema },
        400: BAD_IDS_BODY,
      },
      handler: async (ctx) => {
        const body = parseQuery(idsBodySchema, ctx.request.body);
        ctx.body = ackResult(await acknowledge(em(), table, [...new Set(body.ids)]));
      },
    },
    {
      method: 'get',
      path: '/api/v1/purchase-orders/:id',
      scope: 'webshop',
      operationId: 'get_purchase_order',
      summary: 'One purchase order with its lines',
      tag: 'purchase-orders',
      params: idParamsSchema,
      responses: {
        200: {
          description: 'The order in whatever state it is (the feed serves only processed and stub ones)',
          schema: feedItemSchema.extend({ processing_state: processingStateSchema, lines: z.array(lineSchema) }),
        },
        400: BAD_ID,
        404: { description: 'Unknown id' },
      },
      handler: async (ctx) => {
        const order = await findOrder(ctx.params.id);
        ctx.body = { ...serializeFeedItem(order), lines: (await linesOf(order.id)).map(serializeLine) };
      },
    },
    {
      method: 'get',
      path: '/api/v1/purchase-orders/:id/lines',
      scope: 'webshop',
      operationId: 'list_purchase_order_lines',
      summary: 'The lines of one purchase order',
      tag: 'purchase-orders',
      params: idParamsSchema,
      responses: {
        200: { description: 'The lines', schema: z.object({ items: z.array(lineSchema) }) },
        400: BAD_ID,
        404: { description: 'Unknown id' },
      },
      handler: async (ctx) => {
        const order = await findOrder(ctx.params.id);
        ctx.body = { items: (await linesOf(order.id)).map(serializeLine) };
      },
    },
  ];
}
