import type { EntitySchema, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { z } from 'zod';
import { PROCESSING_STATES } from '../entities/processing-state';
import type { SyncFields } from '../entities/sync-fields';
import { MAX_ODOO_ID } from '../sync/shared/record-fields';
import {
  acknowledge,
  markServed,
  readChangeFeed,
  SERVED_STATES,
  syncFeedTable,
  type AckResult,
  type FeedRow,
  type FeedTable,
  type SyncFeedRow,
} from '../sync/feeds/change-feed';
import { decodeCursor, decodeKeyCursor } from '../sync/feeds/feed-cursor';
import type { ApiDeps } from './http/context';
import { ApiError, validationError } from './http/errors';
import type { RouteDef } from './http/route-table';

export const MAX_PAGE = 500;

/** A timestamp the API emits: ISO-8601 with an offset (always `Z`, UTC). */
export const timestampSchema = z.iso.datetime({ offset: true });

/** The id of one of the service's rows, as items carry it and routes take it back. */
export const rowIdSchema = z.number().int().min(1);

/**
 * Odoo's id of a record, or null while it has none. Not bounded here: Odoo's own ids are 1 to MAX_ODOO_ID, but a
 * stub carries whatever integer the legacy database held.
 */
export const odooIdSchema = z
  .number()
  .int()
  .nullable()
  .describe(`Odoo's id (1 to ${MAX_ODOO_ID} for a record Odoo sent); null while it has none`);

export const processingStateSchema = z.enum(PROCESSING_STATES);

/** `cursor` of a list: the `next_cursor` of the page before, passed back as it came. */
export const cursorParamSchema = z
  .string()
  .min(1)
  .optional()
  .describe("Opaque: the previous page's `next_cursor`, as it came; omit it for the first page");

/** `next_cursor` of a page. */
export const nextCursorSchema = z
  .string()
  .min(1)
  .nullable()
  .describe('Opaque: pass it back as `cursor` for the next page; null on the last page');

/** `{id}` of a route: a row id as the API serves it. */
export const idParamsSchema = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .meta({ description: 'The `id` of an item the API served', examples: [1] }),
});

export const feedQuerySchema = z.object({
  since: z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 timestamp with offset' })
    .optional()
    .meta({ description: 'Only changes at or after this time', examples: ['2026-01-01T00:00:00Z'] }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100).describe('Page size'),
  cursor: cursorParamSchema,
});

export const feedItemSchema = z.object({
  id: rowIdSchema,
  external_id: z.string(),
  odoo_id: odooIdSchema,
  processing_state: z.enum(SERVED_STATES),
  changed_fields: z.array(z.string()),
  is_new: z.boolean(),
  updated_at: timestampSchema,
  data: z.record(z.string(), z.unknown()),
});

export const idsBodySchema = z.object({ ids: z.array(rowIdSchema).max(MAX_PAGE * 10) });

/** The 400s of the routes, by what the client got wrong. */
export const BAD_QUERY = {
  description: 'A query parameter is not valid (validation_failed), e.g. a cursor this API never issued',
};
export const BAD_ID = { description: 'The id is not a positive integer (validation_failed)' };
export const BAD_IDS_BODY = {
  description: 'The body is not `{"ids": [...]}` with positive integer ids (validation_failed)',
};

export const idsBodyExamples = { ids: { summary: 'Acknowledge two items', value: { ids: [1, 2] } } };

export const ackResultSchema = z.object({
  acknowledged: z.array(rowIdSchema),
  not_found: z.array(rowIdSchema),
  /** Changed since the feed last served them: still pending, read them again. */
  changed_since_read: z.array(rowIdSchema),
});

export const ackResult = (r: AckResult) => ({
  acknowledged: r.acknowledged,
  not_found: r.unknown,
  changed_since_read: r.unseen,
});

export function serializeFeedItem(row: SyncFeedRow): z.infer<typeof feedItemSchema> {
  return {
    id: row.id,
    external_id: row.externalId,
    odoo_id: row.odooId,
    processing_state: row.processingState as (typeof SERVED_STATES)[number],
    changed_fields: row.unackedChangedFields,
    is_new: row.isNew,
    updated_at: row.changedAt.toISOString(),
    data: row.data,
  };
}

export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw validationError(parsed.error.issues);
  return parsed.data;
}

/** One page of a feed, from validated `since`/`limit`/`cursor` query parameters. */
export async function readFeedPage<E extends FeedRow, K extends keyof E & string>(
  deps: Pick<ApiDeps, 'orm' | 'config'>,
  table: FeedTable<E, K>,
  q: z.infer<typeof feedQuerySchema>,
  where?: Record<string, unknown>,
) {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (after === null) {
    throw new ApiError(400, 'validation_failed', 'The request is not valid', [
      { path: 'cursor', message: 'is not a cursor this API issued' },
    ]);
  }
  return readChangeFeed(deps.orm.em.fork() as EntityManager, table, {
    since: q.since ? new Date(q.since) : undefined,
    after,
    limit: q.limit,
    settledBefore: new Date(Date.now() - deps.config.feedSettleWindowMs),
    where,
  });
}

/** Query of a plain (non-feed) list: page size and an opaque cursor. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100).describe('Page size'),
  cursor: cursorParamSchema,
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: nextCursorSchema });

const badCursor = () =>
  new ApiError(400, 'validation_failed', 'The request is not valid', [
    { path: 'cursor', message: 'is not a cursor this API issued' },
  ]);

/** The key a list cursor points after; undefined for the first page. */
export function keyAfter(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeKeyCursor(cursor);
  if (key === null) throw badCursor();
  return key;
}

/** The numeric id a list cursor points after; 0 for the first page. */
export function idAfter(cursor: string | undefined): number {
  const key = keyAfter(cursor);
  if (key === undefined) return 0;
  const id = Number(key);
  if (!Number.isSafeInteger(id) || id < 0) throw badCursor();
  return id;
}

export function parseId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new ApiError(400, 'validation_failed', 'The request is not valid', [
      { path: 'id', message: 'must be a positive integer' },
    ]);
  }
  return id;
}

export interface ChangeFeedOptions<E extends SyncFields, F extends z.ZodRawShape> {
  plural: string;
  entity: EntitySchema<E>;
  tag: string;
  /** Extra query parameters of the list route (e.g. a sale order's direction) and the conditions they set. */
  filters?: { shape: F; where: (query: z.infer<z.ZodObject<F>>) => Record<string, unknown> };
}

/** `GET/DELETE /api/v1/updated-<plural>` and friends, for one synced entity. */
export function changeFeedRoutes<E extends SyncFields, F extends z.ZodRawShape = z.ZodRawShape>(
  deps: ApiDeps,
  options: ChangeFeedOptions<E, F>,
): RouteDef[] {
  const listQuerySchema = options.filters ? feedQuerySchema.extend(options.filters.shape) : feedQuerySchema;
  const base = `/api/v1/updated-${options.plural}`;
  const em = () => deps.orm.em.fork() as EntityManager;
  const table = syncFeedTable(options.entity);
  const findServed = async (id: number) => {
    const row = await em().findOne(options.entity, {
      id,
      processingState: { $in: SERVED_STATES },
    } as unknown as FilterQuery<E>);
    if (!row) throw new ApiError(404, 'not_found', `No ${options.plural} record with id ${id}`);
    // Exactly the version read: a change committing meanwhile stays unserved.
    await markServed(em(), options.entity, [row.id], row.changedAt);
    return row;
  };
  return [
    {
      method: 'get',
      path: base,
      scope: 'webshop',
      operationId: `list_updated_${options.plural}`,
      summary: `Changed ${options.plural} not yet acknowledged, oldest change first`,
      tag: options.tag,
      query: listQuerySchema,
      responses: {
        200: { description: 'A page of changes', schema: pageOf(feedItemSchema) },
        400: BAD_QUERY,
      },
      handler: async (ctx) => {
        const q = parseQuery(listQuerySchema, ctx.query) as z.infer<typeof feedQuerySchema>;
        const page = await readFeedPage(deps, table, q, options.filters?.where(q as never));
        ctx.body = { items: page.items.map(serializeFeedItem), next_cursor: page.nextCursor };
      },
    },
    {
      method: 'get',
      path: `${base}/:id`,
      scope: 'webshop',
      operationId: `get_updated_${options.plural}`,
      summary: `One ${options.plural} record as the feed serves it`,
      tag: options.tag,
      params: idParamsSchema,
      responses: {
        200: { description: 'The record', schema: feedItemSchema },
        400: BAD_ID,
        404: { description: 'No record with this id is served (unknown, or awaiting a dependency)' },
      },
      handler: async (ctx) => {
        ctx.body = serializeFeedItem(await findServed(parseId(ctx.params.id)));
      },
    },
    {
      method: 'delete',
      path: `${base}/:id`,
      scope: 'webshop',
      operationId: `ack_updated_${options.plural}`,
      summary: `Acknowledge one ${options.plural} change (idempotent)`,
      tag: options.tag,
      params: idParamsSchema,
      responses: {
        200: { description: 'What was acknowledged', schema: ackResultSchema },
        400: BAD_ID,
        404: { description: 'Unknown id' },
      },
      handler: async (ctx) => {
        const id = parseId(ctx.params.id);
        const result = await acknowledge(em(), table, [id]);
        if (result.unknown.length) throw new ApiError(404, 'not_found', `No ${options.plural} record with id ${id}`);
        ctx.body = ackResult(result);
      },
    },
    {
      method: 'post',
      path: `${base}/batch-delete`,
      scope: 'webshop',
      operationId: `batch_ack_updated_${options.plural}`,
      summary: `Acknowledge many ${options.plural} changes; unknown or already acknowledged ids are not errors`,
      tag: options.tag,
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
  ];
}
