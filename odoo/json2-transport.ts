import { OdooError, odooError } from './odoo-errors';
import { endpoint, type OdooConnection, type OdooTransport, type TransportOptions } from './odoo-transport';

/**
 * JSON-2 only takes named arguments. These are the positional parameters of common ORM methods, so
 * an execute_kw style call can be translated. Record methods take their ids first, as in execute_kw.
 */
const MODEL_METHOD_PARAMS: Record<string, string[]> = {
  search: ['domain', 'offset', 'limit', 'order'],
  search_read: ['domain', 'fields', 'offset', 'limit', 'order'],
  search_count: ['domain', 'limit'],
  read_group: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'],
  name_search: ['name', 'domain', 'operator', 'limit'],
  create: ['vals_list'],
  fields_get: ['allfields', 'attributes'],
  default_get: ['fields_list'],
};

const RECORD_METHOD_PARAMS: Record<string, string[]> = {
  read: ['fields'],
  write: ['vals'],
  unlink: [],
  copy: ['default'],
};

function isIdList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number');
}

export function namedArguments(
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  let params = MODEL_METHOD_PARAMS[method];
  let positional = args;
  if (!params) {
    params = RECORD_METHOD_PARAMS[method] ?? [];
    if (args.length > 0) {
      const [ids, ...rest] = args;
      if (!isIdList(ids))
        throw badCall(method, 'the first positional argument of a record method must be a list of ids');
      named.ids = ids;
      positional = rest;
    }
  }
  if (positional.length > params.length) {
    throw badCall(method, `JSON-2 needs named arguments; pass the extra positional arguments as kwargs`);
  }
  positional.forEach((value, i) => (named[params[i]!] = value));
  return { ...named, ...kwargs };
}

function badCall(method: string, reason: string): OdooError {
  return new OdooError(`Cannot call ${method} over JSON-2: ${reason}`, { kind: 'permanent', odooName: 'TypeError' });
}

function field(body: unknown, key: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/** Odoo 19 JSON-2: `POST /json/2/<model>/<method>` with a bearer API key; errors are HTTP statuses. */
export class Json2Transport implements OdooTransport {
  constructor(
    private readonly connection: OdooConnection,
    private readonly options: TransportOptions,
  ) {}

  async execute(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown> {
    const payload = namedArguments(method, args, kwargs);
    const url = endpoint(this.connection.url, `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`);
    const { status, body } = await this.options.post(url, payload, {
      timeoutMs: this.options.timeoutMs,
      agent: this.options.agent,
      headers: { Authorization: `bearer ${this.connection.apiKey}`, 'X-Odoo-Database': this.connection.db },
    });
    if (status === 200) {
      if (body === undefined) {
        throw new OdooError('Odoo answered HTTP 200 with a body that is not JSON', { kind: 'unknown_outcome', status });
      }
      return body;
    }
    const name = field(body, 'name');
    const message = field(body, 'message') ?? `Odoo answered HTTP ${status}`;
    throw odooError({ type: 'server', status, name, message }, message, { debug: field(body, 'debug') });
  }
}
