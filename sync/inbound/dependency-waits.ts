import type { EntityManager } from '@mikro-orm/knex';
import { DependencyWaitSchema } from '../../entities/dependency-wait';

/**
 * The registry of who waits for what. A waiter registers before it checks its dependencies, and a
 * record is marked processed before its waiters are read, so a dependency landing between the two is
 * seen by one side or the other: no wake-up is lost.
 */
export async function registerWaits(em: EntityManager, waiterWorkflowId: string, dependencyKeys: readonly string[]) {
  if (dependencyKeys.length === 0) return;
  const existing = await em.find(
    DependencyWaitSchema,
    { waiterWorkflowId, dependencyKey: { $in: [...dependencyKeys] } },
    { fields: ['dependencyKey'] },
  );
  const known = new Set(existing.map((w) => w.dependencyKey));
  const now = new Date();
  const rows = [...new Set(dependencyKeys)]
    .filter((key) => !known.has(key))
    .map((dependencyKey) => ({ dependencyKey, waiterWorkflowId, createdAt: now }));
  if (rows.length) {
    await em
      .createQueryBuilder(DependencyWaitSchema)
      .insert(rows)
      .onConflict(['dependencyKey', 'waiterWorkflowId'])
      .ignore()
      .execute();
  }
}

export async function clearWaits(em: EntityManager, waiterWorkflowId: string, dependencyKeys?: readonly string[]) {
  await em.nativeDelete(DependencyWaitSchema, {
    waiterWorkflowId,
    ...(dependencyKeys ? { dependencyKey: { $in: [...dependencyKeys] } } : {}),
  });
}

/** The workflows waiting for `dependencyKey`; their registrations stay until each waiter clears them. */
export async function waitersOf(em: EntityManager, dependencyKey: string): Promise<string[]> {
  const rows = await em.find(DependencyWaitSchema, { dependencyKey }, { fields: ['waiterWorkflowId'] });
  return rows.map((r) => r.waiterWorkflowId);
}
