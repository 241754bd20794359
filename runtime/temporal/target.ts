import path from 'node:path';
import type { Config } from '../../config/config';
import type { Logger } from '../../observability/logger';
import { ensureTemporalBinaries } from './binaries';
import { startTemporalDevServer } from './dev-server';

export interface TemporalTarget {
  address: string;
  /** Web UI of the embedded server; unknown for an external one. */
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

/** The configured Temporal server, or an embedded dev server (SQLite under var/) when none is configured. */
export async function resolveTemporalTarget(config: Config, log: Logger): Promise<TemporalTarget> {
  if (config.temporal.address) {
    return { address: config.temporal.address, uiUrl: undefined, stop: async () => undefined };
  }
  const { cli } = ensureTemporalBinaries();
  log.info('TEMPORAL_ADDRESS is not set: starting the embedded Temporal dev server');
  const server = await startTemporalDevServer({
    cliPath: cli,
    dbFile: path.join(config.varDir, 'temporal', 'temporal.sqlite'),
    port: config.temporal.devServerPort,
    uiPort: config.temporal.uiPort,
    namespace: config.temporal.namespace,
    log,
  });
  return { address: server.address, uiUrl: server.uiUrl, stop: () => server.stop() };
}
