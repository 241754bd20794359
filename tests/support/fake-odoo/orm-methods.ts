import { OdooException, typeError } from './odoo-exception';
import { FakeStore } from './store';

/** A model method call once the protocol's argument style has been undone. */
export interface OrmCall {
  model: string;
  method: string;
  ids: number[] | undefined;
  params: Record<string, unknown>;
}

interface Signature {
  /** Record methods run on `ids`; model methods have none. */
  record: boolean;
  params: string[];
  models?: string[];
}

const SIGNATURES: Record<string, Signature> = {
  search: { record: false, params: ['domain', 'offset', 'limit', 'order'] },
  search_read: { record: false, params: ['domain', 'fields', 'offset', 'limit', 'order'] },
  search_count: { record: false, params: ['domain', 'limit'] },
  create: { record: false, params: ['vals_list'] },
  read: { record: true, params: ['fields'] },
  write: { record: true, params: ['vals'] },
  unlink: { record: true, params: [] },
  action_confirm: { record: true, params: [], models: ['sale.order'] },
  action_cancel: { record: true, params: [], models: ['sale.order'] },
};

// Odoo passes `context` to every method besides its own parameters.
const ALWAYS_ACCEPTED = new Set(['context']);

function checkTarget(model: string, method: string, json2: boolean): Signature {
  if (!FakeStore.knowsModel(model)) {
    throw json2
      ? new OdooException('werkzeug.exceptions.NotFound', `Not Found: model ${model} does not exist`, 404)
      : new OdooException('odoo.exceptions.UserError', `Object ${model} doesn't exist`);
  }
  const signature = SIGNATURES[method];
  if (!signature || (signature.models && !signature.models.includes(model))) {
    const message = `The method '${method}' does not exist on the model '${model}'`;
    throw json2
      ? new OdooException('werkzeug.exceptions.NotFound', message, 404)
      : new OdooException('builtins.AttributeError', message);
  }
  return signature;
}

function idList(value: unknown, method: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v))) {
    throw typeError(`${method}() expects a list of record ids, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

function checkParamNames(method: string, signature: Signature, names: string[]): void {
  for (const name of names) {
    if (!signature.params.includes(name) && !ALWAYS_ACCEPTED.has(name)) {
      throw typeError(`${method}() got an unexpected keyword argument '${name}'`);
    }
  }
}

/** execute_kw(model, method, args, kwargs): record methods take their ids as the first positional argument. */
export function fromExecuteKw(
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
): OrmCall {
  const signature = checkTarget(model, method, false);
  let ids: number[] | undefined;
  let positional = args;
  if (signature.record) {
    if (args.length === 0) throw typeError(`${method}() missing 1 required positional argument: 'ids'`);
    ids = idList(args[0], method);
    positional = args.slice(1);
  }
  if (positional.length > signature.params.length) {
    throw typeError(
      `${method}() takes ${signature.params.length} positional arguments but ${positional.length} were given`,
    );
  }
  checkParamNames(method, signature, Object.keys(kwargs));
  const params: Record<string, unknown> = { ...kwargs };
  positional.forEach((value, i) => {
    const name = signature.params[i]!;
    if (name in kwargs) throw typeError(`${method}() got multiple values for argument '${name}'`);
    params[name] = value;
  });
  return { model, method, ids, params };
}

/** JSON-2 body: `ids` for record methods, every other parameter by name. */
export function fromJson2(model: string, method: string, body: Record<string, unknown>): OrmCall {
  const signature = checkTarget(model, method, true);
  const { ids: rawIds, ...params } = body;
  checkParamNames(method, signature, Object.keys(params));
  const ids = signature.record ? idList(rawIds ?? [], method) : undefined;
  return { model, method, ids, params };
}

function domainOf(params: Record<string, unknown>): unknown[] {
  const domain = params.domain ?? [];
  if (!Array.isArray(domain)) throw typeError(`domain must be a list, got ${JSON.stringify(domain)}`);
  return domain;
}

/** Odoo's rule: archived records are hidden unless the context sets a falsy `active_test`. */
function activeTest(params: Record<string, unknown>): boolean {
  const context = params.context;
  if (context === undefined || context === null) return true;
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw typeError(`context must be a dict, got ${JSON.stringify(context)}`);
  }
  if (!('active_test' in context)) return true;
  const flag = (context as Record<string, unknown>).active_test;
  return Array.isArray(flag) ? flag.length > 0 : Boolean(flag);
}

function searchOptions(params: Record<string, unknown>) {
  return {
    offset: typeof params.offset === 'number' ? params.offset : undefined,
    limit: typeof params.limit === 'number' ? params.limit : undefined,
    order: typeof params.order === 'string' ? params.order : undefined,
    activeTest: activeTest(params),
  };
}

function fieldList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? (value as string[]) : undefined;
}

/** Runs the call against the store in one transaction and returns what Odoo would serialise. */
export function invoke(store: FakeStore, call: OrmCall): unknown {
  const { model, params } = call;
  const ids = call.ids ?? [];
  return store.transaction(() => {
    switch (call.method) {
      case 'search':
        return store.search(model, domainOf(params), searchOptions(params));
      case 'search_count': {
        const { limit, activeTest } = searchOptions(params);
        return store.count(model, domainOf(params), { limit, activeTest });
      }
      case 'search_read': {
        const fields = fieldList(params.fields);
        // Odoo checks the fields before searching, so a bad field fails even when nothing matches.
        store.read(model, [], fields);
        return store.read(model, store.search(model, domainOf(params), searchOptions(params)), fields);
      }
      case 'read':
        return store.read(model, ids, fieldList(params.fields));
      case 'create': {
        const vals = params.vals_list;
        if (Array.isArray(vals)) return vals.map((v) => store.create(model, v as Record<string, unknown>));
        if (typeof vals === 'object' && vals !== null) return store.create(model, vals as Record<string, unknown>);
        throw typeError(`create() expects a dict or a list of dicts, got ${JSON.stringify(vals)}`);
      }
      case 'write':
        store.write(model, ids, (params.vals ?? {}) as Record<string, unknown>);
        return true;
      case 'unlink':
        store.unlink(model, ids);
        return true;
      case 'action_confirm':
        store.actionConfirm(ids);
        return true;
      case 'action_cancel':
        store.actionCancel(ids);
        return true;
      default:
        throw typeError(`${call.method} is not implemented by the fake`);
    }
  });
}
