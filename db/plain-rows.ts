import type { EntityProperty, EntitySchema, FilterQuery, LockMode, QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { forceIndexHint } from './dialect';

export interface PlainRowsQuery<E extends object, K extends keyof E & string> {
  fields: readonly K[];
  where: FilterQuery<E>;
  orderBy?: QueryOrderMap<E>;
  limit?: number;
  /** The index to read by, where the database takes such a hint. */
  index?: string;
  /** A locking read (inside a transaction). */
  lockMode?: LockMode;
}

/**
 * Rows as plain objects of the given properties, with their column types applied but no entity behind them:
 * no entity instances, identity map or change-tracking snapshots. For hot read-only paths such as feed pages,
 * where hydration costs more than the query.
 */
export async function findPlainRows<E extends object, K extends keyof E & string>(
  em: EntityManager,
  entity: EntitySchema<E>,
  query: PlainRowsQuery<E, K>,
): Promise<Pick<E, K>[]> {
  const qb = em
    .createQueryBuilder(entity)
    .select(query.fields as never)
    .where(query.where);
  if (query.orderBy) qb.orderBy(query.orderBy);
  if (query.limit !== undefined) qb.limit(query.limit);
  const hint = query.index === undefined ? undefined : forceIndexHint(em, query.index);
  if (hint) qb.indexHint(hint);
  if (query.lockMode !== undefined) qb.setLockMode(query.lockMode);
  const rows: Record<string, unknown>[] = await qb.execute('all', true);
  // Mapping renames columns and reads dates and booleans; custom types (JSON read as text on MariaDB) are ours.
  const properties: Record<string, EntityProperty | undefined> = em.getMetadata().get(entity.meta.className).properties;
  const platform = em.getPlatform();
  const typed = query.fields.flatMap((field) => {
    const type = properties[field]?.customType;
    return type ? [{ field, type }] : [];
  });
  for (const row of rows) {
    for (const { field, type } of typed) {
      // As in hydration, a null is not converted (a double column's type would read it as 0).
      if (row[field] !== null && row[field] !== undefined) row[field] = type.convertToJSValue(row[field], platform);
    }
  }
  return rows as Pick<E, K>[];
}
