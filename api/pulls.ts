import { isGrpcServiceError } from '@temporalio/client';
import { z } from 'zod';
import { pullSinceSchema, startPullRun, STOCK_NOT_PULLED } from '../sync/pull/pull-starter';
import { isPullEntityType, PULL_ENTITY_TYPES, pullScheduleId, type PullEntityType } from '../workflows/contract';
import type { ApiDeps } from './http/context';
import { ApiError, validationError } from './http/errors';
import type { RouteDef } from './http/route-table';

const pullRunBodySchema = z
  .strictObject({
    since: pullSinceSchema.optional(),
    full: z.boolean().optional().describe('Read every record Odoo has, whatever the watermark'),
  })
  .refine((body) => !(body.full && body.since !== undefined), {
    message: 'since and full exclude each other: full reads every record, since those written since then',
    path: ['since'],
  })
  .describe('Optional: an empty object (or no body) pulls from the stored watermark, as the Schedule does');

const startedSchema = z.object({
  workflow_id: z.string().meta({
    description:
      "The run's workflow: `pull:<entity_type>:manual-<time>` (the Schedule's are `pull:<entity_type>-<time>`)",
    examples: ['pull:product:manual-2026-01-01T08:00:00.000Z'],
  }),
  run_id: z.string().describe('Temporal run id of its first execution'),
  entity_type: z.enum(PULL_ENTITY_TYPES),
  trigger: z.literal('manual'),
  since: z.string().nullable().describe('As asked; null: from the stored watermark (or everything, with full)'),
  full: z.boolean(),
});

const TEMPORAL_RETRY_AFTER_SECONDS = 5;
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
};

/** Temporal did not answer (down, restarting, or not within the client's deadline). */
function temporalUnreachable(err: unknown): boolean {
  for (let current = err, depth = 0; current && depth < 4; depth++) {
    // 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED
    if (isGrpcServiceError(current) && (current.code === 14 || current.code === 4)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The entity type named by the path, or the 4xx that explains why there is no pull of it. */
function pulledEntityType(value: string): PullEntityType {
  if (isPullEntityType(value)) return value;
  if (value === 'stock' || value === 'stocks') {
    throw new ApiError(400, 'not_pulled', STOCK_NOT_PULLED, [{ path: 'entity_type', message: STOCK_NOT_PULLED }]);
  }
  // The plural names of the push routes and batches (`products`, `sale-orders`, `orders`) name an entity type too.
  const singular = value.replace(/-/g, '_').replace(/s$/, '');
  const meant = PULL_ENTITY_TYPES.find((t) => t === singular || (singular === 'order' && t === 'sale_order'));
  const hint = meant ? ` (did you mean ${meant}?)` : '';
  throw new ApiError(
    404,
    'not_found',
    `No pull of "${value}"${hint}: entity types pulled from Odoo are ${PULL_ENTITY_TYPES.join(', ')}`,
  );
}

/** Operators: a pull from Odoo now, the same run the Schedule `pull:<entity_type>` starts. */
export function pullRoutes(deps: ApiDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/api/v1/admin/pulls/:entity_type/run',
      scope: 'admin',
      operationId: 'run_pull',
      summary:
        'Pulls one entity type from Odoo now: starts the workflow the Schedule pull:<entity_type> starts, optionally since a date or over every record (full)',
      tag: 'admin',
      params: z.object({
        entity_type: z.enum(PULL_ENTITY_TYPES).meta({
          description: `An entity type pulled from Odoo (stock is not: ${STOCK_NOT_PULLED})`,
          examples: ['product'],
        }),
      }),
      requestBody: pullRunBodySchema,
      requestExamples: {
        watermark: { summary: 'From the stored watermark, as the Schedule pulls', value: {} },
        since: { summary: 'Every record written since a date', value: { since: '2026-01-01' } },
        full: { summary: 'Every record Odoo has (a backfill)', value: { full: true } },
      },
      responses: {
        202: { description: 'Started; follow it in the Temporal UI or with `npm run pull`', schema: startedSchema },
        400: {
          description: 'An invalid body (validation_failed), or an entity type that is not pulled: stock (not_pulled)',
        },
        404: { description: 'Not an entity type (not_found)' },
        503: {
          description:
            'Odoo is not configured, nothing is pulled (odoo_not_configured); Temporal cannot be reached (temporal_unavailable); or the database cannot be reached (database_unavailable)',
          headers: RETRY_AFTER,
        },
      },
      handler: async (ctx) => {
        const value = (ctx.params as Record<string, string>).entity_type!;
        const entityType = pulledEntityType(value);
        const raw: unknown = ctx.request.body ?? {};
        const parsed = pullRunBodySchema.safeParse(raw);
        if (!parsed.success) throw validationError(parsed.error.issues);
        if (!deps.config.odoo) {
          throw new ApiError(
            503,
            'odoo_not_configured',
            'ODOO_URL, ODOO_DB, ODOO_LOGIN and ODOO_API_KEY are not all set: nothing is pulled from Odoo (see /ready)',
          );
        }
        const { since, full } = parsed.data;
        let started;
        try {
          started = await startPullRun(deps.temporal.client, deps.config.temporal.pullTaskQueue, {
            entityType,
            since,
            full,
            trigger: 'manual',
          });
        } catch (err) {
          if (!temporalUnreachable(err)) throw err;
          deps.log.warn({ err, entityType }, 'Temporal unreachable: pull not started');
          throw new ApiError(
            503,
            'temporal_unavailable',
            `Temporal cannot be reached; retry in ${TEMPORAL_RETRY_AFTER_SECONDS} seconds`,
            [],
            { 'Retry-After': String(TEMPORAL_RETRY_AFTER_SECONDS) },
          );
        }
        deps.log.info(
          { workflowId: started.workflowId, entityType, since, full, schedule: pullScheduleId(entityType) },
          'pull started by hand',
        );
        ctx.status = 202;
        ctx.body = {
          workflow_id: started.workflowId,
          run_id: started.runId,
          entity_type: entityType,
          trigger: 'manual',
          since: since ?? null,
          full: full ?? false,
        } satisfies z.infer<typeof startedSchema>;
      },
    },
  ];
}
