import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/config';
import { openLegacyOrm } from '../db/legacy-orm';
import { openPrimaryOrm } from '../db/primary-orm';
import type { Logger } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { LegacyDirectory } from '../sync/legacy/legacy-lookup';
import { pullLags } from '../sync/runs/pull-lag';
import { ensureSearchAttributes } from './temporal/register-search-attributes';
import { createWorkflowStarters, type WorkflowStarters } from './workflow-starters';

/**
 * The composition root: everything a process of the service shares, built once here and handed to the API
 * and the worker. Connections are opened in order and closed in reverse.
 */
export interface Resources extends WorkflowStarters {
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
  const metrics = new Metrics();
  metrics.trackPullLag(() => pullLags(orm.em.fork() as EntityManager));
  const starters = createWorkflowStarters(config, client, metrics, log, orm);
  return {
    orm,
    legacyOrm,
    legacy: new LegacyDirectory(legacyOrm),
    temporal: { client, connection },
    metrics,
    ...starters,
    async close() {
      await starters.dispatcher.drain();
      await connection.close();
      await legacyOrm?.close();
      await orm.close();
    },
  };
}
