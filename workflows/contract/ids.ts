import type { EntityType } from '../../entities/processing-state';

/** The one place workflow IDs are made. Operators find records in the Temporal UI by these. */
export function inboundWorkflowId(entityType: EntityType, externalId: string): string {
  return `${entityType}:${externalId}`;
}

export function syncBackWorkflowId(externalId: string): string {
  return `sync:sale_order:${externalId}`;
}

/** A stock row has no external id of its own; its key is the supplier and product pair. */
export function stockExternalId(supplierExternalId: string, productExternalId: string): string {
  return `${supplierExternalId}/${productExternalId}`;
}

export function parseInboundWorkflowId(workflowId: string): { entityType: string; externalId: string } | null {
  const at = workflowId.indexOf(':');
  if (at <= 0 || workflowId.startsWith('sync:')) return null;
  return { entityType: workflowId.slice(0, at), externalId: workflowId.slice(at + 1) };
}
