/**
 * Runs the whole service in one process for development: embedded Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), primary store (embedded SQLite unless DATABASE_URL is set), worker and API.
 */
import { loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { startApiServer } from '../runtime/api-server';
import { ensureDevToken } from '../runtime/dev-token';
import { runUntilSignal } from '../runtime/process-lifecycle';
import { openResources } from '../runtime/resources';
import { resolveTemporalTarget } from '../runtime/temporal/target';
import { installTemporalLogging } from '../runtime/temporal-logging';
import { startWorker } from '../runtime/worker-process';

void runUntilSignal(
  'odoo-webshop-sync',
  async (log, onStop) => {
    const config = loadConfig();
    const temporal = await resolveTemporalTarget(config, log);
    onStop(() => temporal.stop());
    installTemporalLogging(log);
    const resources = await openResources(config, log, temporal.address);
    onStop(() => resources.close());
    const worker = await startWorker(config, log, resources, temporal.address);
    onStop(() => worker.close());
    const api = await startApiServer(config, log, resources);
    onStop(() => api.close());

    const token = await ensureDevToken(config.varDir, () => resources.orm.em.fork());
    const shown = token.fresh ? token.secret : `$(cat ${token.file})`;
    const lines = [
      '',
      'odoo-webshop-sync is running (Ctrl-C stops everything)',
      `  API:          ${api.url}/api/v1`,
      `  OpenAPI:      ${api.url}/openapi.json`,
      `  Docs:         ${api.url}/docs`,
      `  Health:       ${api.url}/health  ${api.url}/ready  ${api.url}/metrics`,
      `  Temporal UI:  ${temporal.uiUrl ?? `(external server at ${temporal.address})`}`,
      `  Database:     ${config.database.kind === 'sqlite' ? config.database.file : 'MySQL (DATABASE_URL)'}`,
      `  Dev token (all scopes, 24h; npm run token:create makes lasting ones): in ${token.file}`,
      ...(token.fresh ? [`    ${token.secret} (shown once)`] : []),
      '',
      `  Try: curl -H "Authorization: Bearer ${shown}" ${api.url}/api/v1/updated-partners`,
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return worker.done;
  },
  createLogger,
);
