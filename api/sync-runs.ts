import type { EntityManager } from '@mikro-orm/knex';
import { z } from 'zod';
import { ENTITY_TYPES } from '../entities/processing-state';
import { SYNC_RUN_KINDS, SYNC_RUN_STATUSES, SYNC_RUN_TRIGGERS, type SyncRun } from '../entities/sync-run';
import type { IntegrationStatus } from '../sync/runs/integration-status';
import { decodeRunCursor, listSyncRuns } from '../sync/runs/sync-run-list';
import { MAX_RUN_FAILURES } from '../sync/runs/sync-run-store';
import {
  BAD_QUERY,
  cursorParamSchema,
  nextCursorSchema,
  parseQuery,
  rowIdSchema,
  timestampSchema,
} from './change-feed-routes';
import type { ApiDeps } from './http/context';
import { ApiError } from './http/errors';
import type { RouteDef } from './http/route-table';

export const MAX_RUNS_PAGE = 200;

const count = z.number().int().min(0);

/** A position in Odoo's `(write_date, id)` order. */
const watermarkSchema = z
  .object({
    write_date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
      .describe("Odoo's write_date, `YYYY-MM-DD HH:MM:SS` (UTC)"),
    id: z.number().int().min(1).describe("Odoo's id of the record at that write_date"),
  })
  .nullable();

const runStatusSchema = z.enum(SYNC_RUN_STATUSES);
const runKindSchema = z
  .enum(SYNC_RUN_KINDS)
  .describe('pull: a run reading Odoo; push: a push request from Odoo; webshop: an order the webshop posted');

export const syncRunSchema = z
  .object({
    id: rowIdSchema,
    kind: runKindSchema,
    entity_type: z.enum(ENTITY_TYPES),
    trigger: z
      .enum(SYNC_RUN_TRIGGERS)
      .describe('schedule or manual for a pull, odoo for a push, webshop for a webshop order'),
    status: runStatusSchema.describe(
      'partial: some records failed (listed in failures), the others were imported; failed: nothing was imported',
    ),
    started_at: timestampSchema,
    finished_at: timestampSchema.nullable().describe('null while running'),
    pages: count.describe('Pages a pull has read (0 for a request)'),
    counts: z.object({ read: count, created: count, updated: count, unchanged: count, failed: count }),
    watermark_from: watermarkSchema.describe('Where a pull started reading (after this position); null otherwise'),
    watermark_to: watermarkSchema.describe('The last position a pull has read; null otherwise'),
    error: z.string().nullable(),
    failures: z
      .array(
        z.object({ odoo_id: z.number().int().nullable(), external_id: z.string().nullable(), message: z.string() }),
      )
      .max(MAX_RUN_FAILURES)
      .describe(`The records that failed, the first ${MAX_RUN_FAILURES} of the run`),
    workflow_id: z.string().nullable().describe("A pull's workflow id"),
  })
  .meta({
    examples: [
      {
        id: 42,
        kind: 'pull',
        entity_type: 'product',
        trigger: 'schedule',
        status: 'partial',
        started_at: '2026-12-01T08:00:00.000Z',
        finished_at: '2026-12-01T08:00:04.512Z',
        pages: 2,
        counts: { read: 250, created: 3, updated: 40, unchanged: 206, failed: 1 },
        watermark_from: { write_date: '2026-12-01 07:45:00', id: 118 },
        watermark_to: { write_date: '2026-12-01 07:59:58', id: 4711 },
        error: null,
        failures: [
          {
            odoo_id: 4700,
            external_id: 'PROD-4700',
            message: 'name: Too big: expected string to have <=255 characters',
          },
        ],
        workflow_id: 'pull:product-2026-12-01T08:00:00Z',
      },
    ],
  });

const syncRunsPageSchema = z.object({ items: z.array(syncRunSchema), next_cursor: nextCursorSchema });

const syncRunsQuerySchema = z.object({
  entity_type: z
    .enum(ENTITY_TYPES)
    .optional()
    .meta({ description: 'Only runs of this entity type', examples: ['product'] }),
  kind: z.enum(SYNC_RUN_KINDS).optional().describe('Only runs of this kind'),
  status: runStatusSchema.optional().describe('Only runs in this status'),
  limit: z.coerce.number().int().min(1).max(MAX_RUNS_PAGE).default(50).describe('Page size'),
  cursor: cursorParamSchema,
});

/** An entity type's integration status in the overview. */
export const integrationStatusSchema = z.object({
  last_run: z
    .object({
      id: rowIdSchema,
      kind: runKindSchema,
      status: runStatusSchema,
      started_at: timestampSchema,
      finished_at: timestampSchema.nullable(),
    })
    .nullable()
    .describe('The latest run of any kind'),
  last_success_at: timestampSchema.nullable().describe('When the latest successful run of any kind finished'),
  status: runStatusSchema.nullable().describe('Status of the latest pull run; null before the first'),
  watermark: watermarkSchema.describe("How far the pull has read Odoo's (write_date, id) order"),
  lag_seconds: z
    .number()
    .min(0)
    .nullable()
    .describe(
      'Now minus the time up to which the pull has read everything; null before a pull has read everything once',
    ),
}) satisfies z.ZodType<IntegrationStatus>;

const watermarkOf = (date: string | null, id: number | null) =>
  date !== null && id !== null ? { write_date: date, id } : null;

export function serializeSyncRun(run: SyncRun): z.infer<typeof syncRunSchema> {
  return {
    id: run.id,
    kind: run.kind,
    entity_type: run.entityType as z.infer<typeof syncRunSchema>['entity_type'],
    trigger: run.trigger,
    status: run.status,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    pages: run.pages,
    counts: {
      read: run.readCount,
      created: run.createdCount,
      updated: run.updatedCount,
      unchanged: run.unchangedCount,
      failed: run.failedCount,
    },
    watermark_from: watermarkOf(run.watermarkFromDate, run.watermarkFromId),
    watermark_to: watermarkOf(run.watermarkToDate, run.watermarkToId),
    error: run.error,
    failures: run.failures ?? [],
    workflow_id: run.workflowId,
  };
}

/** Operators: the audit log of every pull run and push request, newest first. */
export function syncRunRoutes(deps: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/admin/sync-runs',
      scope: 'admin',
      operationId: 'list_sync_runs',
      summary:
        'The audit log of sync runs (pulls from Odoo, push requests, webshop orders), newest first; filter by entity_type, kind, status',
      tag: 'admin',
      query: syncRunsQuerySchema,
      responses: {
        200: { description: 'A page of runs, newest first', schema: syncRunsPageSchema },
        400: BAD_QUERY,
      },
      handler: async (ctx) => {
        const q = parseQuery(syncRunsQuerySchema, ctx.query);
        const before = q.cursor === undefined ? undefined : decodeRunCursor(q.cursor);
        if (before === null) {
          throw new ApiError(400, 'validation_failed', 'The request is not valid', [
            { path: 'cursor', message: 'is not a cursor this API issued' },
          ]);
        }
        const page = await listSyncRuns(deps.orm.em.fork() as EntityManager, {
          filters: { entityType: q.entity_type, kind: q.kind, status: q.status },
          before,
          limit: q.limit,
        });
        ctx.body = {
          items: page.runs.map(serializeSyncRun),
          next_cursor: page.nextCursor,
        } satisfies z.infer<typeof syncRunsPageSchema>;
      },
    },
  ];
}
