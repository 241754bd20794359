import type { EntityManager } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';

/** SQLite serialises writers itself and has no `SELECT ... FOR UPDATE`. */
export function supportsRowLocks(em: EntityManager): boolean {
  return !(em.getDriver() instanceof LibSqlDriver);
}

/**
 * The hint that makes MySQL/MariaDB read by `index`. Its optimizer weighs every index of a filtered column
 * with index dives, which on a large table costs more than the keyset read itself, and may then pick a
 * less selective access. SQLite's planner needs no hint (and fails a query whose `INDEXED BY` it cannot use).
 */
export function forceIndexHint(em: EntityManager, index: string): string | undefined {
  return em.getDriver() instanceof LibSqlDriver ? undefined : `force index (\`${index}\`)`;
}
