import type { OdooClient } from './odoo-client';
import { Semaphore } from './semaphore';

/**
 * A view of `client` that keeps at most `maxConcurrent` of its own calls in flight, queued in front of the
 * client's shared limit. Pulls read through such a view: with ODOO_PULL_MAX_CONCURRENT below ODOO_MAX_CONCURRENT,
 * the rest of the shared slots stay free for sync-back, however many pages are waiting. The circuit breaker
 * is the client's own, shared: a pull failing against a down Odoo opens it for sync-back too, and the reverse.
 */
export function limitedOdooClient(client: OdooClient, maxConcurrent: number): OdooClient {
  const limiter = new Semaphore(maxConcurrent);
  return {
    searchRead: (model, domain, fields, opts) => limiter.run(() => client.searchRead(model, domain, fields, opts)),
    search: (model, domain, opts) => limiter.run(() => client.search(model, domain, opts)),
    create: (model, values) => limiter.run(() => client.create(model, values)),
    write: (model, ids, values) => limiter.run(() => client.write(model, ids, values)),
    call: (model, method, args, kwargs) => limiter.run(() => client.call(model, method, args, kwargs)),
    get breakerState() {
      return client.breakerState;
    },
    close: () => client.close(),
  };
}
