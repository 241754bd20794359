/**
 * The OpenAPI document tells the truth. Every operation the served document lists is called with requests built
 * from the document alone: a valid one (its documented examples, else values generated from its schemas) and
 * deliberately bad ones (no token, a token of another scope, each path and query parameter wrong-typed or out of
 * range, for a POST an invalid body, malformed JSON, a body over the limit, an unreadable Content-Encoding).
 * Every answer must carry a status the operation documents, with a body that the schema documented for that
 * status accepts (Ajv, JSON Schema 2020-12, with the whole document loaded so `components.schemas` resolve),
 * and never a 5xx. Deterministic: no randomness, the requests follow from the document.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { useServiceFixture } from '../support/fixtures';
import { eventually } from '../support/service-harness';

jest.setTimeout(180_000);

/** Small, so a body over the limit is cheap to send. */
const BODY_LIMIT = '16kb';
const OVER_LIMIT_BYTES = 20 * 1024;
/** The id the document is loaded into Ajv under: its `#/...` references resolve against it. */
const DOC_ID = 'https://odoo-webshop-sync.test/openapi.json';
/**
 * Ajv compiles the document's root to resolve references into it: the OpenAPI fields of the root are no schema
 * keywords, and OpenAPI's base vocabulary adds `example`, `discriminator`, `xml`, `externalDocs` to schemas.
 */
const OPENAPI_KEYWORDS = [
  ...['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags'],
  ...['externalDocs', 'example', 'discriminator', 'xml'],
];
const ENTITIES_TO_PROCESS = ['product', 'partner', 'sale_order', 'stock', 'purchase_order'];
/**
 * Complete Odoo settings (pointing nowhere: nothing here needs an answer), so the operations that need Odoo
 * configured (starting a pull) can answer their 2xx; no Schedule pulls on its own meanwhile.
 */
const ODOO_SETTINGS = {
  ODOO_URL: 'http://127.0.0.1:9',
  ODOO_DB: 'none',
  ODOO_LOGIN: 'none',
  ODOO_API_KEY: 'none',
  ODOO_PULL_INTERVAL: 'off',
};

type Json = any;

interface Operation {
  method: string;
  path: string;
  spec: Json;
  /** `METHOD /path`, for messages. */
  name: string;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Json;
  example?: unknown;
}

interface Request {
  label: string;
  url: string;
  token?: string;
  body?: string;
  headers?: Record<string, string>;
  /** The status the request must get, when the request is meant to get exactly one. */
  expect?: number | '4xx';
}

interface Answer {
  status: number;
  contentType: string;
  body: unknown;
}

/** A JSON pointer segment, escaped for a pointer and then for a URI fragment. */
const segment = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));
const pointer = (...parts: string[]) => `#/${parts.map(segment).join('/')}`;

/** Operations that write what later ones read go first; acknowledgements last. */
/**
 * Operations whose 2xx needs a state no documented example leads to here (abandon: a webshop order failed in
 * Odoo, which needs an Odoo that refuses it; resolve: an order in conflict, which needs an Odoo edited by hand).
 * Their statuses and bodies are still checked; their 2xx bodies are checked by sync-back-lifecycle.test.ts and
 * sync-back-order-updates.test.ts.
 */
const NEEDS_STATE_EXAMPLES_CANNOT_MAKE = new Set([
  'POST /api/v1/admin/workflows/{workflow_id}/abandon',
  'POST /api/v1/admin/workflows/{workflow_id}/resolve',
]);

function rank(op: Operation): number {
  if (op.method === 'delete' || op.path.endsWith('/batch-delete')) return 3;
  if (op.method === 'post') return op.spec.requestBody ? 0 : 2;
  return 1;
}

describe('the OpenAPI document against the running service', () => {
  const fixture = useServiceFixture({
    env: { BODY_LIMIT, TOKEN_RATE_LIMIT_PER_MINUTE: '100000', ...ODOO_SETTINGS },
    tokens: ['odoo', 'webshop', 'admin'],
  });
  let doc: Json;
  let ajv: Ajv2020;
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    const res = await fetch(`${fixture.service.api.url}/openapi.json`);
    expect(res.status).toBe(200);
    doc = await res.json();
    ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addVocabulary(OPENAPI_KEYWORDS);
    ajv.addSchema(doc, DOC_ID);
  });

  /** The validator of the schema at `ref` (a fragment of the document). */
  const validatorAt = (ref: string): ValidateFunction => {
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOC_ID}${ref}` });
      validators.set(ref, validate);
    }
    return validate;
  };
  const problemsAt = (ref: string, value: unknown): string | undefined => {
    const validate = validatorAt(ref);
    if (validate(value)) return undefined;
    return ajv.errorsText(validate.errors, { separator: '; ', dataVar: 'body' }).slice(0, 600);
  };

  /** Follows `$ref`s within the document. */
  const deref = (schema: Json): Json => {
    let current = schema;
    for (let i = 0; i < 20 && current && typeof current.$ref === 'string'; i++) {
      const parts = (current.$ref as string).replace(/^#\//, '').split('/');
      current = parts.reduce(
        (node: Json, part) => node?.[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')],
        doc,
      );
    }
    return current;
  };

  /** A value the schema accepts: its examples, default or const first, else the least value of its type. */
  const sample = (raw: Json): unknown => {
    const schema = deref(raw) ?? {};
    if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
    if ('example' in schema) return schema.example;
    if ('default' in schema) return schema.default;
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum)) return schema.enum[0];
    const branches = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(branches)) return sample(branches.find((b: Json) => deref(b)?.type !== 'null') ?? branches[0]);
    const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
    switch (type) {
      case 'object':
        return Object.fromEntries(
          ((schema.required ?? []) as string[]).map((name) => [name, sample(schema.properties?.[name] ?? {})]),
        );
      case 'array':
        return Array.from({ length: Math.max(1, schema.minItems ?? 0) }, () => sample(schema.items ?? {}));
      case 'integer':
      case 'number':
        return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : 1);
      case 'boolean':
        return true;
      case 'null':
        return null;
      case 'string':
        if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
        return 'x'.repeat(Math.max(1, schema.minLength ?? 0));
      default:
        return {};
    }
  };

  /** Values of a parameter that its schema refuses: of the wrong type, out of range, not one of the enum. */
  const badValues = (param: Parameter): { label: string; value: string }[] => {
    const schema = deref(param.schema) ?? {};
    const bad: { label: string; value: string }[] = [];
    if (schema.type === 'integer' || schema.type === 'number') {
      bad.push({ label: 'not a number', value: 'not-a-number' });
      if (typeof schema.minimum === 'number') bad.push({ label: 'below minimum', value: String(schema.minimum - 1) });
      if (typeof schema.maximum === 'number') bad.push({ label: 'above maximum', value: `${schema.maximum}0` });
    } else if (Array.isArray(schema.enum)) {
      bad.push({ label: 'not in the enum', value: 'no-such-value' });
    } else if (schema.format === 'date-time') {
      bad.push({ label: 'not a date-time', value: 'not-a-date' });
    } else if (schema.type === 'boolean') {
      bad.push({ label: 'not a boolean', value: 'not-a-boolean' });
    } else if (schema.type === 'string' && (schema.minLength ?? 0) > 0 && param.in === 'query') {
      bad.push({ label: 'empty', value: '' });
    }
    if (param.name === 'cursor') bad.push({ label: 'not a cursor the API issued', value: 'bm90LWEtY3Vyc29y!' });
    return bad;
  };

  /** A value of another type than the schema's, for a body property. */
  const wrongTyped = (raw: Json): unknown => {
    const schema = deref(raw) ?? {};
    const types = new Set<string>(
      [schema.type, ...(schema.anyOf ?? schema.oneOf ?? []).map((b: Json) => deref(b)?.type)].flat().filter(Boolean),
    );
    if (!types.has('object')) return { not: 'what the schema takes' };
    return types.has('integer') || types.has('number') ? 'not-a-number' : 12345;
  };

  /** The object schema a body value is built against: the schema itself, or its first object branch. */
  const objectSchemaOf = (raw: Json): Json => {
    const schema = deref(raw) ?? {};
    if (schema.type === 'object') return schema;
    const branches = (schema.anyOf ?? schema.oneOf ?? []) as Json[];
    return branches.map(deref).find((b) => b?.type === 'object');
  };

  const send = async (op: Operation, req: Request): Promise<Answer> => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-type'] ??= 'application/json';
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    const res = await fetch(`${fixture.service.api.url}${req.url}`, {
      method: op.method.toUpperCase(),
      headers,
      body: req.body,
    });
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    let body: unknown = text;
    if (contentType.startsWith('application/json')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.status, contentType, body };
  };

  /** Everything wrong with an answer, measured against the operation's documented responses. */
  const check = (op: Operation, req: Request, answer: Answer): string[] => {
    const where = `${op.name} [${req.label}] -> ${answer.status}`;
    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`${where}: a 5xx (${JSON.stringify(answer.body).slice(0, 300)})`);
    if (req.expect === '4xx' && (answer.status < 400 || answer.status >= 500)) {
      problems.push(`${where}: a bad request must get a 4xx`);
    } else if (typeof req.expect === 'number' && answer.status !== req.expect) {
      problems.push(`${where}: expected ${req.expect}`);
    }
    const documented = op.spec.responses?.[String(answer.status)];
    if (!documented) {
      problems.push(`${where}: status not documented (documents ${Object.keys(op.spec.responses ?? {}).join(', ')})`);
      return problems;
    }
    const content = (documented.content ?? {}) as Record<string, unknown>;
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) {
      if (answer.body !== '' && answer.body !== undefined) problems.push(`${where}: a body, but none is documented`);
      return problems;
    }
    const mediaType = mediaTypes.find((m) => answer.contentType.startsWith(m));
    if (!mediaType) {
      problems.push(`${where}: content-type ${answer.contentType}, documented ${mediaTypes.join(', ')}`);
      return problems;
    }
    const ref = pointer(
      'paths',
      op.path,
      op.method,
      'responses',
      String(answer.status),
      'content',
      mediaType,
      'schema',
    );
    const invalid = problemsAt(ref, answer.body);
    if (invalid) problems.push(`${where}: body does not match the documented schema: ${invalid}`);
    return problems;
  };

  const operations = (): Operation[] =>
    Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, spec]) => ({ method, path, spec, name: `${method.toUpperCase()} ${path}` })),
    );

  const tokenFor = (scope: string) => fixture[scope as 'odoo' | 'webshop' | 'admin'];
  const otherScope = (scope: string) => (scope === 'odoo' ? 'webshop' : 'odoo');

  /**
   * The requests of an operation: the valid ones (each documented example, else a generated one), then the bad
   * ones. Adds to `problems` where the document's own examples or generated values break its schemas.
   */
  const requestsOf = (op: Operation, problems: string[]): Request[] => {
    const scope: string | undefined = op.spec['x-required-scope'];
    const token = scope ? tokenFor(scope) : undefined;
    const params = ((op.spec.parameters ?? []) as Parameter[]).map((p) => ({ ...p, schema: p.schema ?? {} }));
    const valueOf = (p: Parameter): unknown => ('example' in p ? p.example : sample(p.schema));
    const validValues = new Map<string, unknown>();
    for (const [i, p] of params.entries()) {
      const optionalWithoutHint =
        !p.required &&
        p.in === 'query' &&
        !('example' in p) &&
        !('default' in (deref(p.schema) ?? {})) &&
        !(deref(p.schema)?.examples?.length > 0);
      if (optionalWithoutHint) continue;
      const value = valueOf(p);
      const invalid = problemsAt(pointer('paths', op.path, op.method, 'parameters', String(i), 'schema'), value);
      if (invalid)
        problems.push(`${op.name}: the generated value of ${p.in} parameter ${p.name} is refused: ${invalid}`);
      validValues.set(`${p.in}:${p.name}`, value);
    }
    const urlWith = (override?: { param: Parameter; value: string }): string => {
      let url = op.path;
      const query = new URLSearchParams();
      for (const p of params) {
        const isOverride = override?.param === p;
        const key = `${p.in}:${p.name}`;
        if (!isOverride && !validValues.has(key)) continue;
        const value = isOverride ? override.value : String(validValues.get(key));
        if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(value));
        else if (p.in === 'query') query.set(p.name, value);
      }
      const qs = query.toString();
      return qs ? `${url}?${qs}` : url;
    };

    const requests: Request[] = [];
    const media = op.spec.requestBody?.content?.['application/json'];
    const bodyRef = pointer('paths', op.path, op.method, 'requestBody', 'content', 'application/json', 'schema');
    // The documented examples first (the first one is the body the bad requests start from), then the least
    // body the schema accepts.
    const bodies: { label: string; value: unknown }[] = media
      ? [
          ...Object.entries((media.examples ?? {}) as Record<string, { value: unknown }>).map(([name, e]) => ({
            label: `example ${name}`,
            value: e.value,
          })),
          { label: 'generated body', value: sample(media.schema) },
        ]
      : [];
    for (const body of bodies) {
      const invalid = problemsAt(bodyRef, body.value);
      if (invalid) problems.push(`${op.name}: the ${body.label} is refused by the documented schema: ${invalid}`);
    }
    const validBody = bodies[0] ? JSON.stringify(bodies[0].value) : op.method === 'post' ? '{}' : undefined;
    if (bodies.length) {
      for (const body of bodies)
        requests.push({ label: body.label, url: urlWith(), token, body: JSON.stringify(body.value) });
    } else {
      requests.push({ label: 'valid', url: urlWith(), token, body: validBody });
    }
    if (!scope) return requests;

    requests.push({ label: 'no token', url: urlWith(), body: validBody, expect: 401 });
    requests.push({
      label: `token of scope ${otherScope(scope)}`,
      url: urlWith(),
      token: tokenFor(otherScope(scope)),
      body: validBody,
      expect: 403,
    });
    for (const param of params) {
      if (param.in !== 'path' && param.in !== 'query') continue;
      for (const bad of badValues(param)) {
        requests.push({
          label: `${param.in} ${param.name} ${bad.label}: ${JSON.stringify(bad.value)}`,
          url: urlWith({ param, value: bad.value }),
          token,
          body: validBody,
          expect: '4xx',
        });
      }
    }
    if (op.method === 'post') {
      if (media) {
        requests.push({ label: 'body of the wrong type: []', url: urlWith(), token, body: '[]', expect: 400 });
        const objectSchema = objectSchemaOf(media.schema);
        const valid = bodies[0]?.value as Record<string, unknown> | undefined;
        const required = (objectSchema?.required ?? []) as string[];
        if (valid && typeof valid === 'object' && required[0]) {
          const name = required[0];
          const value = { ...valid, [name]: wrongTyped(objectSchema.properties?.[name] ?? {}) };
          requests.push({
            label: `body with ${name} wrong-typed`,
            url: urlWith(),
            token,
            body: JSON.stringify(value),
            expect: 400,
          });
          const { [name]: _dropped, ...without } = valid;
          requests.push({
            label: `body without ${name}`,
            url: urlWith(),
            token,
            body: JSON.stringify(without),
            expect: 400,
          });
        }
      }
      requests.push({ label: 'malformed JSON', url: urlWith(), token, body: '{"ids": [1,', expect: 400 });
      requests.push({
        label: 'body over the limit',
        url: urlWith(),
        token,
        body: JSON.stringify({ padding: 'x'.repeat(OVER_LIMIT_BYTES) }),
        expect: 413,
      });
      requests.push({
        label: 'unreadable Content-Encoding',
        url: urlWith(),
        token,
        body: validBody,
        headers: { 'content-encoding': 'snappy' },
        expect: 415,
      });
    }
    return requests;
  };

  it('loads into Ajv whole, every reference resolving, every schema compiling', () => {
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.add(value);
          else walk(value);
        }
      }
    };
    walk(doc);
    for (const ref of refs) {
      expect({ ref, resolves: ref.startsWith('#/') && deref({ $ref: ref }) !== undefined }).toEqual({
        ref,
        resolves: true,
      });
    }
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => validatorAt(pointer('components', 'schemas', name))).not.toThrow();
    }
    for (const op of operations()) {
      for (const status of Object.keys(op.spec.responses)) {
        for (const mediaType of Object.keys(op.spec.responses[status].content ?? {})) {
          expect(() =>
            validatorAt(pointer('paths', op.path, op.method, 'responses', status, 'content', mediaType, 'schema')),
          ).not.toThrow();
        }
      }
    }
  });

  it('answers every request built from the document with a documented status and body, never a 5xx', async () => {
    const problems: string[] = [];
    const succeeded = new Set<string>();
    const ordered = operations()
      .map((op, index) => ({ op, index }))
      .sort((a, b) => rank(a.op) - rank(b.op) || a.index - b.index)
      .map(({ op }) => op);
    let waited = false;
    for (const op of ordered) {
      if (rank(op) > 0 && !waited) {
        waited = true;
        // The records the examples pushed, processed by the worker, so the feeds and {id} routes serve them.
        await eventually(
          async () => {
            const overview = await send(
              { method: 'get', path: '', spec: {}, name: '' },
              { label: '', url: '/api/v1/admin/overview', token: fixture.admin },
            );
            const entities = (overview.body as Json)?.entities ?? {};
            return ENTITIES_TO_PROCESS.every((type) => entities[type]?.processed >= 1) ? true : undefined;
          },
          60_000,
          'the example records to be processed',
        );
      }
      for (const req of requestsOf(op, problems)) {
        const answer = await send(op, req);
        problems.push(...check(op, req, answer));
        if (answer.status >= 200 && answer.status < 300) succeeded.add(op.name);
      }
    }
    for (const op of operations()) {
      if (!succeeded.has(op.name) && !NEEDS_STATE_EXAMPLES_CANNOT_MAKE.has(op.name)) {
        problems.push(`${op.name}: no request got a 2xx, its success body went unchecked`);
      }
    }
    expect(problems).toEqual([]);
  });
});
