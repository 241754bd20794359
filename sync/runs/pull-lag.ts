import type { EntityManager } from '@mikro-orm/knex';
import { findPlainRows } from '../../db/plain-rows';
import { PullWatermarkSchema, type PullWatermark } from '../../entities/pull-watermark';

/** An entity type's pull as the watermarks tell it. */
export interface PullPosition {
  /** The watermark of the entity type's own stream (key = the entity type); null before it read anything. */
  watermark: { writeDate: string; odooId: number } | null;
  /** Now minus the oldest `read_up_to` of its streams; null while one of them has none yet. */
  lagSeconds: number | null;
}

/** Seconds from the time up to which everything is read until `now` (never below 0); null when not known yet. */
export function lagSeconds(readUpTo: Date | null, now: Date): number | null {
  return readUpTo ? Math.max(0, (now.getTime() - readUpTo.getTime()) / 1000) : null;
}

/**
 * Every entity type's pull position: one query over a table of one row per stream. A stream's key is its entity
 * type, or `<entity type>:<more>` for a further stream of the same type (e.g. `product:product.pricelist.item`).
 */
export async function pullPositions(em: EntityManager, now = new Date()): Promise<Map<string, PullPosition>> {
  const rows: Pick<PullWatermark, 'entityType' | 'writeDate' | 'odooId' | 'readUpTo'>[] = await findPlainRows(
    em,
    PullWatermarkSchema,
    { fields: ['entityType', 'writeDate', 'odooId', 'readUpTo'], where: {} },
  );
  const byType = new Map<string, typeof rows>();
  for (const row of rows) {
    const type = row.entityType.split(':')[0]!;
    byType.set(type, [...(byType.get(type) ?? []), row]);
  }
  const positions = new Map<string, PullPosition>();
  for (const [type, streams] of byType) {
    const own = streams.find((s) => s.entityType === type);
    const readUpTo = streams.some((s) => s.readUpTo === null)
      ? null
      : new Date(Math.min(...streams.map((s) => s.readUpTo!.getTime())));
    positions.set(type, {
      watermark: own ? { writeDate: own.writeDate, odooId: own.odooId } : null,
      lagSeconds: lagSeconds(readUpTo, now),
    });
  }
  return positions;
}

/** The lag of each entity type whose pull has read up to a known time (`pull_lag_seconds`). */
export async function pullLags(
  em: EntityManager,
  now = new Date(),
): Promise<{ entityType: string; lagSeconds: number }[]> {
  return [...(await pullPositions(em, now))].flatMap(([entityType, { lagSeconds: lag }]) =>
    lag === null ? [] : [{ entityType, lagSeconds: lag }],
  );
}
