import type { ProcessingState } from '../entities/processing-state';
import type { SyncFields } from '../entities/sync-fields';

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
    createdAt: now,
    updatedAt: now,
  };
}
