import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EntityManager } from '@mikro-orm/knex';
import { createApiApp } from '../api/app';
import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import { feedBacklogs } from '../sync/feeds/webshop-feeds';
import type { Resources } from './resources';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export async function startApiServer(
  config: Config,
  log: Logger,
  resources: Resources,
  port = config.port,
): Promise<RunningApi> {
  resources.metrics.trackFeedBacklogs(() => feedBacklogs(resources.orm.em.fork() as EntityManager));
  const { app } = createApiApp({ config, log, ...resources });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, '0.0.0.0', () => resolve(s));
    s.once('error', reject);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${bound}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await resources.dispatcher.drain();
    },
  };
}
