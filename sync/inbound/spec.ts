import type { EntitySchema } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { ZodType } from 'zod';
import type { EntityType } from '../../entities/processing-state';
import type { SyncFields } from '../../entities/sync-fields';

/** A record another record needs before it can be processed. */
export interface DependencyRef {
  entityType: EntityType;
  externalId: string;
}

/** The columns a push is compared with; a row the push leaves unchanged is read as no more than these. */
export const COMPARED_FIELDS = ['id', 'externalId', 'processingState', 'sourceWriteDate', 'data'] as const;
export type ComparedRow<E extends SyncFields> = Pick<E, (typeof COMPARED_FIELDS)[number]>;

/**
 * A record stored by this push, alongside the row it now has: created or updated (`changed`), the row as an
 * entity written at the flush; unchanged, the columns it was compared with.
 */
export type StoredRecord<R, E extends SyncFields> = { record: R; raw: Record<string, unknown> } & (
  { changed: true; row: E } | { changed: false; row: ComparedRow<E> }
);

/** Records of other entity types an extraction stored or changed, to hand to their workflows too. */
export type ExtractedChanges = Partial<Record<EntityType, string[]>>;

/**
 * How one entity type enters the service: its validation schema, its identity, what of the payload is
 * compared for changes, how the payload maps onto the entity's own columns, what it depends on, and
 * what sub-records it carries (prices, lines, embedded orders) that live in tables of their own.
 */
export interface InboundSpec<R, E extends SyncFields = SyncFields> {
  entityType: EntityType;
  /** Key of the batch form of the push, e.g. `partners`. */
  batchKey: string;
  schema: ZodType<R>;
  entity: EntitySchema<E>;
  /**
   * Extra conditions that, with the external id, identify a row of this type (sale orders: the inbound
   * direction, since webshop orders share the table). Applied to every lookup by external id.
   */
  rowScope?: Record<string, unknown>;
  externalIdOf(record: R): string;
  writeDateOf(record: R): Date | null;
  /** Top-level payload keys not compared (timestamps, sub-lists stored in their own tables). */
  diffIgnore: readonly string[];
  /** The entity's own columns, beyond the shared sync fields. */
  columnsOf(record: R): Partial<E>;
  /** What the stored record needs before it can be processed; read from its stored data. */
  dependenciesOf?(data: Record<string, unknown>): DependencyRef[];
  /**
   * Stores the sub-records of the accepted records, in the push's transaction, after the rows are flushed
   * (so `row.id` is set). Called for every accepted record, changed or not: a product's prices change
   * without its own fields changing. Must write only what really changed.
   */
  extract?(em: EntityManager, stored: StoredRecord<R, E>[], now: Date): Promise<ExtractedChanges>;
}
