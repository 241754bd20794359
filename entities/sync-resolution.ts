import { EntitySchema } from '@mikro-orm/core';
import { JsonColumnType } from './json-column';
import { bigintId, datetime } from './sync-fields';

/**
 * How a difference between the webshop and Odoo was settled: by a stated rule of the merge, or by an operator.
 * One row per field, written with the change it decided; counted in `sync_resolutions_total{rule}`.
 */
export const RESOLUTION_RULES = [
  'webshop_only',
  'odoo_only',
  'same_change',
  'amount_tolerance',
  'odoo_line_kept',
  'cancel_wins',
  'operator_webshop',
  'operator_odoo',
] as const;
export type ResolutionRule = (typeof RESOLUTION_RULES)[number];

export interface SyncResolution {
  id: number;
  entityType: string;
  externalId: string;
  workflowId: string;
  rule: ResolutionRule;
  field: string;
  webshopValue: unknown;
  odooValue: unknown;
  /** `rule` for the merge's own rules; for an operator, who (an API token's name, or the Temporal client). */
  decidedBy: string;
  createdAt: Date;
}

export const SyncResolutionSchema = new EntitySchema<SyncResolution>({
  name: 'SyncResolution',
  tableName: 'sync_resolutions',
  properties: {
    id: bigintId(),
    entityType: { type: 'string', length: 32 },
    externalId: { type: 'string', length: 191 },
    workflowId: { type: 'string', length: 255 },
    rule: { type: 'string', length: 32 },
    field: { type: 'string', length: 255 },
    webshopValue: { type: JsonColumnType, nullable: true },
    odooValue: { type: JsonColumnType, nullable: true },
    decidedBy: { type: 'string', length: 191 },
    createdAt: { ...datetime },
  },
  indexes: [
    { name: 'sync_resolutions_external_id_idx', properties: ['entityType', 'externalId', 'id'] },
    { name: 'sync_resolutions_created_at_idx', properties: ['createdAt'] },
  ],
});
