import type { MikroORM } from '@mikro-orm/core';
import type { Client, Connection } from '@temporalio/client';
import type { Config } from '../../config/config';
import type { ApiToken } from '../../entities/api-token';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import type { InboundDispatcher } from '../../sync/inbound/dispatcher';
import type { SyncBackStarter } from '../../sync/sync-back/starter';

/** What the API needs from the rest of the service. */
export interface ApiDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  orm: MikroORM;
  legacyOrm: MikroORM | undefined;
  temporal: { client: Client; connection: Connection };
  dispatcher: InboundDispatcher;
  syncBackStarter: SyncBackStarter;
}

export interface ApiState {
  token?: ApiToken;
}
