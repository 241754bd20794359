import { z } from 'zod';
import type { RouteDef } from './route-table';

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
  }),
});

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;

/**
 * A recursive schema comes out of zod with local `$defs` and `#/$defs/...` references, which in an OpenAPI
 * document would point at the document's root: moves them into `components.schemas` under unique names.
 */
function hoistDefinitions(schema: JsonSchema, name: string, components: Record<string, unknown>): JsonSchema {
  const { $defs: defs, ...rest } = schema as JsonSchema & { $defs?: Record<string, unknown> };
  if (!defs) return schema;
  const renamed = new Map(Object.keys(defs).map((key, i) => [key, `${name}_${i}`]));
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => {
        const local = key === '$ref' && typeof v === 'string' ? /^#\/\$defs\/(.+)$/.exec(v)?.[1] : undefined;
        return [key, local ? `#/components/schemas/${renamed.get(local) ?? local}` : rewrite(v)];
      }),
    );
  };
  for (const [key, def] of Object.entries(defs)) components[renamed.get(key)!] = rewrite(def);
  return rewrite(rest) as JsonSchema;
}

const STANDARD_ERRORS: Record<number, string> = {
  401: 'Missing, unknown, inactive or expired token',
  403: 'The token lacks the scope',
  429: 'Over the token rate limit (see Retry-After)',
  500: 'Unexpected failure',
};

function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

function queryParameters(schema: z.ZodType | undefined) {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

/** The OpenAPI 3.1 document of every route, built from the same definitions the router mounts. */
export function buildOpenApiDocument(routes: readonly RouteDef[], version: string): Record<string, unknown> {
  const schemas: Record<string, unknown> = { Error: jsonSchema(errorSchema, 'output') };
  const paths: Record<string, Record<string, unknown>> = {
    '/health': {
      get: { summary: 'Liveness', tags: ['operations'], security: [], responses: { 200: { description: 'Alive' } } },
    },
    '/ready': {
      get: {
        summary: 'Readiness: database, Temporal and (if configured) the legacy database',
        tags: ['operations'],
        security: [],
        responses: { 200: { description: 'Ready' }, 503: { description: 'Names what is down' } },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        tags: ['operations'],
        security: [],
        responses: { 200: { description: 'Text format' } },
      },
    },
  };
  for (const route of routes) {
    const path = toOpenApiPath(route.path);
    const pathParams = [...route.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(route.responses)) {
      const schema =
        r.schema && hoistDefinitions(jsonSchema(r.schema, 'output'), `${route.operationId}_${status}`, schemas);
      responses[status] = schema
        ? { description: r.description, content: { 'application/json': { schema } } }
        : {
            description: r.description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          };
    }
    for (const [status, description] of Object.entries(STANDARD_ERRORS)) {
      responses[status] ??= {
        description,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    (paths[path] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      'x-required-scope': route.scope,
      parameters: [...pathParams, ...queryParameters(route.query)],
      ...(route.requestBody
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: hoistDefinitions(
                    jsonSchema(route.requestBody, 'input'),
                    `${route.operationId}_body`,
                    schemas,
                  ),
                },
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'odoo-webshop-sync',
      version,
      description:
        'Odoo pushes records, the webshop pulls acknowledged delta feeds and pushes its orders. Scopes: odoo, webshop, admin (admin may call everything).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas,
    },
    paths,
  };
}
