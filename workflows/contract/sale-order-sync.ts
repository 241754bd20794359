import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { OdooOrderState, SyncConflict, SyncState } from '../../entities/sale-order';

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
  /**
   * Confirm the order in Odoo (`action_confirm`) once it is created (SYNC_BACK_CONFIRM). Absent in workflows
   * started before the confirm existed: those stop at the quotation.
   */
  confirm?: boolean;
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
  /** The Odoo order's state as the workflow last saw it; absent in workflows started before it was tracked. */
  odooState?: OdooOrderState | null;
  /** Set in `conflict`. */
  conflicts?: SyncConflict[];
}

/** Why an order is cancelled: the webshop asked, or an operator gave up on a failed order (`abandon`). */
export type CancelReason = 'webshop' | 'abandon';

export const syncBackStateQuery = defineQuery<SaleOrderSyncStatus>('state');

export type SaleOrderSyncWorkflow = (input: SaleOrderSyncInput) => Promise<SaleOrderSyncStatus>;

/**
 * An operator's decision on an order in `conflict`: keep the webshop's or Odoo's side, for the fields named (as the
 * order's `conflicts` name them) or, without `fields`, for every field in conflict. `by`: who decided (the API
 * passes its token's name; from the Temporal UI or CLI it may be left out).
 */
export interface ResolveConflictInput {
  keep: 'webshop' | 'odoo';
  fields?: string[];
  by?: string;
}

/** What the decision does next: merge again, cancel again, or keep the order as Odoo has it (the cancel dropped). */
export interface ResolveConflictResult {
  effect: 'merge' | 'cancel_again' | 'cancel_dropped';
  fields: string[];
}

/**
 * Update `resolveConflict`: the operator's decision, from the Temporal UI, `temporal workflow update execute`, or
 * `POST /api/v1/admin/workflows/{id}/resolve`. Its validator rejects it when the order is not in conflict, when a
 * named field is not in conflict, or when `keep` is neither side.
 */
export const resolveConflictUpdate = defineUpdate<ResolveConflictResult, [ResolveConflictInput]>('resolveConflict');
