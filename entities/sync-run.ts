import { EntitySchema } from '@mikro-orm/core';
import { JsonColumnType } from './json-column';
import { bigintId, datetime } from './sync-fields';

export const SYNC_RUN_KINDS = ['pull', 'push', 'webshop'] as const;
export type SyncRunKind = (typeof SYNC_RUN_KINDS)[number];

export const SYNC_RUN_TRIGGERS = ['schedule', 'manual', 'odoo', 'webshop'] as const;
export type SyncRunTrigger = (typeof SYNC_RUN_TRIGGERS)[number];

export const SYNC_RUN_STATUSES = ['running', 'success', 'partial', 'failed'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

/** One record a run could not import. */
export interface SyncRunFailure {
  odoo_id: number | null;
  external_id: string | null;
  message: string;
}

/**
 * The audit log: one row per pull run from Odoo (written page by page while it runs) and one per push request
 * (Odoo's record pushes, the webshop's orders), written once the request is done.
 */
export interface SyncRun {
  id: number;
  kind: SyncRunKind;
  entityType: string;
  /** Column `run_trigger`: `trigger` is a reserved word in MySQL. */
  trigger: SyncRunTrigger;
  status: SyncRunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  /** Pull pages recorded so far (0 for a push request). */
  pages: number;
  readCount: number;
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
  failedCount: number;
  /** Odoo's `(write_date, id)` position a pull started after; write_date as Odoo writes it, `YYYY-MM-DD HH:MM:SS`. */
  watermarkFromDate: string | null;
  watermarkFromId: number | null;
  /** The position of the last page read. */
  watermarkToDate: string | null;
  watermarkToId: number | null;
  error: string | null;
  /** Up to MAX_RUN_FAILURES records the run could not import. */
  failures: SyncRunFailure[] | null;
  workflowId: string | null;
}

/** Newest first within each filter of the list, and the retention purge by age. */
export const SYNC_RUN_INDEXES = {
  entityType: 'sync_runs_entity_type_idx',
  kind: 'sync_runs_kind_idx',
  status: 'sync_runs_status_idx',
  entityKind: 'sync_runs_entity_kind_idx',
  entityStatus: 'sync_runs_entity_status_idx',
  startedAt: 'sync_runs_started_at_idx',
} as const;

export const SyncRunSchema = new EntitySchema<SyncRun>({
  name: 'SyncRun',
  tableName: 'sync_runs',
  properties: {
    id: bigintId(),
    kind: { type: 'string', length: 16 },
    entityType: { type: 'string', length: 32 },
    trigger: { type: 'string', length: 16, fieldName: 'run_trigger' },
    status: { type: 'string', length: 16 },
    startedAt: { ...datetime },
    finishedAt: { ...datetime, nullable: true },
    pages: { type: 'integer', default: 0 },
    readCount: { type: 'integer', default: 0 },
    createdCount: { type: 'integer', default: 0 },
    updatedCount: { type: 'integer', default: 0 },
    unchangedCount: { type: 'integer', default: 0 },
    failedCount: { type: 'integer', default: 0 },
    watermarkFromDate: { type: 'string', length: 19, nullable: true },
    watermarkFromId: { type: 'integer', nullable: true },
    watermarkToDate: { type: 'string', length: 19, nullable: true },
    watermarkToId: { type: 'integer', nullable: true },
    error: { type: 'text', nullable: true },
    failures: { type: JsonColumnType, nullable: true },
    // An exact key, compared byte for byte on every store: see exact-keys.ts.
    workflowId: { type: 'string', length: 255, nullable: true },
  },
  indexes: [
    { name: SYNC_RUN_INDEXES.entityType, properties: ['entityType', 'id'] },
    { name: SYNC_RUN_INDEXES.kind, properties: ['kind', 'id'] },
    { name: SYNC_RUN_INDEXES.status, properties: ['status', 'id'] },
    // The overview: each entity type's last pull and last success.
    { name: SYNC_RUN_INDEXES.entityKind, properties: ['entityType', 'kind', 'id'] },
    { name: SYNC_RUN_INDEXES.entityStatus, properties: ['entityType', 'status', 'id'] },
    { name: SYNC_RUN_INDEXES.startedAt, properties: ['startedAt'] },
  ],
});
