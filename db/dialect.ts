import type { EntityManager } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';

/** SQLite serialises writers itself and has no `SELECT ... FOR UPDATE`. */
export function supportsRowLocks(em: EntityManager): boolean {
  return !(em.getDriver() instanceof LibSqlDriver);
}
