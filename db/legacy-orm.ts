import { MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { legacyEntities } from '../entities';

/**
 * The legacy store is read-only by construction: every session starts with
 * `default_transaction_read_only=on`, so even a stray write is refused by PostgreSQL itself.
 */
export async function openLegacyOrm(url: string): Promise<MikroORM> {
  const options: Options = {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities: legacyEntities,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    allowGlobalContext: false,
    connect: false,
    pool: { min: 0, max: 4 },
    driverOptions: {
      connection: {
        options: '-c default_transaction_read_only=on -c statement_timeout=5000',
        connectionTimeoutMillis: 5000,
      },
      acquireConnectionTimeout: 5000,
    },
  } as Options;
  return MikroORM.init(options);
}
