import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createOdooClient, type OdooClient } from '../odoo/odoo-client';

/**
 * The one Odoo client of a worker process: every sync-back activity shares its concurrency limit and circuit
 * breaker, so a worker never has more than `ODOO_MAX_CONCURRENT` calls in flight and stops calling a failing Odoo.
 */
export function createWorkerOdooClient(config: Config, metrics: Metrics, log: Logger): OdooClient | undefined {
  if (!config.odoo) {
    log.warn('ODOO_URL/ODOO_DB/ODOO_LOGIN/ODOO_API_KEY not set: webshop orders wait until Odoo is configured');
    return undefined;
  }
  const client = createOdooClient(config.odoo, {
    timeoutMs: config.odooClient.timeoutMs,
    maxConcurrent: config.odooClient.maxConcurrent,
    breaker: {
      failureThreshold: config.odooClient.breakerFailures,
      openMs: config.odooClient.breakerOpenMs,
      onStateChange: (to, from) =>
        log[to === 'open' ? 'warn' : 'info']({ from, to, url: config.odoo?.url }, 'Odoo circuit breaker changed state'),
    },
  });
  metrics.trackOdooBreaker(() => client.breakerState);
  log.info({ url: config.odoo.url, protocol: config.odoo.protocol }, 'Odoo client ready');
  return client;
}
