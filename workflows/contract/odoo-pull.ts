import { defineQuery } from '@temporalio/workflow';
import type { EntityType } from '../../entities/processing-state';

export const ODOO_PULL_WORKFLOW = 'odooPullWorkflow';

/** Entity types read from Odoo. Stock has no Odoo model of the same shape (see the README). */
export const PULL_ENTITY_TYPES = [
  'product',
  'partner',
  'sale_order',
  'purchase_order',
] as const satisfies readonly EntityType[];
export type PullEntityType = (typeof PULL_ENTITY_TYPES)[number];

export const PULL_TRIGGERS = ['schedule', 'manual'] as const;
export type PullTrigger = (typeof PULL_TRIGGERS)[number];

/**
 * A position in Odoo's `(write_date, id)` order: every record at or before it has been read. `writeDate` is
 * Odoo's own text (`YYYY-MM-DD HH:MM:SS`, UTC), compared as Odoo compares it.
 */
export interface PullCursor {
  writeDate: string;
  id: number;
}

export interface PullCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

/** What a run has done so far: the workflow's query, its current details, and the CLI's progress bar. */
export interface PullProgress {
  entityType: PullEntityType;
  runId: number;
  phase: 'counting' | 'reading' | 'done' | 'failed';
  counts: PullCounts;
  /** Records the run's domain matched when it started (`search_count`); null before it is known. */
  total: number | null;
  pages: number;
  startedAt: string;
  /** Last position read; null before the first page. */
  cursor: PullCursor | null;
  status: 'running' | 'success' | 'partial' | 'failed';
  error: string | null;
}

/**
 * One ordered stream of Odoo rows a run reads: the entity's own model, or (products) the pricelist items,
 * whose changes do not touch their product's `write_date`.
 */
export interface PullStreamPlan {
  /** Names its stored watermark: the entity type, or `<entity_type>:<model>`. */
  key: string;
  /** Lower bound of the run's domain (inclusive): the stored watermark less the lookback; null: from the start. */
  since: string | null;
  /**
   * A secondary stream read for the first time starts from its model's latest row in Odoo (less the lookback),
   * found when the run is counted: every record read before carries its current sub-records anyway.
   */
  fromLatest?: boolean;
  /** Last position read in this run; null before the first page. */
  after: PullCursor | null;
  done: boolean;
}

export interface PullPlan {
  runId: number;
  startedAt: string;
  streams: PullStreamPlan[];
}

export interface OdooPullInput {
  entityType: PullEntityType;
  trigger: PullTrigger;
  /** ISO 8601 date or date-time: read records written since then instead of from the stored watermark. */
  since?: string;
  /** Read every record, whatever the watermark. */
  full?: boolean;
  /** Set only by continue-as-new: the run goes on where its previous execution stopped. */
  carried?: { progress: PullProgress; plan: PullPlan };
}

/** Pages one execution reads before it continues as new, so a long backfill keeps a short history. */
export const PULL_PAGES_PER_EXECUTION = 100;

export const pullProgressQuery = defineQuery<PullProgress>('progress');

export type OdooPullWorkflow = (input: OdooPullInput) => Promise<PullProgress>;

/** The Temporal Schedule that pulls one entity type; it starts runs with IDs `pull:<entity_type>-<time>`. */
export function pullScheduleId(entityType: PullEntityType): string {
  return `pull:${entityType}`;
}

/** A run started by hand (API or CLI). */
export function manualPullWorkflowId(entityType: PullEntityType, at: Date): string {
  return `pull:${entityType}:manual-${at.toISOString()}`;
}

export function isPullEntityType(value: string): value is PullEntityType {
  return (PULL_ENTITY_TYPES as readonly string[]).includes(value);
}
