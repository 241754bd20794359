import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { z } from 'zod';
import {
  manualPullWorkflowId,
  ODOO_PULL_WORKFLOW,
  SEARCH_ATTRIBUTES,
  type OdooPullInput,
  type OdooPullWorkflow,
  type PullEntityType,
} from '../../workflows/contract';

/** How each entity type is named for people: in summaries, the CLI and its messages. */
export const PULL_ENTITY_LABELS: Record<PullEntityType, string> = {
  product: 'products',
  partner: 'partners',
  sale_order: 'sale orders',
  purchase_order: 'purchase orders',
};

/** Why stock has no pull, for the API's 400 and the CLI's refusal. */
export const STOCK_NOT_PULLED =
  'stock is not pulled from Odoo: Odoo has no model with the shape of a stock record (one row per supplier and ' +
  'product, with its quantity and prices); Odoo pushes stock to POST /api/v1/stocks';

/**
 * `since` of a pull: an ISO 8601 date (`2026-01-01`) or a date-time with its offset (`2026-01-01T08:00:00Z`,
 * `...+02:00`). A date-time without an offset is refused: Odoo keeps UTC, and a local time would be a guess.
 */
export const pullSinceSchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: 'must be an ISO 8601 date (2026-01-01) or date-time with offset (2026-01-01T08:00:00Z)',
  })
  .meta({
    description:
      'Read the records Odoo wrote since then instead of since the stored watermark: an ISO 8601 date, or a date-time with its offset',
    examples: ['2026-01-01'],
  });

export interface PullRunRequest {
  entityType: PullEntityType;
  since?: string;
  full?: boolean;
  trigger: 'manual';
}

export interface StartedPullRun {
  workflowId: string;
  runId: string;
}

const CALL_DEADLINE_MS = 10_000;
/** Two runs asked for in the same millisecond would share an id: the second one moves on by a millisecond. */
const ID_ATTEMPTS = 5;

/** The summary the Temporal UI shows for a run, e.g. "Pull products from Odoo (manual, since 2026-01-01)". */
export function pullRunSummary(
  request: Pick<PullRunRequest, 'entityType' | 'since' | 'full'> & { how: string },
): string {
  const scope = request.full ? 'full' : request.since ? `since ${request.since}` : 'from the watermark';
  return `Pull ${PULL_ENTITY_LABELS[request.entityType]} from Odoo (${request.how}, ${scope})`;
}

/** The workflow input of a run, exactly what the Schedule passes but for the trigger and the options. */
export function pullRunInput(request: PullRunRequest): OdooPullInput {
  return {
    entityType: request.entityType,
    trigger: request.trigger,
    ...(request.since !== undefined ? { since: request.since } : {}),
    ...(request.full ? { full: true } : {}),
  };
}

/**
 * Starts a pull run by hand (API or CLI): the workflow `ODOO_PULL_WORKFLOW` that the Schedule `pull:<entity_type>`
 * starts, under the id `pull:<entity_type>:manual-<time>`. Throws what the client throws when Temporal cannot be
 * reached within the deadline.
 */
export async function startPullRun(
  client: Client,
  taskQueue: string,
  request: PullRunRequest,
): Promise<StartedPullRun> {
  const input = pullRunInput(request);
  const summary = pullRunSummary({ ...request, how: 'manual' });
  let at = Date.now();
  for (let attempt = 1; ; attempt++) {
    const workflowId = manualPullWorkflowId(request.entityType, new Date(at));
    try {
      const handle = await client.withDeadline(Date.now() + CALL_DEADLINE_MS, () =>
        client.workflow.start<OdooPullWorkflow>(ODOO_PULL_WORKFLOW, {
          workflowId,
          taskQueue,
          args: [input],
          staticSummary: summary,
          staticDetails: [
            `Started by hand (API or \`npm run pull\`) at ${new Date(at).toISOString()}.`,
            `Input: \`${JSON.stringify(input)}\`.`,
            "Progress: the query `progress`, and this run's current details.",
          ].join('\n\n'),
          typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.EntityType, value: request.entityType }],
        }),
      );
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= ID_ATTEMPTS) throw err;
      at += 1;
    }
  }
}
