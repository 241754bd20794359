/** Applies pending MySQL migrations (or the embedded SQLite schema) and exits. */
import { loadConfig } from '../config/config';
import { openPrimaryOrm } from '../db/primary-orm';

async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await openPrimaryOrm(config.database);
  await orm.close();
  console.log(`Schema up to date (${config.database.kind}).`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
