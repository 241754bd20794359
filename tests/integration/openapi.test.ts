import { createApiApp } from '../../api/app';
import { createLogger } from '../../observability/logger';
import { useServiceFixture } from '../support/fixtures';
import type { TestService } from '../support/service-harness';

jest.setTimeout(60_000);

const NOT_OPERATIONS = ['/openapi.json', '/docs', '/docs/redoc.standalone.js'];

describe('OpenAPI document', () => {
  let service: TestService;
  useServiceFixture({ withWorker: false, ready: (f) => ({ service } = f) });

  it('documents every route the router serves, with its scope and error responses', async () => {
    const log = createLogger('silent');
    const { router } = createApiApp({
      ...service.resources,
      config: service.config,
      log,
    });
    const doc = (await service.request('GET', '/openapi.json')).body;
    const served = router.stack
      // The document itself and the /docs page that renders it are not API operations.
      .filter((layer) => typeof layer.path === 'string' && !NOT_OPERATIONS.includes(layer.path))
      .flatMap((layer) =>
        layer.methods
          .filter((m) => m !== 'HEAD')
          .map((m) => [m.toLowerCase(), (layer.path as string).replace(/:([A-Za-z_]+)/g, '{$1}')]),
      );
    expect(served.length).toBeGreaterThan(20);
    for (const [method, path] of served) {
      const operation = doc.paths[path!]?.[method!];
      expect({ method, path, documented: Boolean(operation) }).toEqual({ method, path, documented: true });
      if (path!.startsWith('/api/')) {
        expect(['odoo', 'webshop', 'admin']).toContain(operation['x-required-scope']);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
      }
    }
    const operationIds = Object.values(doc.paths).flatMap((p) =>
      Object.values(p as Record<string, { operationId?: string }>)
        .map((o) => o.operationId)
        .filter(Boolean),
    );
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(doc.components.schemas.Error.properties.error).toBeDefined();
  });

  it('types ids, timestamps and cursors, and documents what bad input and bodies answer', async () => {
    const doc = (await service.request('GET', '/openapi.json')).body;
    const problems: string[] = [];
    /** Every property of a schema, however deep, with the path to it (without following references). */
    const properties = (schema: any, at: string, out: [string, any][] = []): [string, any][] => {
      if (!schema || typeof schema !== 'object') return out;
      for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, any>)) {
        out.push([`${at}.${name}`, child]);
        properties(child, `${at}.${name}`, out);
      }
      for (const key of ['items', 'additionalProperties']) properties(schema[key], `${at}[]`, out);
      for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
        properties(branch, at, out);
      }
      return out;
    };
    const nonNull = (schema: any): any[] =>
      schema.anyOf ? schema.anyOf.filter((b: any) => b.type !== 'null') : [schema];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        for (const param of op.parameters ?? []) {
          if (param.in === 'path' && param.name === 'id') {
            if (param.schema.type !== 'integer' || param.schema.minimum !== 1) {
              problems.push(`${name}: path parameter id is not an integer of minimum 1`);
            }
          }
          if (param.name === 'cursor' && !param.schema.description) problems.push(`${name}: cursor undescribed`);
        }
        if (method === 'post' && path.startsWith('/api/')) {
          for (const status of ['400', '413', '415']) {
            if (!op.responses[status]) problems.push(`${name}: a POST without response ${status}`);
          }
        }
        if (path.startsWith('/api/') && !op.responses['503']) problems.push(`${name}: no response 503`);
        for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
          const schema = response.content?.['application/json']?.schema;
          for (const [at, prop] of properties(schema, `${name} ${status}`)) {
            const field = at.slice(at.lastIndexOf('.') + 1);
            if (/(_at|^date_\w+)$/.test(field) && !nonNull(prop).every((s) => s.format === 'date-time')) {
              problems.push(`${at}: a timestamp without format date-time`);
            }
            if (field === 'id' && !nonNull(prop).every((s) => s.type === 'string' || s.minimum === 1)) {
              problems.push(`${at}: an integer id without minimum 1`);
            }
            if (field === 'next_cursor' && !prop.description) problems.push(`${at}: next_cursor undescribed`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
