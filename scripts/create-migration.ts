/**
 * Writes a new MySQL migration with the difference between the entities and the database at
 * DATABASE_URL (which must be up to date with the existing migrations). Then add it to migrations/index.ts.
 */
import path from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { loadConfig, PROJECT_ROOT } from '../config/config';
import { primaryOrmOptions } from '../db/primary-orm';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.database.kind !== 'mysql') throw new Error('Set DATABASE_URL=mysql://... to create a migration');
  const base = primaryOrmOptions(config.database);
  const orm = await MikroORM.init({
    ...base,
    migrations: {
      ...base.migrations,
      path: path.join(PROJECT_ROOT, 'migrations'),
      emit: 'ts',
      fileName: (ts: string, name?: string) => `Migration${ts}${name ? `-${name}` : ''}`,
    },
  } as Options);
  try {
    await orm.getMigrator().up();
    const result = await orm.getMigrator().createMigration(undefined, false, false, process.argv[2]);
    console.log(result.fileName ? `Created migrations/${result.fileName}` : 'No changes');
  } finally {
    await orm.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
