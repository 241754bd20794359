import type { EntityManager } from '@mikro-orm/knex';
import { z } from 'zod';
import { acknowledge } from '../sync/feeds/change-feed';
import { encodeKeyCursor } from '../sync/feeds/feed-cursor';
import {
  listPricelists,
  pricelistFeedTable,
  pricelistItems,
  type PricelistFeedRow,
} from '../sync/feeds/pricelist-feed';
import {
  ackResult,
  ackResultSchema,
  BAD_IDS_BODY,
  BAD_QUERY,
  feedQuerySchema,
  idAfter,
  idsBodyExamples,
  idsBodySchema,
  keyAfter,
  pageOf,
  pageQuerySchema,
  parseQuery,
  readFeedPage,
  rowIdSchema,
  timestampSchema,
} from './change-feed-routes';
import type { ApiDeps } from './http/context';
import { ApiError } from './http/errors';
import type { RouteDef } from './http/route-table';

const pricelistItemSchema = z.object({
  id: rowIdSchema,
  pricelist_id: z.string(),
  product_external_id: z.string(),
  min_quantity: z.number(),
  price: z.number(),
  previous_price: z.number().nullable(),
  /** The price the webshop last acknowledged (null until it first does). */
  acknowledged_price: z.number().nullable(),
  price_changed: z.boolean(),
  is_promo: z.boolean(),
  is_action: z.boolean(),
  date_start: timestampSchema.nullable(),
  date_end: timestampSchema.nullable(),
  /** The product's whole price list was pushed without this item: the webshop should drop the price. */
  removed: z.boolean(),
  updated_at: timestampSchema,
});

function serializeItem(item: PricelistFeedRow): z.infer<typeof pricelistItemSchema> {
  return {
    id: item.id,
    pricelist_id: item.pricelistId,
    product_external_id: item.productExternalId,
    min_quantity: item.minQuantity,
    price: item.price,
    previous_price: item.previousPrice,
    acknowledged_price: item.acknowledgedPrice,
    price_changed: item.priceChanged,
    is_promo: item.isPromo,
    is_action: item.isAction,
    date_start: item.dateStart?.toISOString() ?? null,
    date_end: item.dateEnd?.toISOString() ?? null,
    removed: item.removedAt !== null,
    updated_at: item.changedAt.toISOString(),
  };
}

export function pricelistRoutes(deps: ApiDeps): RouteDef[] {
  const em = () => deps.orm.em.fork() as EntityManager;
  return [
    {
      method: 'get',
      path: '/api/v1/pricelists/updated',
      scope: 'webshop',
      operationId: 'list_updated_pricelist_items',
      summary: 'Pricelist items whose price really changed and is not yet acknowledged, oldest change first',
      tag: 'pricelists',
      query: feedQuerySchema,
      responses: {
        200: { description: 'A page of price changes', schema: pageOf(pricelistItemSchema) },
        400: BAD_QUERY,
      },
      handler: async (ctx) => {
        const result = await readFeedPage(deps, pricelistFeedTable, parseQuery(feedQuerySchema, ctx.query));
        ctx.body = { items: result.items.map(serializeItem), next_cursor: result.nextCursor };
      },
    },
    {
      method: 'post',
      path: '/api/v1/pricelists/updated/batch-delete',
      scope: 'webshop',
      operationId: 'batch_ack_pricelist_items',
      summary: 'Acknowledge price changes; unknown or already acknowledged ids are not errors',
      tag: 'pricelists',
      requestBody: idsBodySchema,
      requestExamples: idsBodyExamples,
      responses: {
        200: { description: 'What was acknowledged', schema: ackResultSchema },
        400: BAD_IDS_BODY,
      },
      handler: async (ctx) => {
        const body = parseQuery(idsBodySchema, ctx.request.body);
        ctx.body = ackResult(await acknowledge(em(), pricelistFeedTable, [...new Set(body.ids)]));
      },
    },
    {
      method: 'get',
      path: '/api/v1/pricelists',
      scope: 'webshop',
      operationId: 'list_pricelists',
      summary: 'Pricelists with their item counts',
      tag: 'pricelists',
      query: pageQuerySchema,
      responses: {
        200: {
          description: 'A page of pricelists',
          schema: pageOf(
            z.object({
              id: z.string().describe('The pricelist id, as `{pricelist_id}` of its items route takes it'),
              pricelist_id: z.string(),
              item_count: z.number().int().min(0),
              changed_count: z.number().int().min(0),
            }),
          ),
        },
        400: BAD_QUERY,
      },
      handler: async (ctx) => {
        const q = parseQuery(pageQuerySchema, ctx.query);
        const rows = await listPricelists(em(), keyAfter(q.cursor), q.limit + 1);
        const items = rows.slice(0, q.limit);
        ctx.body = {
          items: items.map((r) => ({
            id: r.pricelistId,
            pricelist_id: r.pricelistId,
            item_count: r.itemCount,
            changed_count: r.changedCount,
          })),
          next_cursor: rows.length > q.limit ? encodeKeyCursor(items[items.length - 1]!.pricelistId) : null,
        };
      },
    },
    {
      method: 'get',
      path: '/api/v1/pricelists/:pricelist_id/items',
      scope: 'webshop',
      operationId: 'list_pricelist_items',
      summary: 'Every item of one pricelist, for a full resync',
      tag: 'pricelists',
      params: z.object({
        pricelist_id: z
          .string()
          .min(1)
          .meta({
            description: "The pricelist's id, as the pricelists list gives it (exact)",
            examples: ['PL-RETAIL'],
          }),
      }),
      query: pageQuerySchema,
      responses: {
        200: { description: 'A page of items', schema: pageOf(pricelistItemSchema) },
        400: BAD_QUERY,
        404: { description: 'Unknown pricelist' },
      },
      handler: async (ctx) => {
        const q = parseQuery(pageQuerySchema, ctx.query);
        const afterId = idAfter(q.cursor);
        const pricelistId = String(ctx.params.pricelist_id);
        const rows = await pricelistItems(em(), pricelistId, afterId, q.limit + 1);
        if (rows.length === 0 && afterId === 0) throw new ApiError(404, 'not_found', `No pricelist ${pricelistId}`);
        const items = rows.slice(0, q.limit);
        ctx.body = {
          items: items.map(serializeItem),
          next_cursor: rows.length > q.limit ? encodeKeyCursor(items[items.length - 1]!.id) : null,
        };
      },
    },
  ];
}
