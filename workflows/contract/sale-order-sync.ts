import { defineQuery } from '@temporalio/workflow';
import type { SyncState } from '../../entities/sale-order';

export const SALE_ORDER_SYNC_WORKFLOW = 'saleOrderSyncWorkflow';

/** Set from configuration by whoever starts the workflow. */
export interface SyncBackTiming {
  gracePeriodMs: number;
  /** Dependency checks without progress before the order is marked failed. */
  legacyLookupAttempts: number;
  maxLookupIntervalMs: number;
  /** Backoff of the Odoo create: first interval (doubling) and cap. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** How long the create is retried before the order is marked failed. */
  deadlineMs: number;
  attemptTimeoutMs: number;
  /**
   * An Odoo attempt heartbeats; without a heartbeat for this long (its worker died) it is retried at once
   * instead of after the attempt timeout. Absent in workflows started before attempts heartbeated.
   */
  heartbeatTimeoutMs?: number;
}

export interface SaleOrderSyncInput {
  externalId: string;
  timing: SyncBackTiming;
  /** Carried over continue-as-new. */
  checksWithoutProgress?: number;
}

export interface SaleOrderSyncStatus {
  state: SyncState;
  awaitingOn: string[];
  odooId: number | null;
  lastError: string | null;
}

export const syncBackStateQuery = defineQuery<SaleOrderSyncStatus>('state');

export type SaleOrderSyncWorkflow = (input: SaleOrderSyncInput) => Promise<SaleOrderSyncStatus>;
