import type { EntityManager } from '@mikro-orm/knex';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { ENTITY_TYPES, PROCESSING_STATES } from '../entities/processing-state';
import { SaleOrderSchema, SYNC_STATES } from '../entities/sale-order';
import { adminOverview, type AdminOverview } from '../sync/admin/overview';
import { WEBSHOP_FEEDS } from '../sync/feeds/webshop-feeds';
import { abandonSignal, resolveConflictUpdate, retrySignal } from '../workflows/contract';
import { validationError } from './http/errors';
import { timestampSchema } from './change-feed-routes';
import type { ApiDeps } from './http/context';
import { ApiError } from './http/errors';
import type { RouteDef } from './http/route-table';
import { integrationStatusSchema } from './sync-runs';

const count = z.number().int().min(0);

/** An object with one count per state, and their total. */
const stateCounts = <S extends string>(states: readonly S[]) =>
  z.object({ ...(Object.fromEntries(states.map((state) => [state, count])) as Record<S, typeof count>), total: count });

/** An object with one entry per key, each of the same schema. */
const byKey = <K extends string, T extends z.ZodType>(keys: readonly K[], value: T) =>
  z.object(Object.fromEntries(keys.map((key) => [key, value])) as Record<K, T>);

const overviewSchema = z.object({
  generated_at: timestampSchema,
  entities: byKey(ENTITY_TYPES, stateCounts(PROCESSING_STATES)).describe(
    'Inbound records (those Odoo sent) by entity type and processing state',
  ),
  stubs: z.object({
    total: count,
    stale: count.describe('Stubs older than stale_after_ms, never upgraded by Odoo'),
    stale_after_ms: count,
    by_entity: byKey(ENTITY_TYPES, z.object({ total: count, stale: count })),
  }),
  awaiting_dependencies: z.object({
    total: count,
    by_entity: byKey([...ENTITY_TYPES, 'sync_back'], count),
  }),
  sync_back: z
    .object({
      by_state: stateCounts(SYNC_STATES),
      failed: count,
      retrying: count.describe('Still being retried after a failed attempt (Odoo down, timeouts)'),
      awaiting_dependencies: count,
    })
    .describe('Webshop orders on their way into Odoo'),
  feeds: byKey(
    WEBSHOP_FEEDS.map((f) => f.feed),
    z.object({
      oldest_unacknowledged_at: timestampSchema.nullable(),
      backlog_seconds: z.number().min(0),
    }),
  ).describe('Per webshop feed (by its path under /api/v1/): the oldest change not acknowledged yet'),
  integration: byKey(ENTITY_TYPES, integrationStatusSchema).describe(
    'Per entity type: the last sync run (see /api/v1/admin/sync-runs), the last success, the status of the last pull, its watermark and lag',
  ),
}) satisfies z.ZodType<AdminOverview>;

const retryResultSchema = z.object({ workflow_id: z.string(), signal: z.literal('retry') });
const abandonResultSchema = z.object({ workflow_id: z.string(), signal: z.literal('abandon') });

const resolveBodySchema = z
  .object({
    keep: z.enum(['webshop', 'odoo']).describe("Whose value stands: the webshop's (written to Odoo) or Odoo's"),
    fields: z
      .array(z.string().min(1).max(255))
      .min(1)
      .max(100)
      .optional()
      .describe("Fields as the order's `conflicts` name them (`lines[SKU-1].quantity`, `state`); none: every field"),
  })
  .strict();

const resolveResultSchema = z.object({
  workflow_id: z.string(),
  effect: z
    .enum(['merge', 'cancel_again', 'cancel_dropped'])
    .describe(
      'merge: the next merge follows the decision; cancel_again: the refused cancel is sent again; cancel_dropped: the cancel is dropped, the order stays as Odoo has it',
    ),
  fields: z.array(z.string()).describe('The fields decided'),
});

const SYNC_BACK_PREFIX = 'sync:sale_order:';

/** Operators: the overview of what needs attention, and the manual retry of any record's workflow. */
export function adminRoutes(deps: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/admin/overview',
      scope: 'admin',
      operationId: 'get_admin_overview',
      summary:
        "Counts by entity and processing state, stubs (and stale stubs), records awaiting dependencies, sync-backs failed or retrying, feed backlogs, and each entity type's integration status (last run, last success, pull status, watermark lag)",
      tag: 'admin',
      responses: { 200: { description: 'The overview', schema: overviewSchema } },
      handler: async (ctx) => {
        ctx.body = await adminOverview(deps.orm.em.fork() as EntityManager, deps.config.stubStaleAfterMs);
      },
    },
    {
      method: 'post',
      path: '/api/v1/admin/workflows/:workflow_id/retry',
      scope: 'admin',
      operationId: 'retry_workflow',
      summary:
        'Sends the "retry" signal to a running workflow (inbound record or sync-back), as the Temporal UI or `temporal workflow signal` would',
      tag: 'admin',
      params: z.object({
        workflow_id: z
          .string()
          .min(1)
          .meta({
            description: 'e.g. `product:<external_id>`, or `sync:sale_order:<external_id>` for a sync-back',
            examples: ['sync:sale_order:WEB-1001'],
          }),
      }),
      responses: {
        202: { description: 'Signalled; the workflow runs again', schema: retryResultSchema },
        404: { description: 'No running workflow with this id' },
      },
      handler: async (ctx) => {
        const workflowId = (ctx.params as Record<string, string>).workflow_id!;
        try {
          await deps.temporal.client.workflow.getHandle(workflowId).signal(retrySignal);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) {
            throw new ApiError(404, 'not_found', `No running workflow ${workflowId}`);
          }
          throw err;
        }
        ctx.status = 202;
        ctx.body = { workflow_id: workflowId, signal: 'retry' } satisfies z.infer<typeof retryResultSchema>;
      },
    },
    {
      method: 'post',
      path: '/api/v1/admin/workflows/:workflow_id/resolve',
      scope: 'admin',
      operationId: 'resolve_conflict',
      summary:
        "Decides a webshop order in conflict (the workflow's Update resolveConflict, also sent from the Temporal UI or CLI): keep the webshop's or Odoo's side, for the fields named or for all; recorded with the token's name",
      tag: 'admin',
      params: z.object({
        workflow_id: z
          .string()
          .min(1)
          .meta({
            description: 'A sync-back: `sync:sale_order:<external_id>`',
            examples: ['sync:sale_order:WEB-1001'],
          }),
      }),
      requestBody: resolveBodySchema,
      requestExamples: {
        all: { summary: "Odoo's side for every field in conflict", value: { keep: 'odoo' } },
        field: {
          summary: "The webshop's quantity of one line",
          value: { keep: 'webshop', fields: ['lines[SKU-1].quantity'] },
        },
      },
      responses: {
        200: { description: 'Decided; the workflow goes on with it', schema: resolveResultSchema },
        400: { description: 'An invalid body (validation_failed)' },
        404: { description: 'No webshop order, or no running workflow, with this id' },
        409: { description: 'Nothing to resolve (no_conflict): the order is not in conflict, or a field named is not' },
      },
      handler: async (ctx) => {
        const workflowId = (ctx.params as Record<string, string>).workflow_id!;
        const parsed = resolveBodySchema.safeParse(ctx.request.body ?? {});
        if (!parsed.success) throw validationError(parsed.error.issues);
        const externalId = workflowId.startsWith(SYNC_BACK_PREFIX) ? workflowId.slice(SYNC_BACK_PREFIX.length) : '';
        const order = externalId
          ? await deps.orm.em
              .fork()
              .findOne(SaleOrderSchema, { direction: 'outbound', externalId }, { fields: ['syncState'] })
          : null;
        if (!order) throw new ApiError(404, 'not_found', `No webshop order sync-back ${workflowId}`);
        const by = `api:${(ctx.state as { token?: { name?: string } }).token?.name ?? 'unknown'}`;
        let result;
        try {
          result = await deps.temporal.client.workflow
            .getHandle(workflowId)
            .executeUpdate(resolveConflictUpdate, { args: [{ ...parsed.data, by }] });
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) {
            throw new ApiError(409, 'no_conflict', `No running workflow ${workflowId}: there is nothing to resolve`);
          }
          // The validator refused it: no conflict, or a field that is not in conflict.
          if (err instanceof WorkflowUpdateFailedError) {
            throw new ApiError(409, 'no_conflict', err.cause?.message ?? 'Nothing to resolve');
          }
          throw err;
        }
        ctx.status = 200;
        ctx.body = { workflow_id: workflowId, effect: result.effect, fields: result.fields } satisfies z.infer<
          typeof resolveResultSchema
        >;
      },
    },
    {
      method: 'post',
      path: '/api/v1/admin/workflows/:workflow_id/abandon',
      scope: 'admin',
      operationId: 'abandon_workflow',
      summary:
        'Gives up on a failed webshop order instead of retrying it (the "abandon" signal): its quotation is cancelled in Odoo if it was created there (action_cancel, once), then the order is cancelled',
      tag: 'admin',
      params: z.object({
        workflow_id: z
          .string()
          .min(1)
          .meta({
            description: 'A sync-back: `sync:sale_order:<external_id>`',
            examples: ['sync:sale_order:WEB-1001'],
          }),
      }),
      responses: {
        202: { description: 'Signalled; the order is cancelled (in Odoo too)', schema: abandonResultSchema },
        404: { description: 'No webshop order, or no running workflow, with this id' },
        409: { description: 'The order is not failed (not_failed): there is nothing to abandon' },
      },
      handler: async (ctx) => {
        const workflowId = (ctx.params as Record<string, string>).workflow_id!;
        const externalId = workflowId.startsWith(SYNC_BACK_PREFIX) ? workflowId.slice(SYNC_BACK_PREFIX.length) : '';
        const order = externalId
          ? await deps.orm.em
              .fork()
              .findOne(SaleOrderSchema, { direction: 'outbound', externalId }, { fields: ['syncState'] })
          : null;
        if (!order) throw new ApiError(404, 'not_found', `No webshop order sync-back ${workflowId}`);
        if (order.syncState !== 'failed') {
          throw new ApiError(
            409,
            'not_failed',
            `The order is ${order.syncState ?? 'pending'}, not failed: only a failed order can be abandoned`,
          );
        }
        try {
          await deps.temporal.client.workflow.getHandle(workflowId).signal(abandonSignal);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) {
            throw new ApiError(404, 'not_found', `No running workflow ${workflowId}`);
          }
          throw err;
        }
        ctx.status = 202;
        ctx.body = { workflow_id: workflowId, signal: 'abandon' } satisfies z.infer<typeof abandonResultSchema>;
      },
    },
  ];
}
