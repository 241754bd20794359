import fs from 'node:fs';
import path from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { Migrator } from '@mikro-orm/migrations';
import { MySqlDriver } from '@mikro-orm/mysql';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/knex';
import type { Config } from '../config/config';
import { primaryEntities } from '../entities';
import { migrationsList } from '../migrations';

export type PrimaryOrm = MikroORM;
export type PrimaryEm = SqlEntityManager;

const common: Partial<Options> = {
  entities: primaryEntities,
  discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
  allowGlobalContext: false,
  forceUtcTimezone: true,
  ensureDatabase: false,
  debug: false,
};

export function primaryOrmOptions(database: Config['database']): Options {
  if (database.kind === 'mysql') {
    return {
      ...common,
      driver: MySqlDriver,
      clientUrl: database.url,
      timezone: '+00:00',
      pool: { min: 1, max: 10 },
      extensions: [Migrator],
      // MySQL commits DDL implicitly, so migrations cannot be wrapped in transactions.
      migrations: { migrationsList, transactional: false, snapshot: false, silent: true },
    } as Options;
  }
  fs.mkdirSync(path.dirname(database.file), { recursive: true });
  return { ...common, driver: LibSqlDriver, dbName: database.file } as Options;
}

/**
 * Opens the primary store and brings its schema up to date: migrations on MySQL, the schema generator on
 * the embedded SQLite file (a development store, recreated freely).
 */
export async function openPrimaryOrm(database: Config['database']): Promise<PrimaryOrm> {
  const orm = await MikroORM.init(primaryOrmOptions(database));
  if (database.kind === 'mysql') {
    await orm.getMigrator().up();
  } else {
    await orm.getSchemaGenerator().updateSchema({ safe: true });
  }
  return orm;
}

export function primaryEm(orm: PrimaryOrm): PrimaryEm {
  return orm.em.fork() as PrimaryEm;
}
