import http from 'node:http';
import https from 'node:https';
import type { Config } from '../config/config';
import { CircuitBreaker, type BreakerState } from './circuit-breaker';
import { postJson } from './http-post';
import { Json2Transport } from './json2-transport';
import { JsonRpcTransport } from './jsonrpc-transport';
import { OdooError } from './odoo-errors';
import type { OdooTransport, TransportOptions } from './odoo-transport';
import { Semaphore } from './semaphore';

export type OdooConfig = NonNullable<Config['odoo']>;

export type DomainLeaf = [field: string, operator: string, value: unknown];
/** Leaves are joined by an implicit AND; '&', '|' and '!' are Odoo's prefix operators. */
export type Domain = Array<DomainLeaf | '&' | '|' | '!'>;
export type OdooValues = Record<string, unknown>;
export type OdooRecord = { id: number } & Record<string, unknown>;

export interface SearchOptions {
  limit?: number;
  offset?: number;
  order?: string;
  context?: Record<string, unknown>;
}

/** Odoo's ORM over the network, with execute_kw semantics. Failures reject with an OdooError. */
export interface OdooClient {
  searchRead<T extends OdooRecord = OdooRecord>(
    model: string,
    domain: Domain,
    fields: string[],
    opts?: SearchOptions,
  ): Promise<T[]>;
  search(model: string, domain: Domain, opts?: SearchOptions): Promise<number[]>;
  /** Returns the new record's id. An `unknown_outcome` failure may still have created it. */
  create(model: string, values: OdooValues): Promise<number>;
  write(model: string, ids: number[], values: OdooValues): Promise<boolean>;
  call<T = unknown>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T>;
  readonly breakerState: BreakerState;
  /** Drops idle keep-alive connections. */
  close(): void;
}

export interface OdooClientOptions {
  /** Per HTTP request; time spent waiting for a concurrency slot does not count. Default 15 s. */
  timeoutMs?: number;
  /** Calls in flight at once; the rest wait in order. Default 4. */
  maxConcurrent?: number;
  breaker?: {
    /** Consecutive transient or unknown-outcome failures that open the circuit. Default 5. */
    failureThreshold?: number;
    /** How long an open circuit fails calls fast before letting one probe through. Default 30 s. */
    openMs?: number;
    onStateChange?: (to: BreakerState, from: BreakerState) => void;
  };
}

export const ODOO_CLIENT_DEFAULTS = {
  timeoutMs: 15_000,
  maxConcurrent: 4,
  failureThreshold: 5,
  openMs: 30_000,
} as const;

function withoutUndefined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

export function createOdooClient(config: OdooConfig, options: OdooClientOptions = {}): OdooClient {
  const maxConcurrent = options.maxConcurrent ?? ODOO_CLIENT_DEFAULTS.maxConcurrent;
  const agentOptions = { keepAlive: true };
  const agent = config.url.startsWith('https:') ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const transportOptions: TransportOptions = {
    timeoutMs: options.timeoutMs ?? ODOO_CLIENT_DEFAULTS.timeoutMs,
    agent,
    post: postJson,
  };
  const transport: OdooTransport =
    config.protocol === 'json2'
      ? new Json2Transport(config, transportOptions)
      : new JsonRpcTransport(config, transportOptions);
  const breaker = new CircuitBreaker({
    failureThreshold: options.breaker?.failureThreshold ?? ODOO_CLIENT_DEFAULTS.failureThreshold,
    openMs: options.breaker?.openMs ?? ODOO_CLIENT_DEFAULTS.openMs,
    onStateChange: options.breaker?.onStateChange,
  });
  const limiter = new Semaphore(maxConcurrent);

  // The breaker is consulted once a slot is free, so calls queued before it opened do not reach Odoo.
  const call = <T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) =>
    limiter.run(() => breaker.run(() => transport.execute(model, method, args, kwargs))) as Promise<T>;

  return {
    searchRead: <T extends OdooRecord>(model: string, domain: Domain, fields: string[], opts: SearchOptions = {}) =>
      call<T[]>(model, 'search_read', [domain], withoutUndefined({ fields, ...opts })),

    search: (model, domain, opts = {}) => call<number[]>(model, 'search', [domain], withoutUndefined({ ...opts })),

    async create(model, values) {
      const result = await call<unknown>(model, 'create', [[values]]);
      const id = Array.isArray(result) ? result[0] : result;
      if (typeof id !== 'number') {
        throw new OdooError(`Odoo answered ${model}.create without an id`, { kind: 'unknown_outcome' });
      }
      return id;
    },

    write: (model, ids, values) => call<boolean>(model, 'write', [ids, values]),

    call,

    get breakerState() {
      return breaker.state;
    },

    close: () => agent.destroy(),
  };
}
