import type { MikroORM } from '@mikro-orm/core';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/config';
import { openLegacyOrm } from '../db/legacy-orm';
import { openPrimaryOrm } from '../db/primary-orm';
import type { Logger } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { LegacyDirectory } from '../sync/legacy/legacy-lookup';
import { ensureSearchAttributes } from './temporal/register-search-attributes';

/** The connections a process of the service holds, opened in order and closed in reverse. */
export interface Resources {
  orm: MikroORM;
  legacyOrm: MikroORM | undefined;
  legacy: LegacyDirectory;
  temporal: { client: Client; connection: Connection };
  metrics: Metrics;
  close(): Promise<void>;
}

export async function openResources(config: Config, log: Logger, temporalAddress: string): Promise<Resources> {
  const orm = await openPrimaryOrm(config.database);
  log.info({ database: config.database.kind }, 'primary store ready');
  let legacyOrm: MikroORM | undefined;
  if (config.legacyDatabaseUrl) {
    legacyOrm = await openLegacyOrm(config.legacyDatabaseUrl);
  } else {
    log.info('LEGACY_DATABASE_URL is not set: legacy fallback is off');
  }
  const connection = await Connection.connect({ address: temporalAddress });
  await ensureSearchAttributes(connection, config.temporal.namespace, log);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  return {
    orm,
    legacyOrm,
    legacy: new LegacyDirectory(legacyOrm),
    temporal: { client, connection },
    metrics: new Metrics(),
    async close() {
      await connection.close();
      await legacyOrm?.close();
      await orm.close();
    },
  };
}
