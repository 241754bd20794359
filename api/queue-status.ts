import { z } from 'zod';
import { ENTITY_TYPES } from '../entities/processing-state';
import { SaleOrderSchema, type SaleOrder } from '../entities/sale-order';
import { syncBackWorkflowId } from '../workflows/contract';
import type { ApiDeps } from './http/context';
import { ApiError } from './http/errors';
import type { RouteDef } from './http/route-table';

const QUEUE_STATES = ['pending', 'awaiting_dependency', 'syncing', 'synced', 'failed'] as const;

const statusSchema = z.object({
  entity_type: z.literal('sale_order'),
  external_id: z.string(),
  state: z.enum(QUEUE_STATES),
  attempts: z.number().int().describe('Create attempts sent towards Odoo so far'),
  last_error: z.string().nullable(),
  odoo_id: z.number().int().nullable(),
  workflow_id: z.string(),
  cancelled: z.boolean().describe('An operator cancelled the sync-back (state is then failed)'),
  updated_at: z.string(),
});

export function queueStatus(order: SaleOrder): z.infer<typeof statusSchema> {
  const cancelled = order.syncState === 'cancelled';
  return {
    entity_type: 'sale_order',
    external_id: order.externalId,
    state: order.syncState === 'cancelled' ? 'failed' : (order.syncState ?? 'pending'),
    attempts: order.syncAttempts,
    last_error: order.lastSyncError,
    odoo_id: order.odooId,
    workflow_id: syncBackWorkflowId(order.externalId),
    cancelled,
    updated_at: order.updatedAt.toISOString(),
  };
}

/** Where a webshop order stands on its way into Odoo. */
export function queueStatusRoutes(deps: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/queue/status/:entity_type/:external_id',
      scope: 'webshop',
      operationId: 'get_queue_status',
      summary: 'State of a webshop order on its way into Odoo (entity_type sale_order)',
      tag: 'webshop-orders',
      responses: {
        200: { description: 'The sync-back state', schema: statusSchema },
        404: { description: 'Unknown entity type or order' },
      },
      handler: async (ctx) => {
        const { entity_type: entityType, external_id: externalId } = ctx.params as Record<string, string>;
        if (!(ENTITY_TYPES as readonly string[]).includes(entityType!)) {
          throw new ApiError(404, 'not_found', `Unknown entity type "${entityType}"`);
        }
        if (entityType !== 'sale_order') {
          throw new ApiError(404, 'not_found', `Only webshop sale orders are synced back to Odoo, not ${entityType}`);
        }
        const order = await deps.orm.em
          .fork()
          .findOne(SaleOrderSchema, { direction: 'outbound', externalId: externalId! });
        if (!order) throw new ApiError(404, 'not_found', `No webshop order ${externalId}`);
        ctx.body = queueStatus(order);
      },
    },
  ];
}
