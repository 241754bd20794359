import type { EntityManager } from '@mikro-orm/knex';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { adminOverview } from '../sync/admin/overview';
import { retrySignal } from '../workflows/contract';
import type { ApiDeps } from './http/context';
import { ApiError } from './http/errors';
import type { RouteDef } from './http/route-table';

const retryResultSchema = z.object({ workflow_id: z.string(), signal: z.literal('retry') });

/** Operators: the overview of what needs attention, and the manual retry of any record's workflow. */
export function adminRoutes(deps: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/admin/overview',
      scope: 'admin',
      operationId: 'get_admin_overview',
      summary:
        'Counts by entity and processing state, stubs (and stale stubs), records awaiting dependencies, sync-backs failed or retrying, feed backlogs',
      tag: 'admin',
      responses: { 200: { description: 'The overview' } },
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
  ];
}
