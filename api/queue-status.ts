import type { FilterQuery } from '@mikro-orm/core';
import { odooView } from '../sync/sync-back/order-versions';
import { z } from 'zod';
import { DependencyWaitSchema } from '../entities/dependency-wait';
import { ENTITY_TYPES, type EntityType, type ProcessingState } from '../entities/processing-state';
import { ODOO_ORDER_STATES, SaleOrderSchema, SYNC_STATES, type SaleOrder } from '../entities/sale-order';
import type { SyncFields } from '../entities/sync-fields';
import { inboundSpecFor } from '../sync/inbound/specs';
import { inboundWorkflowId, syncBackWorkflowId } from '../workflows/contract';
import { odooIdSchema, processingStateSchema, timestampSchema } from './change-feed-routes';
import type { ApiDeps } from './http/context';
import { ApiError } from './http/errors';
import type { RouteDef } from './http/route-table';

const QUEUE_STATES = ['pending', 'awaiting_dependency', 'syncing', 'synced', 'failed'] as const;

const statusSchema = z.object({
  entity_type: z.literal('sale_order'),
  external_id: z.string(),
  state: z
    .enum(SYNC_STATES)
    .describe(
      'synced: in Odoo as a quotation; confirming/confirmed: action_confirm sent/done; cancelling/cancelled: the order is (being) cancelled, in Odoo too once it is there; conflict: Odoo does not allow what the webshop asked (see conflicts), an operator decides',
    ),
  attempts: z.number().int().describe('Create attempts sent towards Odoo so far'),
  last_error: z.string().nullable().describe('In conflict: why; cancelled: by whom'),
  odoo_id: odooIdSchema,
  odoo_state: z
    .enum(ODOO_ORDER_STATES)
    .nullable()
    .describe("The Odoo order's state as the sync-back last saw or left it; null before the create"),
  conflicts: z
    .array(z.object({ field: z.string(), webshop: z.unknown(), odoo: z.unknown() }))
    .describe('In conflict: what the webshop asked and what Odoo has, per field'),
  odoo: z
    .object({
      state: z.enum(ODOO_ORDER_STATES),
      invoice_status: z.string().nullable(),
      delivery_status: z.enum(['nothing', 'partial', 'full']),
      amount_total: z.number().nullable(),
      partner_external_id: z.string(),
      date_order: timestampSchema.nullable(),
      lines: z.array(
        z.object({
          product_external_id: z.string(),
          quantity: z.number(),
          price_unit: z.number().nullable(),
          discount: z.number().nullable(),
          qty_delivered: z.number(),
        }),
      ),
    })
    .nullable()
    .describe(
      "The Odoo order as the sync-back last read it (after each action, and when Odoo's version is pushed or pulled): state, delivery, invoice, lines; null before",
    ),
  workflow_id: z.string(),
  cancelled: z
    .boolean()
    .describe('The order is cancelled (state cancelled): by the webshop, an abandon, or an operator'),
  updated_at: timestampSchema,
});

const inboundStatusSchema = z.object({
  entity_type: z.enum(ENTITY_TYPES),
  external_id: z.string(),
  direction: z.literal('inbound').describe('A record Odoo sent to the service'),
  state: z.enum(QUEUE_STATES).describe('processed and stub records are synced; processing is syncing'),
  processing_state: processingStateSchema.describe("The record's own processing state"),
  awaiting_on: z.array(z.string()).describe('Workflow ids of the dependencies it waits for'),
  is_stub: z.boolean().describe('A minimal record from the legacy database, until Odoo sends the full one'),
  attempts: z.number().int().describe('Times the record was given up on and retried'),
  last_error: z.string().nullable(),
  odoo_id: odooIdSchema,
  workflow_id: z.string(),
  updated_at: timestampSchema,
});

const QUEUE_STATE_OF: Record<ProcessingState, (typeof QUEUE_STATES)[number]> = {
  pending: 'pending',
  processing: 'syncing',
  awaiting_dependency: 'awaiting_dependency',
  processed: 'synced',
  stub: 'synced',
  failed: 'failed',
};

function inboundStatus(
  entityType: EntityType,
  row: SyncFields,
  awaitingOn: string[],
): z.infer<typeof inboundStatusSchema> {
  return {
    entity_type: entityType,
    external_id: row.externalId,
    direction: 'inbound',
    state: QUEUE_STATE_OF[row.processingState],
    processing_state: row.processingState,
    awaiting_on: awaitingOn,
    is_stub: row.processingState === 'stub',
    attempts: row.retryCount,
    last_error: row.errorMessage,
    odoo_id: row.odooId,
    workflow_id: inboundWorkflowId(entityType, row.externalId),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function queueStatus(order: SaleOrder): z.infer<typeof statusSchema> {
  const cancelled = order.syncState === 'cancelled';
  return {
    entity_type: 'sale_order',
    external_id: order.externalId,
    state: order.syncState ?? 'pending',
    attempts: order.syncAttempts,
    last_error: order.lastSyncError,
    odoo_id: order.odooId,
    odoo_state: order.odooState,
    conflicts: order.syncState === 'conflict' ? (order.syncConflicts ?? []) : [],
    odoo: order.odooData ? odooView(order.odooData) : null,
    workflow_id: syncBackWorkflowId(order.externalId),
    cancelled,
    updated_at: order.updatedAt.toISOString(),
  };
}

/** Where a record stands: a webshop order on its way into Odoo, or a record Odoo sent on its way in. */
export function queueStatusRoutes(deps: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/queue/status/:entity_type/:external_id',
      scope: 'webshop',
      operationId: 'get_queue_status',
      summary:
        "State of a record: a webshop order on its way into Odoo (sale_order, the default direction outbound), or a record Odoo sent (any entity type; ?direction=inbound for an Odoo sale order of the same number). A stock record's external_id is supplier/product",
      tag: 'webshop-orders',
      params: z.object({
        entity_type: z.enum(ENTITY_TYPES).meta({ description: 'Any other type answers 404', examples: ['sale_order'] }),
        external_id: z
          .string()
          .min(1)
          .meta({
            description: "The record's external id (exact); a stock's is supplier/product, its `/` encoded as %2F",
            examples: ['WEB-1001'],
          }),
      }),
      query: z.object({
        direction: z.enum(['inbound', 'outbound']).optional().describe('Only for sale_order; default outbound'),
      }),
      responses: {
        200: {
          description: 'The sync-back state of a webshop order, or the processing state of an inbound record',
          schema: z.union([statusSchema, inboundStatusSchema]),
        },
        400: { description: 'A direction other than inbound or outbound, or outbound for a type Odoo sends' },
        404: { description: 'Unknown entity type or record' },
      },
      handler: async (ctx) => {
        const { entity_type: type, external_id: externalId } = ctx.params as {
          entity_type: string;
          external_id: string;
        };
        const entityType = ENTITY_TYPES.find((t) => t === type);
        if (!entityType) throw new ApiError(404, 'not_found', `Unknown entity type "${type}"`);
        const direction = ctx.query.direction ?? (entityType === 'sale_order' ? 'outbound' : 'inbound');
        if (direction !== 'inbound' && (direction !== 'outbound' || entityType !== 'sale_order')) {
          throw new ApiError(400, 'validation_failed', 'The request is not valid', [
            { path: 'direction', message: `expected inbound${entityType === 'sale_order' ? ' or outbound' : ''}` },
          ]);
        }
        const em = deps.orm.em.fork();
        if (direction === 'outbound') {
          const order = await em.findOne(SaleOrderSchema, { direction: 'outbound', externalId });
          if (!order) throw new ApiError(404, 'not_found', `No webshop order ${externalId}`);
          ctx.body = queueStatus(order);
          return;
        }
        const spec = inboundSpecFor(entityType);
        const row = await em.findOne(spec.entity, { ...spec.rowScope, externalId } as FilterQuery<SyncFields>);
        if (!row) throw new ApiError(404, 'not_found', `No ${entityType} ${externalId} from Odoo`);
        const waits = await em.find(
          DependencyWaitSchema,
          { waiterWorkflowId: inboundWorkflowId(entityType, externalId) },
          { fields: ['dependencyKey'], orderBy: { dependencyKey: 'asc' } },
        );
        const awaitingOn = row.processingState === 'processed' ? [] : waits.map((w) => w.dependencyKey);
        ctx.body = inboundStatus(entityType, row, awaitingOn);
      },
    },
  ];
}
