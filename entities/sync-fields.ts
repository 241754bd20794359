import { BigIntType, type EntityKey } from '@mikro-orm/core';
import { JsonColumnType } from './json-column';
import type { ProcessingState } from './processing-state';

/** Columns every synced record carries: identity, payload snapshots, change tracking and processing state. */
export interface SyncFields {
  id: number;
  externalId: string;
  odooId: number | null;
  data: Record<string, unknown>;
  previousData: Record<string, unknown> | null;
  /** Field paths changed by the last push. */
  changedFields: string[];
  /** Field paths changed since the webshop last acknowledged the record. */
  unackedChangedFields: string[];
  processingState: ProcessingState;
  errorMessage: string | null;
  retryCount: number;
  /** True until the webshop has acknowledged the record once. */
  isNew: boolean;
  /** Odoo's write_date of the stored version. */
  sourceWriteDate: Date | null;
  /** Bumped on every real change; orders the delta feed. */
  changedAt: Date;
  /** True while a change awaits the webshop's acknowledgement. */
  feedPending: boolean;
  acknowledgedAt: Date | null;
  /**
   * Up to which change time a feed has served the row: the settled instant of the page that served it (or the
   * version's own change time for a single read). An acknowledgement covers only a version that was served,
   * so a change landing between the webshop's read and its acknowledgement is not swallowed.
   */
  servedAt: Date | null;
  stubCreatedAt: Date | null;
  /**
   * When the version was last handed to its workflow (taken before the signal-with-start): the pending sweep
   * hands off again only a version younger than this, not every record still queued behind a backlog.
   */
  handedOffAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * `datetime(3)` on MySQL. Declared as `Date` rather than `datetime`: on SQLite (the embedded store) the latter
 * makes every loaded date look changed at flush, so an unchanged re-push would write (and move `changed_at`).
 */
export const datetime = { type: 'Date', length: 3 } as const;
export const bigintId = () =>
  ({
    type: new BigIntType('number'),
    primary: true,
    autoincrement: true,
  }) as const;
export const bigintRef = () => ({ type: new BigIntType('number') }) as const;

export const syncFieldProperties = {
  id: bigintId(),
  // An exact key, compared byte for byte on every store: see exact-keys.ts.
  externalId: { type: 'string', length: 191, unique: true },
  odooId: { type: 'integer', nullable: true, index: true },
  data: { type: JsonColumnType },
  previousData: { type: JsonColumnType, nullable: true },
  changedFields: { type: JsonColumnType },
  unackedChangedFields: { type: JsonColumnType },
  processingState: { type: 'string', length: 32, index: true },
  errorMessage: { type: 'text', nullable: true },
  retryCount: { type: 'integer', default: 0 },
  isNew: { type: 'boolean', default: true },
  sourceWriteDate: { ...datetime, nullable: true },
  changedAt: { ...datetime },
  feedPending: { type: 'boolean', default: false },
  acknowledgedAt: { ...datetime, nullable: true },
  servedAt: { ...datetime, nullable: true },
  stubCreatedAt: { ...datetime, nullable: true },
  handedOffAt: { ...datetime, nullable: true },
  createdAt: { ...datetime },
  updatedAt: { ...datetime },
} as const;

/** The feed reads unacknowledged changes oldest first; this index serves that keyset scan. */
export const feedIndexName = (table: string) => `${table}_feed_idx`;

export const feedIndex = <T extends SyncFields>(table: string) => ({
  name: feedIndexName(table),
  properties: ['feedPending', 'changedAt', 'id'] as EntityKey<T>[],
});
