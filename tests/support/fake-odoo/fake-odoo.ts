import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { odooDatetime, realClock, toStoredDatetime, type Clock } from './clock';
import { OdooException, accessDenied, typeError } from './odoo-exception';
import { fromExecuteKw, fromJson2, invoke, type OrmCall } from './orm-methods';
import {
  FAKE_UID,
  SERVER_VERSION,
  SERVER_VERSION_INFO,
  badRequest,
  bearerKey,
  json2Error,
  jsonRpcError,
  jsonRpcResult,
  unauthorized,
  writeHtmlError,
  writeJson,
} from './protocols';
import { FakeStore, type Row } from './store';
import { Switches, type CallTarget } from './switches';

export type FakeOdooOutcome =
  | 'pending'
  /** Answered with a result. */
  | 'ok'
  /** Answered with an Odoo exception (JSON-RPC error member or JSON-2 4xx/5xx). */
  | 'odoo_error'
  /** Answered with an injected HTTP error page, without running the call. */
  | 'http_error'
  /** Ran and committed the call, then closed the connection without answering. */
  | 'dropped'
  /** Ran and committed the call, but the client had already gone. */
  | 'client_gone'
  /** Abandoned by reset() or close() while hanging. */
  | 'aborted';

export interface FakeOdooRequest {
  protocol: 'jsonrpc' | 'json2';
  /** JSON-RPC service: 'common' (authenticate, version) or 'object' (execute_kw). */
  service?: 'common' | 'object';
  model?: string;
  method: string;
  /** JSON-RPC: the positional arguments (passwords masked); JSON-2: the request body. */
  args: unknown;
  /** JSON-RPC execute_kw keyword arguments. */
  kwargs?: Record<string, unknown>;
  timestamp: number;
  outcome: FakeOdooOutcome;
  /** HTTP status sent; undefined while pending or when no answer was sent. */
  status?: number;
  /** The exception name when outcome is 'odoo_error'. */
  error?: string;
}

interface Reply {
  result(value: unknown): void;
  exception(exception: OdooException): void;
}

const MASK = '***';

/**
 * An in-memory Odoo speaking JSON-RPC (`/jsonrpc`) and JSON-2 (`/json/2/<model>/<method>`).
 * The failure switches only affect model calls (execute_kw and JSON-2), never common.authenticate
 * or common.version, so a test can aim at the call it exercises.
 */
export class FakeOdoo {
  readonly db = 'fake_odoo';
  readonly login = 'sync-bot';
  readonly apiKey = crypto.randomBytes(20).toString('hex');
  /** Requests in arrival order; entries are updated as they complete. */
  readonly requests: FakeOdooRequest[] = [];
  /** Highest number of requests handled at once since start or reset(). */
  maxInFlight = 0;

  private clock: Clock = realClock;
  private store = new FakeStore(() => this.clock());
  private readonly switches = new Switches();
  private active = 0;
  private generation = 0;
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();
  private readonly server: http.Server;
  private port = 0;

  constructor() {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) writeHtmlError(res, 500);
        else res.destroy(err instanceof Error ? err : undefined);
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get inFlight(): number {
    return this.active;
  }

  async listen(): Promise<void> {
    if (this.server.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  /** Stops listening and cuts every open connection: clients get ECONNREFUSED. */
  async refuseConnections(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Listens again on the same port after refuseConnections(). */
  acceptConnections(): Promise<void> {
    return this.listen();
  }

  /** The next `n` model calls get an HTTP error page without being run. */
  failNext(n = 1, status: 500 | 502 | 503 = 500, target: CallTarget = {}): void {
    this.switches.arm({ kind: 'fail', status }, n, target);
  }

  /** Model calls wait `ms` before being run and answered (every call unless `times` is given). */
  hang(ms: number, options: CallTarget & { times?: number } = {}): void {
    const { times = Infinity, ...target } = options;
    this.switches.arm({ kind: 'hang', ms }, times, target);
  }

  /** The next `n` model calls are run and committed, then the connection is closed without an answer. */
  dropResponseAfterCommit(n = 1, target: CallTarget = {}): void {
    this.switches.arm({ kind: 'drop' }, n, target);
  }

  /** The next model calls (once unless `times` is given) raise the named Odoo exception. */
  failWith(name: string, message: string, options: CallTarget & { times?: number } = {}): void {
    const { times = 1, ...target } = options;
    this.switches.arm({ kind: 'failWith', name, message }, times, target);
  }

  /** Odoo goes down after `n` more matching model calls: the next `times` get an HTTP error page without being run. */
  failAfter(n: number, status: 500 | 502 | 503 = 503, times = Infinity, target: CallTarget = {}): void {
    this.switches.arm({ kind: 'fail', status }, times, target, n);
  }

  /** Once `n` more matching model calls have been run and answered, connections are refused until acceptConnections(). */
  refuseConnectionsAfter(n: number, target: CallTarget = {}): void {
    if (n <= 0) void this.refuseConnections();
    else this.switches.arm({ kind: 'refuse' }, 1, target, n - 1);
  }

  /** Disarms every failure switch; records and the request log stay. */
  clearSwitches(): void {
    this.switches.clear();
  }

  /** Model calls in the request log matching the target (and outcome, if given). */
  callCount(target: CallTarget & { outcome?: FakeOdooOutcome } = {}): number {
    return this.requests.filter(
      (r) =>
        r.model !== undefined &&
        (target.model === undefined || r.model === target.model) &&
        (target.method === undefined || r.method === target.method) &&
        (target.outcome === undefined || r.outcome === target.outcome),
    ).length;
  }

  /** Back to a fresh, listening server: no switches, no records but the base data, the real clock, an empty log. */
  async reset(): Promise<void> {
    this.abandonHangs();
    this.switches.clear();
    this.clock = realClock;
    this.store = new FakeStore(() => this.clock());
    this.requests.length = 0;
    this.maxInFlight = this.active;
    await this.acceptConnections();
  }

  /** The clock write_date and create_date are stamped from; reset() goes back to real time. */
  setClock(clock: Clock): void {
    this.clock = clock;
  }

  /** The clock's current time as Odoo text. */
  now(): string {
    return odooDatetime(this.clock());
  }

  /** Stored rows in id order: many2one as ids, computed fields only when Odoo stores them. */
  records(model: string): Row[] {
    return structuredClone(this.store.rows(model));
  }

  /**
   * Creates a record directly, as if it already existed in Odoo. An explicit `write_date` makes it (and
   * whatever its creation stamps, such as its order's total) look committed at that time; an explicit
   * `create_date` is kept as given.
   */
  seed(model: string, values: Record<string, unknown>): number {
    const { write_date: writeDate, create_date: createDate, ...rest } = values;
    const created = createDate === undefined ? undefined : requireTime(createDate);
    const at = writeDate === undefined ? undefined : requireTime(writeDate);
    return this.store.transaction(() => this.store.create(model, rest, created), at);
  }

  seedMany(model: string, valuesList: Record<string, unknown>[]): number[] {
    return valuesList.map((values) => this.seed(model, values));
  }

  /** Edits a record as a user in Odoo would: a write in a transaction of its own, stamping write_date now. */
  update(model: string, id: number, values: Record<string, unknown> = {}): void {
    this.store.transaction(() => this.store.write(model, [id], values));
  }

  /** Archives (or restores) a record with an `active` field, as a user in Odoo would. */
  setActive(model: string, id: number, active: boolean): void {
    this.update(model, id, { active });
  }

  /** Marks every line of a sale order delivered (in full, or `qty` each), as a validated delivery would. */
  deliver(orderId: number, qty?: number): void {
    this.store.transaction(() => {
      for (const line of this.store.rowsPointingAt('sale.order.line', 'order_id', orderId)) {
        this.store.write('sale.order.line', [line.id], { qty_delivered: qty ?? line.product_uom_qty });
      }
    });
  }

  /** Marks a sale order fully invoiced, as a posted invoice would. */
  invoice(orderId: number): void {
    this.update('sale.order', orderId, { invoice_status: 'invoiced' });
  }

  /**
   * A transaction that began at `writeDate` and commits only now: the record it creates (plain values) or
   * writes (`{ id, values }`) becomes visible with that older write_date. Returns the record's id.
   */
  commitLate(
    model: string,
    change: Record<string, unknown> | { id: number; values: Record<string, unknown> },
    writeDate: string | Date,
  ): number {
    return this.store.transaction(() => {
      if (isUpdate(change)) {
        this.store.write(model, [change.id], change.values);
        return change.id;
      }
      return this.store.create(model, change);
    }, requireTime(writeDate));
  }

  async close(): Promise<void> {
    this.abandonHangs();
    await this.refuseConnections();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.active++;
    this.maxInFlight = Math.max(this.maxInFlight, this.active);
    res.on('close', () => this.active--);

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;

    if (req.method === 'GET' && path === '/web/version') {
      return writeJson(res, 200, { version_info: SERVER_VERSION_INFO, version: SERVER_VERSION });
    }
    const json2Path = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(path);
    if (path !== '/jsonrpc' && !json2Path) return writeHtmlError(res, 404);
    if (req.method !== 'POST') return writeHtmlError(res, 405);

    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return writeHtmlError(res, 400);
    }
    if (json2Path) {
      return this.handleJson2(decodeURIComponent(json2Path[1]!), decodeURIComponent(json2Path[2]!), req, res, body);
    }
    return this.handleJsonRpc(res, body);
  }

  private async handleJsonRpc(res: http.ServerResponse, body: unknown): Promise<void> {
    const request = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const id = request.id ?? null;
    const params = (request.params ?? {}) as { service?: unknown; method?: unknown; args?: unknown };
    const args = Array.isArray(params.args) ? params.args : [];
    const method = String(params.method);
    const entry = (fields: Omit<FakeOdooRequest, 'protocol' | 'timestamp' | 'outcome' | 'method'>) =>
      this.log({ protocol: 'jsonrpc', method, ...fields });
    const reply = (log: FakeOdooRequest): Reply => ({
      result: (value) => this.answer(res, log, 200, jsonRpcResult(id, value)),
      exception: (exception) => this.answer(res, log, 200, jsonRpcError(id, exception), exception),
    });

    if (params.service === 'common') {
      const log = entry({
        service: 'common',
        args: method === 'authenticate' || method === 'login' ? maskAt(args, 2) : args,
      });
      if (method === 'version') {
        return reply(log).result({
          server_version: SERVER_VERSION,
          server_version_info: SERVER_VERSION_INFO,
          server_serie: SERVER_VERSION,
          protocol_version: 1,
        });
      }
      if (method === 'authenticate' || method === 'login') {
        const [db, login, password] = args;
        const valid = db === this.db && login === this.login && password === this.apiKey;
        return reply(log).result(valid ? FAKE_UID : false);
      }
      return reply(log).exception(new OdooException('builtins.KeyError', `'exp_${method}'`));
    }

    if (params.service === 'object' && method === 'execute_kw') {
      const [db, uid, password, model, modelMethod, callArgs = [], kwargs = {}] = args as unknown[];
      const log = this.log({
        protocol: 'jsonrpc',
        service: 'object',
        model: String(model),
        method: String(modelMethod),
        args: callArgs,
        kwargs: kwargs as Record<string, unknown>,
      });
      const denied = db === this.db && uid === FAKE_UID && password === this.apiKey ? undefined : accessDenied();
      return this.runModelCall(res, log, denied, reply(log), () => {
        if (typeof model !== 'string' || typeof modelMethod !== 'string' || !Array.isArray(callArgs)) {
          throw typeError('execute_kw() expects (db, uid, password, model, method, args, kwargs)');
        }
        return fromExecuteKw(model, modelMethod, callArgs, (kwargs ?? {}) as Record<string, unknown>);
      });
    }

    const log = entry({ service: params.service === 'object' ? 'object' : undefined, args });
    return reply(log).exception(
      new OdooException('builtins.KeyError', `unknown service or method: ${String(params.service)}.${method}`),
    );
  }

  private async handleJson2(
    model: string,
    method: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: unknown,
  ): Promise<void> {
    const log = this.log({ protocol: 'json2', model, method, args: body });
    const reply: Reply = {
      result: (value) => this.answer(res, log, 200, value),
      exception: (exception) => {
        const { status, body: errorBody } = json2Error(exception);
        this.answer(res, log, status, errorBody, exception);
      },
    };
    const database = req.headers['x-odoo-database'];
    const denied =
      bearerKey(req.headers) === this.apiKey && (database === undefined || database === this.db)
        ? undefined
        : unauthorized();
    return this.runModelCall(res, log, denied, reply, () => {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw badRequest('The body must be a JSON object');
      }
      return fromJson2(model, method, body as Record<string, unknown>);
    });
  }

  private async runModelCall(
    res: http.ServerResponse,
    log: FakeOdooRequest,
    denied: OdooException | undefined,
    reply: Reply,
    parse: () => OrmCall,
  ): Promise<void> {
    const failure = this.switches.take('fail', log);
    if (failure) {
      log.outcome = 'http_error';
      log.status = failure.status;
      return writeHtmlError(res, failure.status);
    }
    const hang = this.switches.take('hang', log);
    if (hang) {
      const generation = this.generation;
      await this.sleep(hang.ms);
      if (generation !== this.generation) {
        log.outcome = 'aborted';
        res.destroy();
        return;
      }
    }
    let result: unknown;
    try {
      if (denied) throw denied;
      const call = parse();
      const injected = this.switches.take('failWith', log);
      if (injected) throw new OdooException(injected.name, injected.message);
      result = invoke(this.store, call);
    } catch (err) {
      if (!(err instanceof OdooException)) throw err;
      this.refuseIfDue(res, log);
      return reply.exception(err);
    }
    if (this.switches.take('drop', log)) {
      log.outcome = 'dropped';
      res.socket?.destroy();
      return;
    }
    this.refuseIfDue(res, log);
    reply.result(result);
  }

  /** Stops listening before this answer goes out, which closes its connection: the client's next call is refused. */
  private refuseIfDue(res: http.ServerResponse, log: FakeOdooRequest): void {
    if (!this.switches.take('refuse', log)) return;
    res.setHeader('Connection', 'close');
    this.server.close();
    this.server.closeIdleConnections();
  }

  private answer(
    res: http.ServerResponse,
    log: FakeOdooRequest,
    status: number,
    body: unknown,
    exception?: OdooException,
  ): void {
    if (res.destroyed || res.socket?.destroyed !== false) {
      log.outcome = 'client_gone';
      return;
    }
    log.outcome = exception ? 'odoo_error' : 'ok';
    log.status = status;
    if (exception) log.error = exception.odooName;
    writeJson(res, status, body);
  }

  private log(fields: Omit<FakeOdooRequest, 'timestamp' | 'outcome'>): FakeOdooRequest {
    const entry: FakeOdooRequest = { ...fields, timestamp: Date.now(), outcome: 'pending' };
    this.requests.push(entry);
    return entry;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeps.delete(timer);
        resolve();
      }, ms);
      this.sleeps.set(timer, resolve);
    });
  }

  private abandonHangs(): void {
    this.generation++;
    for (const [timer, wake] of this.sleeps) {
      clearTimeout(timer);
      wake();
    }
    this.sleeps.clear();
  }
}

function requireTime(value: unknown): string {
  const text = toStoredDatetime(value);
  if (!text) throw new Error(`Expected a time as a Date or Odoo text, got ${JSON.stringify(value)}`);
  return text;
}

function isUpdate(change: object): change is { id: number; values: Record<string, unknown> } {
  const keys = Object.keys(change);
  return keys.length === 2 && typeof (change as { id?: unknown }).id === 'number' && 'values' in change;
}

function maskAt(args: unknown[], index: number): unknown[] {
  return args.map((value, i) => (i === index ? MASK : value));
}

export async function startFakeOdoo(): Promise<FakeOdoo> {
  const fake = new FakeOdoo();
  await fake.listen();
  return fake;
}
