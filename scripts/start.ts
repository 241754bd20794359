/**
 * Runs the whole service in one process for development: embedded Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), primary store (embedded SQLite unless DATABASE_URL is set), worker and API.
 */
import { createToken } from '../auth/token-store';
import { ConfigError, loadConfig } from '../config/config';
import { TOKEN_SCOPES } from '../entities/api-token';
import { createLogger } from '../observability/logger';
import { startApiServer } from '../runtime/api-server';
import { openResources } from '../runtime/resources';
import { resolveTemporalTarget } from '../runtime/temporal-target';
import { startWorker } from '../runtime/worker-process';

const DEV_TOKEN_TTL_MS = 24 * 3_600_000;

function configOrExit() {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel);
  const stack: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    for (const stop of stack.reverse()) {
      await stop().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const temporal = await resolveTemporalTarget(config, log);
    stack.push(() => temporal.stop());
    const resources = await openResources(config, log, temporal.address);
    stack.push(() => resources.close());
    const worker = await startWorker(config, log, resources, temporal.address);
    stack.push(() => worker.close());
    const api = await startApiServer(config, log, resources);
    stack.push(() => api.close());

    const { secret } = await createToken(resources.orm.em.fork(), {
      name: `development ${new Date().toISOString()}`,
      scopes: [...TOKEN_SCOPES],
      expiresAt: new Date(Date.now() + DEV_TOKEN_TTL_MS),
    });
    const lines = [
      '',
      'odoo-webshop-sync is running',
      `  API:          ${api.url}/api/v1`,
      `  OpenAPI:      ${api.url}/openapi.json`,
      `  Health:       ${api.url}/health  ${api.url}/ready  ${api.url}/metrics`,
      `  Temporal UI:  ${temporal.uiUrl ?? `(external server at ${temporal.address})`}`,
      `  Database:     ${config.database.kind === 'sqlite' ? config.database.file : 'MySQL (DATABASE_URL)'}`,
      `  Dev token (all scopes, expires in 24h):`,
      `    ${secret}`,
      '',
      `  Try: curl -H "Authorization: Bearer ${secret}" ${api.url}/api/v1/updated-partners`,
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    await worker.done;
  } catch (err) {
    log.fatal({ err }, 'start failed');
    await shutdown('error');
    process.exit(1);
  }
}

void main();
