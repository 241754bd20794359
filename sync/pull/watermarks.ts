import type { EntityManager } from '@mikro-orm/knex';
import { PullWatermarkSchema } from '../../entities/pull-watermark';
import type { PullCursor } from '../../workflows/contract';

export async function loadWatermark(em: EntityManager, key: string): Promise<PullCursor | null> {
  const row = await em.findOne(PullWatermarkSchema, { entityType: key }, { disableIdentityMap: true });
  return row ? { writeDate: row.writeDate, id: row.odooId } : null;
}

/**
 * Moves the stored watermark forward to `to`, never back: a run re-reading its lookback window, or a second run
 * of the same entity type, passes positions already stored. One conditional statement, so two runs at once
 * cannot move it back either.
 */
export async function advanceWatermark(
  em: EntityManager,
  key: string,
  to: PullCursor,
  now = new Date(),
): Promise<void> {
  const moved = await em.nativeUpdate(
    PullWatermarkSchema,
    {
      entityType: key,
      $or: [{ writeDate: { $lt: to.writeDate } }, { writeDate: to.writeDate, odooId: { $lt: to.id } }],
    },
    { writeDate: to.writeDate, odooId: to.id, updatedAt: now },
  );
  if (moved > 0) return;
  const qb = em
    .createQueryBuilder(PullWatermarkSchema)
    .insert({ entityType: key, writeDate: to.writeDate, odooId: to.id, readUpTo: null, updatedAt: now })
    .onConflict('entityType')
    .ignore();
  await qb.execute();
}

/** Everything written in Odoo before `at` has been read (a run that began then has ended well). */
export async function markReadUpTo(em: EntityManager, key: string, at: Date): Promise<void> {
  await em.nativeUpdate(
    PullWatermarkSchema,
    { entityType: key, $or: [{ readUpTo: null }, { readUpTo: { $lt: at } }] },
    { readUpTo: at },
  );
}
