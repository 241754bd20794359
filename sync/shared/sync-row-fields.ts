import { mergeChangedFields } from './change-detection';
import type { ProcessingState } from '../../entities/processing-state';
import type { SyncFields } from '../../entities/sync-fields';

export interface NewSyncRow {
  externalId: string;
  odooId: number | null;
  data: Record<string, unknown>;
  /** Every field of a new record counts as changed. */
  changedFields: string[];
  processingState: ProcessingState;
  sourceWriteDate?: Date | null;
  /** Whether the webshop's feed should offer it (webshop orders only appear once synced). */
  feedPending?: boolean;
  stubCreatedAt?: Date | null;
}

/** The shared sync columns of a record stored for the first time. */
export function newSyncFields(row: NewSyncRow, now: Date): Omit<SyncFields, 'id'> {
  return {
    externalId: row.externalId,
    odooId: row.odooId,
    data: row.data,
    previousData: null,
    changedFields: row.changedFields,
    unackedChangedFields: row.changedFields,
    processingState: row.processingState,
    errorMessage: null,
    retryCount: 0,
    isNew: true,
    sourceWriteDate: row.sourceWriteDate ?? null,
    changedAt: now,
    feedPending: row.feedPending ?? true,
    acknowledgedAt: null,
    servedAt: null,
    stubCreatedAt: row.stubCreatedAt ?? null,
    handedOffAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

export interface ChangedVersion {
  data: Record<string, unknown>;
  /** The field paths this version changed (never empty: an unchanged version is not applied). */
  changedFields: string[];
  /** Null keeps the stored Odoo id. */
  odooId: number | null;
  /** Null keeps the stored write date. */
  sourceWriteDate: Date | null;
}

/**
 * The shared sync columns of a stored record that a push changed: back to `pending` for its workflow, the
 * previous version kept, and the changed fields added to those the webshop has not acknowledged yet.
 */
export function changedSyncFields(row: SyncFields, version: ChangedVersion, now: Date): Partial<SyncFields> {
  return {
    odooId: version.odooId ?? row.odooId,
    previousData: row.data,
    data: version.data,
    changedFields: version.changedFields,
    unackedChangedFields: row.feedPending
      ? mergeChangedFields(row.unackedChangedFields, version.changedFields)
      : version.changedFields,
    processingState: 'pending',
    errorMessage: null,
    sourceWriteDate: version.sourceWriteDate ?? row.sourceWriteDate,
    feedPending: true,
    updatedAt: now,
  };
}
