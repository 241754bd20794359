import type { EntitySchema } from '@mikro-orm/core';
import type { ZodType } from 'zod';
import type { EntityType } from '../entities/processing-state';
import type { SyncFields } from '../entities/sync-fields';

/**
 * How one entity type enters the service: its validation schema, its identity, what of the payload is
 * compared for changes, and how the payload maps onto the entity's own columns.
 */
export interface InboundSpec<R, E extends SyncFields = SyncFields> {
  entityType: EntityType;
  /** Key of the batch form of the push, e.g. `partners`. */
  batchKey: string;
  schema: ZodType<R>;
  entity: EntitySchema<E>;
  externalIdOf(record: R): string;
  writeDateOf(record: R): Date | null;
  /** Top-level payload keys not compared (timestamps, sub-lists stored in their own tables). */
  diffIgnore: readonly string[];
  /** The entity's own columns, beyond the shared sync fields. */
  columnsOf(record: R): Partial<E>;
}
