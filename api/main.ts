/** Production entry of the API process (the worker runs separately: worker/main.ts). */
import { loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { startApiServer } from '../runtime/api-server';
import { runUntilSignal } from '../runtime/process-lifecycle';
import { openResources } from '../runtime/resources';

void runUntilSignal(
  'api',
  async (log, onStop) => {
    const config = loadConfig();
    if (!config.temporal.address)
      throw new Error('TEMPORAL_ADDRESS must be set for the standalone API (npm start embeds a server)');
    const resources = await openResources(config, log, config.temporal.address);
    onStop(() => resources.close());
    const api = await startApiServer(config, log, resources);
    onStop(() => api.close());
    log.info({ url: api.url }, 'API listening');
  },
  createLogger,
);
