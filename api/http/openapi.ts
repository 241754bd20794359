import { z } from 'zod';
import type { RouteDef } from './route-table';

const errorSchema = z.object({
  error: z.object({
    code: z
      .string()
      .describe(
        'Machine code: validation_failed, invalid_json, not_found, unauthorized, forbidden, rate_limited, ' +
          'payload_too_large, unsupported_media_type, database_unavailable, internal_error, ...',
      ),
    message: z.string().describe('For humans; never a stack trace'),
    details: z
      .array(
        z.object({
          path: z.string().optional().describe('Where the problem is, e.g. `products.3.prices.0.price`'),
          message: z.string(),
        }),
      )
      .describe('One entry per problem of a validation error; empty otherwise'),
  }),
});

/** What `/ready` reports of each dependency: its status (up, down, not_configured, configured) and more. */
const readyChecks = z.record(z.string(), z.looseObject({ status: z.string() }));
const healthSchema = z.object({ status: z.literal('ok') });
const readySchema = z.object({ status: z.literal('ready'), checks: readyChecks });
const notReadySchema = errorSchema.extend({ checks: readyChecks });

type JsonSchema = Record<string, unknown>;

/** A schema to embed in the document: without `$schema`, which only a schema resource's root may carry. */
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  return rest;
};

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

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
};

/** What every `/api/v1` operation may answer, whatever it does: authentication, rate limit, failures. */
const STANDARD_ERRORS: Record<number, { description: string; headers?: Record<string, unknown> }> = {
  401: {
    description: 'Missing, unknown, inactive or expired token (unauthorized)',
    headers: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } },
  },
  403: { description: 'The token lacks the scope (forbidden)' },
  429: { description: 'Over the token rate limit (rate_limited)', headers: RETRY_AFTER },
  500: { description: 'Unexpected failure (internal_error); never caused by bad input' },
  503: { description: 'The database cannot be reached for now (database_unavailable)', headers: RETRY_AFTER },
};

/**
 * What every POST may answer about its body, before any handler reads it: the body parser reads the body of
 * every POST (a body or none), whether or not the operation takes one.
 */
const BODY_ERRORS: Record<number, string> = {
  400: 'The body is not valid JSON (invalid_json), or is nested too deep or holds invalid text (validation_failed)',
  413: 'The body is larger than the limit (payload_too_large)',
  415: 'The body has a Content-Encoding the service does not read (unsupported_media_type)',
};

const jsonContent = (schema: z.ZodType) => ({ 'application/json': { schema: jsonSchema(schema, 'output') } });

function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

/** Each query parameter: name, whether required, its schema (with its default, examples) and its description. */
function queryParameters(schema: z.ZodType | undefined) {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

/** Each `:name` of the path, with the schema the route declares for it (a plain string when it declares none). */
function pathParameters(route: RouteDef) {
  const declared = route.params
    ? ((jsonSchema(route.params, 'input') as { properties?: Record<string, JsonSchema> }).properties ?? {})
    : {};
  return [...route.path.matchAll(/:([A-Za-z_]+)/g)].map(([, name]) => {
    const schema = declared[name!] ?? { type: 'string' };
    return {
      name,
      in: 'path',
      required: true,
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      schema,
    };
  });
}

/** The route's own responses, then what every POST may answer about its body, then the standard errors. */
function responsesOf(route: RouteDef, components: Record<string, unknown>): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const schema =
      r.schema && hoistDefinitions(jsonSchema(r.schema, 'output'), `${route.operationId}_${status}`, components);
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: r.headers } : {}),
      content: schema ? { 'application/json': { schema } } : ERROR_CONTENT,
    };
  }
  if (route.method === 'post') {
    for (const [status, description] of Object.entries(BODY_ERRORS)) {
      const own = responses[status] as { description: string } | undefined;
      if (own) own.description = `${own.description}; or: ${description}`;
      else responses[status] = { description, content: ERROR_CONTENT };
    }
  }
  for (const [status, { description, headers }] of Object.entries(STANDARD_ERRORS)) {
    responses[status] ??= { description, ...(headers ? { headers } : {}), content: ERROR_CONTENT };
  }
  return responses;
}

/** The OpenAPI 3.1 document of every route, built from the same definitions the router mounts. */
export function buildOpenApiDocument(routes: readonly RouteDef[], version: string): Record<string, unknown> {
  const schemas: Record<string, unknown> = { Error: jsonSchema(errorSchema, 'output') };
  const paths: Record<string, Record<string, unknown>> = {
    '/health': {
      get: {
        summary: 'Liveness',
        tags: ['operations'],
        security: [],
        responses: { 200: { description: 'Alive', content: jsonContent(healthSchema) } },
      },
    },
    '/ready': {
      get: {
        summary: 'Readiness: database, Temporal and (if configured) the legacy database',
        tags: ['operations'],
        security: [],
        responses: {
          200: { description: 'Ready; `checks` has one entry per dependency', content: jsonContent(readySchema) },
          503: {
            description: 'Not ready (not_ready): the error names what is down, `checks` tells each dependency',
            headers: RETRY_AFTER,
            content: jsonContent(notReadySchema),
          },
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        tags: ['operations'],
        security: [],
        responses: {
          200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
  };
  for (const route of routes) {
    const requestBody = route.requestBody && {
      required: true,
      content: {
        'application/json': {
          schema: hoistDefinitions(jsonSchema(route.requestBody, 'input'), `${route.operationId}_body`, schemas),
          ...(route.requestExamples ? { examples: route.requestExamples } : {}),
        },
      },
    };
    (paths[toOpenApiPath(route.path)] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      'x-required-scope': route.scope,
      parameters: [...pathParameters(route), ...queryParameters(route.query)],
      ...(requestBody ? { requestBody } : {}),
      responses: responsesOf(route, schemas),
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
