import type { EntityManager } from '@mikro-orm/knex';
import { z } from 'zod';
import { webshopOrderSchema } from '../sync/sync-back/webshop-order-record';
import { recordRequestRunQuietly, requestFailure, runErrorText } from '../sync/runs/request-runs';
import { SaleOrderSchema, type SyncState } from '../entities/sale-order';
import { storeWebshopOrder, type WebshopOrderOutcome } from '../sync/sync-back/order-store';
import { syncBackWorkflowId } from '../workflows/contract';
import type { ApiDeps } from './http/context';
import { ApiError, databaseUnavailableReason, validationError } from './http/errors';
import type { RouteDef } from './http/route-table';

const acceptedSchema = z.object({
  external_id: z.string(),
  workflow_id: z.string(),
  status_url: z
    .string()
    .meta({ format: 'uri-reference', description: 'GET it for the state of the order on its way into Odoo' }),
  outcome: z
    .enum(['created', 'updated', 'unchanged', 'queued_for_odoo', 'conflict'])
    .describe(
      'created / updated: stored, not sent to Odoo yet; unchanged: the same order again; queued_for_odoo: the order is in Odoo (or on its way), the change will be written to the Odoo order; conflict: Odoo cannot take the change now (delivered, invoiced, cancelled, locked) or the order waits for an operator: it waits with it (an order cancelled here takes no change at all)',
    ),
});

const cancelAcceptedSchema = acceptedSchema.omit({ outcome: true }).extend({
  outcome: z
    .enum(['cancel_requested', 'already_cancelled'])
    .describe(
      'cancel_requested: passed on to the sync-back (also when asked again while it runs; Odoo gets one cancel); already_cancelled: nothing to do',
    ),
});

const TEMPORAL_RETRY_AFTER_SECONDS = 5;

/** States whose workflow run has ended: a repost has nothing to start or tell. */
const SETTLED: readonly (SyncState | null)[] = ['synced', 'confirmed', 'cancelled'];

/**
 * Runs the store of one posted order and records it as a `webshop` run: success (its outcome counted as created,
 * updated or unchanged; a change queued for Odoo or waiting in conflict counts as updated) or failed (an invalid order, or the store threw). No run is
 * recorded while the database is unavailable.
 */
async function recordedAsRun<T extends { outcome: WebshopOrderOutcome }>(
  deps: ApiDeps,
  startedAt: Date,
  body: unknown,
  store: () => Promise<T>,
): Promise<T> {
  const run = { kind: 'webshop', entityType: 'sale_order', trigger: 'webshop', startedAt } as const;
  const none = { read: 1, created: 0, updated: 0, unchanged: 0, failed: 0 };
  let stored: T;
  try {
    stored = await store();
  } catch (err) {
    if (databaseUnavailableReason(err) === undefined) {
      const error =
        err instanceof ApiError
          ? [err.message, ...err.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message))].join('; ')
          : `store failed: ${runErrorText(err)}`;
      const failures = [requestFailure(body, error)];
      await recordRequestRunQuietly(deps, {
        ...run,
        counts: { ...none, failed: 1 },
        status: 'failed',
        error,
        failures,
      });
    }
    throw err;
  }
  const outcome = stored.outcome === 'queued_for_odoo' || stored.outcome === 'conflict' ? 'updated' : stored.outcome;
  await recordRequestRunQuietly(deps, { ...run, counts: { ...none, [outcome]: 1 }, status: 'success' });
  return stored;
}

export function queueStatusPath(externalId: string): string {
  return `/api/v1/queue/status/sale_order/${encodeURIComponent(externalId)}`;
}

/** The webshop pushes its orders; each is stored, then created in Odoo by its sync-back workflow. */
export function webshopOrderRoutes(deps: ApiDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/api/v1/webshop/sale-orders',
      scope: 'webshop',
      operationId: 'post_webshop_sale_order',
      summary:
        'Push a webshop order (external_id is the order number). Posting it again returns the same workflow and never creates a second order in Odoo',
      tag: 'webshop-orders',
      requestBody: webshopOrderSchema,
      requestExamples: {
        order: {
          summary: 'A webshop order of one line',
          value: {
            external_id: 'WEB-1001',
            name: 'WEB-1001',
            partner_external_id: 'P-1001',
            date_order: '2026-11-01T10:00:00Z',
            currency: 'EUR',
            amount_total: 19.9,
            lines: [{ product_external_id: 'PROD-1', quantity: 2, price_unit: 9.95 }],
          },
        },
      },
      responses: {
        202: {
          description: 'Stored; its sync-back workflow creates it in Odoo',
          schema: acceptedSchema,
          headers: { Location: { description: 'The status_url', schema: { type: 'string', format: 'uri-reference' } } },
        },
        400: { description: 'An invalid order (validation_failed)' },
      },
      handler: async (ctx) => {
        const startedAt = new Date();
        const body: unknown = ctx.request.body;
        const stored = await recordedAsRun(deps, startedAt, body, async () => {
          if (typeof body !== 'object' || body === null || Array.isArray(body)) {
            throw new ApiError(400, 'validation_failed', 'The request is not valid', [
              { path: '', message: 'expected a sale order object' },
            ]);
          }
          const parsed = webshopOrderSchema.safeParse(body);
          if (!parsed.success) throw validationError(parsed.error.issues);
          const order = await storeWebshopOrder(
            deps.orm.em as EntityManager,
            parsed.data,
            body as Record<string, unknown>,
          );
          return { ...order, externalId: parsed.data.external_id };
        });
        const externalId = stored.externalId;
        // A change for the Odoo order starts the workflow again if its run has ended (signal-with-start). Otherwise a
        // synced, confirmed or cancelled order's workflow is done: there is nothing to start or tell.
        const forOdoo =
          stored.outcome === 'queued_for_odoo' || (stored.outcome === 'conflict' && stored.syncState !== 'cancelled');
        if (forOdoo || !SETTLED.includes(stored.syncState)) {
          const changed = forOdoo || stored.outcome === 'created' || stored.outcome === 'updated';
          await deps.syncBackStarter.start(externalId, { changed });
        }
        const statusUrl = queueStatusPath(externalId);
        ctx.status = 202;
        ctx.set('Location', statusUrl);
        ctx.body = {
          external_id: externalId,
          workflow_id: syncBackWorkflowId(externalId),
          status_url: statusUrl,
          outcome: stored.outcome,
        } satisfies z.infer<typeof acceptedSchema>;
      },
    },
    {
      method: 'post',
      path: '/api/v1/webshop/sale-orders/:external_id/cancel',
      scope: 'webshop',
      operationId: 'cancel_webshop_sale_order',
      summary:
        "Cancel a webshop order. Before its create nothing is sent to Odoo; after it, Odoo's order is cancelled once (action_cancel). A delivered, invoiced or locked order cannot simply be cancelled: it goes to state conflict and waits for an operator. Asking again answers 202 with the same workflow",
      tag: 'webshop-orders',
      params: z.object({
        external_id: z
          .string()
          .min(1)
          .meta({ description: 'The webshop order number', examples: ['WEB-1001'] }),
      }),
      responses: {
        202: {
          description: 'Passed on to the sync-back workflow (or already cancelled); GET status_url for the outcome',
          schema: cancelAcceptedSchema,
          headers: { Location: { description: 'The status_url', schema: { type: 'string', format: 'uri-reference' } } },
        },
        404: { description: 'No webshop order with this number' },
      },
      handler: async (ctx) => {
        const externalId = (ctx.params as Record<string, string>).external_id!;
        const order = await deps.orm.em
          .fork()
          .findOne(SaleOrderSchema, { direction: 'outbound', externalId }, { fields: ['syncState'] });
        if (!order) throw new ApiError(404, 'not_found', `No webshop order ${externalId}`);
        const already = order.syncState === 'cancelled';
        if (!already && !(await deps.syncBackStarter.cancel(externalId))) {
          throw new ApiError(
            503,
            'temporal_unavailable',
            `Temporal cannot be reached; retry in ${TEMPORAL_RETRY_AFTER_SECONDS} seconds`,
            [],
            { 'Retry-After': String(TEMPORAL_RETRY_AFTER_SECONDS) },
          );
        }
        const statusUrl = queueStatusPath(externalId);
        ctx.status = 202;
        ctx.set('Location', statusUrl);
        ctx.body = {
          external_id: externalId,
          workflow_id: syncBackWorkflowId(externalId),
          status_url: statusUrl,
          outcome: already ? 'already_cancelled' : 'cancel_requested',
        } satisfies z.infer<typeof cancelAcceptedSchema>;
      },
    },
  ];
}
