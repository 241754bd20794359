import type { EntityType } from '../../entities/processing-state';
import { inboundWorkflowId, type PullEntityType, type PullProgress } from '../../workflows/contract';
import type { TestService } from './service-harness';

/** Starts a pull over the admin API and waits for the run's end. */
export async function pullNow(
  service: TestService,
  admin: string,
  entityType: PullEntityType,
  body: { since?: string; full?: boolean } = {},
): Promise<PullProgress & { workflowId: string }> {
  const res = await service.request('POST', `/api/v1/admin/pulls/${entityType}/run`, { token: admin, body });
  if (res.status !== 202) throw new Error(`pull of ${entityType}: ${res.status} ${JSON.stringify(res.body)}`);
  const workflowId = res.body.workflow_id as string;
  const progress = (await service.resources.temporal.client.workflow.getHandle(workflowId).result()) as PullProgress;
  return { ...progress, workflowId };
}

/** Every execution Temporal holds for a record's workflow id, each counted (no collapsing of duplicates). */
export async function executionsOf(service: TestService, entityType: EntityType, externalId: string): Promise<number> {
  let count = 0;
  const id = inboundWorkflowId(entityType, externalId).replace(/"/g, '\\"');
  for await (const _ of service.resources.temporal.client.workflow.list({ query: `WorkflowId = "${id}"` })) count++;
  return count;
}

/** The audit log's pull runs of one entity type, newest first. */
export async function pullRuns(service: TestService, admin: string, entityType: PullEntityType) {
  const res = await service.request('GET', `/api/v1/admin/sync-runs?kind=pull&entity_type=${entityType}&limit=200`, {
    token: admin,
  });
  if (res.status !== 200) throw new Error(`sync-runs: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items as Array<Record<string, unknown>>;
}
