import type { EntitySchema, FilterQuery, RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';

type OrderLine = { id: number; lineNo: number };

export interface LineReplacement<L extends OrderLine, K extends keyof L> {
  parentId: number;
  lines: Omit<L, 'id' | 'lineNo' | K>[];
}

/**
 * Replaces the lines of changed orders: one DELETE for all of them, and the new lines (numbered from 1)
 * persisted for the caller's next flush, which inserts them in batches.
 */
export async function replaceLines<L extends OrderLine, K extends keyof L & string>(
  em: EntityManager,
  entity: EntitySchema<L>,
  parentKey: K,
  replacements: readonly LineReplacement<L, K>[],
): Promise<void> {
  if (replacements.length === 0) return;
  await em.nativeDelete(entity, {
    [parentKey]: { $in: replacements.map((r) => r.parentId) },
  } as unknown as FilterQuery<L>);
  for (const { parentId, lines } of replacements) {
    lines.forEach((line, i) => {
      const row = { ...line, [parentKey]: parentId, lineNo: i + 1 };
      em.create(entity, row as unknown as RequiredEntityData<L>, { persist: true });
    });
  }
}
