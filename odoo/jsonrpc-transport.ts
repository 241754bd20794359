import type { HttpAnswer } from './http-post';
import { OdooError, odooError } from './odoo-errors';
import { endpoint, type OdooConnection, type OdooTransport, type TransportOptions } from './odoo-transport';

interface JsonRpcErrorBody {
  code?: number;
  message?: string;
  data?: { name?: string; message?: string; debug?: string };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON-RPC 2.0 on `/jsonrpc`: `common.authenticate` once, then `object.execute_kw`. */
export class JsonRpcTransport implements OdooTransport {
  private uid: Promise<number> | undefined;
  private nextId = 1;

  constructor(
    private readonly connection: OdooConnection,
    private readonly options: TransportOptions,
  ) {}

  async execute(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown> {
    const { db, apiKey } = this.connection;
    const uid = await this.authenticate();
    return this.rpc('object', 'execute_kw', [db, uid, apiKey, model, method, args, kwargs]);
  }

  private authenticate(): Promise<number> {
    if (!this.uid) {
      const { db, login, apiKey } = this.connection;
      this.uid = this.rpc('common', 'authenticate', [db, login, apiKey, {}]).then((uid) => {
        if (typeof uid === 'number' && uid > 0) return uid;
        throw new OdooError(`Odoo rejected the credentials of "${login}" on database "${db}"`, {
          kind: 'permanent',
          odooName: 'odoo.exceptions.AccessDenied',
        });
      });
      // Keep only a successful uid, so a later call tries again after an outage.
      this.uid.catch(() => (this.uid = undefined));
    }
    return this.uid;
  }

  private async rpc(service: string, method: string, args: unknown[]): Promise<unknown> {
    const payload = { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: this.nextId++ };
    const answer = await this.options.post(endpoint(this.connection.url, '/jsonrpc'), payload, {
      timeoutMs: this.options.timeoutMs,
      agent: this.options.agent,
    });
    return readAnswer(answer);
  }
}

function readAnswer(answer: HttpAnswer): unknown {
  const { status, body } = answer;
  if (status !== 200) {
    const data = isRecord(body) && isRecord(body.error) ? (body.error as JsonRpcErrorBody).data : undefined;
    throw odooError(
      { type: 'server', status, name: data?.name, message: data?.message },
      `Odoo answered HTTP ${status}`,
    );
  }
  if (!isRecord(body)) {
    throw new OdooError('Odoo answered HTTP 200 with a body that is not JSON-RPC', { kind: 'unknown_outcome', status });
  }
  if (isRecord(body.error)) {
    const error = body.error as JsonRpcErrorBody;
    const name = error.data?.name;
    const message = error.data?.message || error.message || 'Odoo Server Error';
    throw odooError({ type: 'server', name, message }, message, { debug: error.data?.debug });
  }
  return body.result;
}
