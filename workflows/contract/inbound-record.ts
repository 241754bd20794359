import { defineQuery } from '@temporalio/workflow';
import type { EntityType, ProcessingState } from '../../entities/processing-state';

export const INBOUND_RECORD_WORKFLOW = 'inboundRecordWorkflow';

export interface RecordRef {
  entityType: EntityType;
  externalId: string;
}

/** How long to wait for dependencies; set from configuration by whoever starts the workflow. */
export interface InboundTiming {
  gracePeriodMs: number;
  /** Legacy lookups that find nothing before the record is marked failed. */
  legacyLookupAttempts: number;
  /** Cap of the growing interval between legacy lookups. */
  maxLookupIntervalMs: number;
  staleAfterMs: number;
}

/** Work that arrived but was not yet done when the run continued as new. */
export interface InboundCarriedWork {
  pushed: boolean;
  retryRequested: boolean;
  readyDependencies: string[];
}

export interface InboundRecordInput extends RecordRef {
  timing: InboundTiming;
  /** Carried over continue-as-new. */
  legacyMisses?: number;
  /** Carried over continue-as-new (histories recorded before it was carried have none). */
  carried?: InboundCarriedWork;
  /** Carried over continue-as-new: the stub was already flagged stale. */
  stale?: boolean;
}

export interface InboundRecordStatus {
  state: ProcessingState | 'starting';
  awaitingOn: string[];
  legacyMisses: number;
  stale: boolean;
  lastError: string | null;
}

export const inboundStateQuery = defineQuery<InboundRecordStatus>('state');

export type InboundRecordWorkflow = (input: InboundRecordInput) => Promise<InboundRecordStatus>;
