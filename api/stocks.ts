import type { EntityManager } from '@mikro-orm/knex';
import { z } from 'zod';
import { StockSchema } from '../entities/stock';
import { acknowledge } from '../sync/feeds/change-feed';
import { encodeKeyCursor } from '../sync/feeds/feed-cursor';
import { stockInbound } from '../sync/inbound/stock/spec';
import { stockFeedTable, type StockFeedRow } from '../sync/feeds/stock-feed';
import {
  ackResult,
  ackResultSchema,
  BAD_IDS_BODY,
  BAD_QUERY,
  feedQuerySchema,
  idAfter,
  idsBodyExamples,
  idsBodySchema,
  pageOf,
  pageQuerySchema,
  parseQuery,
  processingStateSchema,
  readFeedPage,
  rowIdSchema,
  timestampSchema,
} from './change-feed-routes';
import type { ApiDeps } from './http/context';
import { ApiError } from './http/errors';
import { inboundPushRoute } from './inbound-push';
import type { RouteDef } from './http/route-table';

const stockItemSchema = z.object({
  id: rowIdSchema,
  supplier_external_id: z.string(),
  product_external_id: z.string(),
  quantity: z.number(),
  previous_quantity: z.number().nullable(),
  /** The quantity the webshop last acknowledged (null until it first does). */
  acknowledged_quantity: z.number().nullable(),
  quantity_changed: z.boolean(),
  purchase_price: z.number().nullable(),
  sale_price: z.number().nullable(),
  processing_state: processingStateSchema,
  updated_at: timestampSchema,
});

function serializeStock(row: StockFeedRow): z.infer<typeof stockItemSchema> {
  return {
    id: row.id,
    supplier_external_id: row.supplierExternalId,
    product_external_id: row.productExternalId,
    quantity: row.quantity,
    previous_quantity: row.previousQuantity,
    acknowledged_quantity: row.acknowledgedQuantity,
    quantity_changed: row.quantityChanged,
    purchase_price: row.purchasePrice,
    sale_price: row.salePrice,
    processing_state: row.processingState,
    updated_at: row.changedAt.toISOString(),
  };
}

const lookupQuerySchema = z.object({
  supplier_id: z
    .string()
    .min(1)
    .meta({ description: "The supplier's external id", examples: ['SUP-1'] }),
  product_id: z
    .string()
    .min(1)
    .meta({ description: "The product's external id", examples: ['PROD-1'] }),
});

const keyParam = (name: string, label: string, example: string) =>
  z.object({
    [name]: z
      .string()
      .min(1)
      .meta({ description: `The ${label}'s external id (exact)`, examples: [example] }),
  });

export function stockRoutes(deps: ApiDeps): RouteDef[] {
  const em = () => deps.orm.em.fork() as EntityManager;
  const listBy = (column: 'supplierExternalId' | 'productExternalId', param: string, label: string): RouteDef => ({
    method: 'get',
    path: `/api/v1/stocks/by-${label}/:${param}`,
    scope: 'webshop',
    operationId: `list_stocks_by_${label}`,
    summary: `Every stock row of one ${label}, by id`,
    tag: 'stocks',
    params: keyParam(param, label, label === 'supplier' ? 'SUP-1' : 'PROD-1'),
    query: pageQuerySchema,
    responses: {
      200: { description: 'A page of stock rows (none for an unknown key)', schema: pageOf(stockItemSchema) },
      400: BAD_QUERY,
    },
    handler: async (ctx) => {
      const q = parseQuery(pageQuerySchema, ctx.query);
      const rows = await em().find(
        StockSchema,
        { [column]: String(ctx.params[param]), id: { $gt: idAfter(q.cursor) } },
        { orderBy: { id: 'asc' }, limit: q.limit + 1 },
      );
      const items = rows.slice(0, q.limit);
      ctx.body = {
        items: items.map(serializeStock),
        next_cursor: rows.length > q.limit ? encodeKeyCursor(items[items.length - 1]!.id) : null,
      };
    },
  });

  return [
    inboundPushRoute(deps, stockInbound, {
      path: '/api/v1/stocks',
      tag: 'stocks',
      example: {
        supplier_external_id: 'SUP-1',
        product_external_id: 'PROD-1',
        quantity: 12,
        purchase_price: 4.5,
        sale_price: 9.95,
        write_date: '2026-11-01T10:00:00Z',
      },
    }),
    {
      method: 'get',
      path: '/api/v1/stocks/changed',
      scope: 'webshop',
      operationId: 'list_changed_stocks',
      summary: 'Stock rows whose quantity changed since the last acknowledgement, oldest change first',
      tag: 'stocks',
      query: feedQuerySchema,
      responses: {
        200: { description: 'A page of quantity changes', schema: pageOf(stockItemSchema) },
        400: BAD_QUERY,
      },
      handler: async (ctx) => {
        const page = await readFeedPage(deps, stockFeedTable, parseQuery(feedQuerySchema, ctx.query));
        ctx.body = { items: page.items.map(serializeStock), next_cursor: page.nextCursor };
      },
    },
    {
      method: 'post',
      path: '/api/v1/stocks/changed/batch-delete',
      scope: 'webshop',
      operationId: 'batch_ack_changed_stocks',
      summary: 'Acknowledge quantity changes; unknown or already acknowledged ids are not errors',
      tag: 'stocks',
      requestBody: idsBodySchema,
      requestExamples: idsBodyExamples,
      responses: {
        200: { description: 'What was acknowledged', schema: ackResultSchema },
        400: BAD_IDS_BODY,
      },
      handler: async (ctx) => {
        const body = parseQuery(idsBodySchema, ctx.request.body);
        ctx.body = ackResult(await acknowledge(em(), stockFeedTable, [...new Set(body.ids)]));
      },
    },
    listBy('supplierExternalId', 'supplier_external_id', 'supplier'),
    listBy('productExternalId', 'product_external_id', 'product'),
    {
      method: 'get',
      path: '/api/v1/stocks/lookup',
      scope: 'webshop',
      operationId: 'lookup_stock',
      summary: 'The stock row of one supplier and product',
      tag: 'stocks',
      query: lookupQuerySchema,
      responses: {
        200: { description: 'The stock row', schema: stockItemSchema },
        400: { description: 'supplier_id or product_id is missing, empty or given twice (validation_failed)' },
        404: { description: 'No such pair' },
      },
      handler: async (ctx) => {
        const q = parseQuery(lookupQuerySchema, ctx.query);
        const row = await em().findOne(StockSchema, {
          supplierExternalId: q.supplier_id,
          productExternalId: q.product_id,
        });
        if (!row)
          throw new ApiError(404, 'not_found', `No stock for supplier ${q.supplier_id} and product ${q.product_id}`);
        ctx.body = serializeStock(row);
      },
    },
  ];
}
