/**
 * Static checks of the container setup: docker-compose.yml, Dockerfile, .dockerignore and the
 * legacy schema the compose file mounts. Nothing is started; the files are parsed and cross-checked
 * (service wiring, credentials, entry points, healthchecks).
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { parse } from 'yaml';
import { loadConfig } from '../../config/config';

const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

const EXPECTED_SERVICES = [
  'mysql',
  'legacy-postgres',
  'temporal-postgres',
  'temporal',
  'temporal-admin-tools',
  'temporal-ui',
  'migrate',
  'api',
  'worker',
] as const;

/** Services running the application image. */
const APP_SERVICES = ['migrate', 'api', 'worker'] as const;
/** Services that run to completion instead of staying up. */
const ONE_SHOT_SERVICES = new Set(['migrate', 'temporal-admin-tools']);

/** Every environment variable the application reads (the wire contract). */
const APP_ENV_VARS = [
  'PORT',
  'DATABASE_URL',
  'LEGACY_DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'DEPENDENCY_GRACE_PERIOD',
  'STUB_STALE_AFTER',
  'ODOO_URL',
  'ODOO_DB',
  'ODOO_LOGIN',
  'ODOO_API_KEY',
  'ODOO_PROTOCOL',
  'LOG_LEVEL',
] as const;

/** Variables passed through from the host environment. */
const HOST_ODOO_VARS = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY', 'ODOO_PROTOCOL'] as const;

/** Production command of each application service, and the source file it is compiled from. */
const ENTRY_POINTS = {
  api: { command: ['node', 'dist/api/main.js'], source: 'api/main.ts' },
  worker: {
    command: ['node', 'dist/worker/main.js'],
    source: 'worker/main.ts',
  },
  migrate: {
    command: ['node', 'dist/scripts/migrate.js'],
    source: 'scripts/migrate.ts',
  },
} as const;

const SEARCH_ATTRIBUTES: Record<string, string> = {
  EntityType: 'Keyword',
  ExternalId: 'Keyword',
  ProcessingState: 'Keyword',
  AwaitingOn: 'KeywordList',
  IsStub: 'Bool',
  SyncState: 'Keyword',
  StaleStub: 'Bool',
};

// ---------------------------------------------------------------------------------------------
// Compose file model and helpers
// ---------------------------------------------------------------------------------------------

type EnvValue = string | number | boolean | null;

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  depends_on?: string[] | Record<string, { condition?: string } | null>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: Array<string | number | { target: number | string; published?: number | string; host_ip?: string }>;
  volumes?: Array<string | { type?: string; source?: string; target: string; read_only?: boolean }>;
  restart?: string;
}

interface ComposeFile {
  services?: Record<string, Service | null>;
  volumes?: Record<string, unknown> | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Compose variable interpolation. As in compose, `${VAR:?...}` of an unset variable and a lone `$`
 * are errors, and an unset variable without default becomes an empty string, unless `strict`: then
 * that is an error too (the stack has to come up with an empty environment, and a shell `$x` meant
 * for a container must be written `$$x`).
 */
function interpolate(value: string, env: Record<string, string>, where: string, strict: boolean): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const ch = value.charAt(i);
    if (ch !== '$') {
      out += ch;
      i += 1;
      continue;
    }
    const next = value.charAt(i + 1);
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = value.indexOf('}', i + 2);
      if (end < 0) throw new Error(`${where}: unterminated "\${" in ${JSON.stringify(value)}`);
      const expr = value.slice(i + 2, end);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(expr);
      if (!m) throw new Error(`${where}: invalid substitution "\${${expr}}"`);
      const name = m[1] as string;
      const op = m[2];
      const arg = m[3] ?? '';
      const current = env[name];
      const isSet = current !== undefined;
      const isNonEmpty = isSet && current !== '';
      switch (op) {
        case undefined:
          if (!isSet && strict) throw new Error(`${where}: "\${${name}}" has no default`);
          out += current ?? '';
          break;
        case ':-':
          out += isNonEmpty ? current : arg;
          break;
        case '-':
          out += isSet ? current : arg;
          break;
        case ':?':
        case '?':
          if (op === ':?' ? !isNonEmpty : !isSet) {
            throw new Error(`${where}: "\${${name}}" is required (${arg || 'no default'})`);
          }
          out += current;
          break;
        case ':+':
          out += isNonEmpty ? arg : '';
          break;
        case '+':
          out += isSet ? arg : '';
          break;
        default:
          throw new Error(`${where}: unsupported operator ${op}`);
      }
      i = end + 1;
      continue;
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1));
    if (!bare) {
      throw new Error(`${where}: lone "$" in ${JSON.stringify(value)} (write "$$" for a literal dollar)`);
    }
    const current = env[bare[0]];
    if (current === undefined && strict) {
      throw new Error(`${where}: "$${bare[0]}" has no default (write "$$" if it is meant for a shell)`);
    }
    out += current ?? '';
    i += 1 + bare[0].length;
  }
  return out;
}

function interpolateTree(node: unknown, env: Record<string, string>, where: string, strict = false): unknown {
  if (typeof node === 'string') return interpolate(node, env, where, strict);
  if (Array.isArray(node)) return node.map((item, idx) => interpolateTree(item, env, `${where}[${idx}]`, strict));
  if (isRecord(node)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = interpolateTree(value, env, `${where}.${key}`, strict);
    }
    return out;
  }
  return node;
}

const composeText = fs.readFileSync(COMPOSE_FILE, 'utf8');

function parseCompose(): ComposeFile {
  const doc: unknown = parse(composeText, { merge: true });
  if (!isRecord(doc)) throw new Error('docker-compose.yml is not a mapping');
  return doc as ComposeFile;
}

/** The compose file as written (variables not substituted). */
const raw = parseCompose();
/** The compose file as docker compose sees it, given the host environment `env` (defaults applied). */
const resolveWith = (env: Record<string, string>, strict = false): ComposeFile =>
  interpolateTree(raw, env, 'docker-compose.yml', strict) as ComposeFile;

function serviceIn(doc: ComposeFile, name: string): Service {
  const service = doc.services?.[name];
  if (!service) throw new Error(`service "${name}" is missing from docker-compose.yml`);
  return service;
}

function envOf(service: Service): Record<string, string> {
  const out: Record<string, string> = {};
  const env = service.environment;
  if (Array.isArray(env)) {
    for (const entry of env) {
      const eq = entry.indexOf('=');
      if (eq < 0) out[entry] = '';
      else out[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else if (env) {
    for (const [key, value] of Object.entries(env)) out[key] = value === null ? '' : String(value);
  }
  return out;
}

function dependsOn(service: Service): Record<string, string> {
  const out: Record<string, string> = {};
  const deps = service.depends_on;
  if (Array.isArray(deps)) {
    for (const name of deps) out[name] = 'service_started';
  } else if (deps) {
    for (const [name, spec] of Object.entries(deps)) out[name] = spec?.condition ?? 'service_started';
  }
  return out;
}

const words = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean);

function healthTest(service: Service): { kind: string; args: string[] } | undefined {
  const hc = service.healthcheck;
  if (!hc || hc.disable === true || hc.test === undefined) return undefined;
  if (typeof hc.test === 'string') return { kind: 'CMD-SHELL', args: [hc.test] };
  const [kind, ...args] = hc.test;
  if (kind === undefined) return undefined;
  return { kind, args };
}

interface PortMapping {
  hostIp?: string;
  published?: string;
  target: number;
}

function portsOf(service: Service): PortMapping[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'number') return { target: p };
    if (typeof p === 'string') {
      const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
      const target = Number(parts[parts.length - 1]);
      if (parts.length === 1) return { target };
      if (parts.length === 2) return { published: parts[0], target };
      return { hostIp: parts[0], published: parts[1], target };
    }
    return {
      target: Number(p.target),
      ...(p.published === undefined ? {} : { published: String(p.published) }),
      ...(p.host_ip === undefined ? {} : { hostIp: p.host_ip }),
    };
  });
}

interface Mount {
  source?: string;
  target: string;
  readOnly: boolean;
}

function mountsOf(service: Service): Mount[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string')
      return {
        source: v.source,
        target: v.target,
        readOnly: v.read_only === true,
      };
    const parts = v.split(':');
    if (parts.length === 1) return { target: parts[0] as string, readOnly: false };
    const mode = parts[2] ?? '';
    return {
      source: parts[0],
      target: parts[1] as string,
      readOnly: mode.split(',').includes('ro'),
    };
  });
}

const isNamedVolume = (source: string | undefined): source is string => source !== undefined && !/^[./~]/.test(source);

function parseUrl(value: string | undefined, what: string): URL {
  if (!value) throw new Error(`${what} is not set`);
  return new URL(value);
}

function splitHostPort(address: string): { host: string; port: string } {
  const m = /^([^:]+):(\d+)$/.exec(address);
  if (!m) throw new Error(`"${address}" is not host:port`);
  return { host: m[1] as string, port: m[2] as string };
}

// ---------------------------------------------------------------------------------------------
// Dockerfile helpers
// ---------------------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

function dockerfileInstructions(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  if (current.trim()) logical.push(current.trim());
  return logical.map((l) => {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(l) as RegExpExecArray;
    return {
      keyword: (m[1] as string).toUpperCase(),
      args: (m[2] ?? '').trim(),
    };
  });
}

interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

function dockerfileStages(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const tokens = ins.args.split(/\s+/).filter((t) => !t.startsWith('--'));
      const from = tokens[0] ?? '';
      const asIdx = tokens.findIndex((t) => t.toUpperCase() === 'AS');
      const name = asIdx >= 0 ? tokens[asIdx + 1] : undefined;
      stages.push({ from, ...(name ? { name } : {}), instructions: [] });
    } else {
      stages[stages.length - 1]?.instructions.push(ins);
    }
  }
  return stages;
}

/** `ENV A=1 B=2` and the legacy `ENV A 1` form. */
function envInstructionValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(args);
    if (m) out[m[1] as string] = (m[2] as string).trim();
    return out;
  }
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const m of args.matchAll(re)) {
    out[m[1] as string] = (m[2] as string).replace(/^(["'])([\s\S]*)\1$/, '$2');
  }
  return out;
}

/** Maps a file of the compiled output (dist/...js) to the TypeScript source tsc builds it from. */
function buildConfig(): {
  outDir: string;
  rootDir: string;
  fileNames: string[];
} {
  const configPath = path.join(ROOT, 'tsconfig.build.json');
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configPath);
  const outDir = parsed.options.outDir;
  if (!outDir) throw new Error('tsconfig.build.json has no outDir');
  return {
    outDir: path.resolve(outDir),
    rootDir: path.resolve(parsed.options.rootDir ?? ROOT),
    fileNames: parsed.fileNames.map((f) => path.resolve(f)),
  };
}

function sourceOfCompiled(distFile: string): string {
  const { outDir, rootDir } = buildConfig();
  const rel = path.relative(outDir, path.resolve(ROOT, distFile));
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`${distFile} is not inside the build output directory ${outDir}`);
  }
  return path.join(rootDir, rel.replace(/\.js$/, '.ts'));
}

/** Minimal .dockerignore matcher (patterns relative to the context root, `!` re-includes). */
function isDockerIgnored(patterns: string[], relPath: string): boolean {
  const toRegExp = (pattern: string): RegExp => {
    const body = pattern
      .replace(/^\/+|\/+$/g, '')
      .split('')
      .map((c, idx, all) => {
        if (c === '*') return all[idx + 1] === '*' ? '' : all[idx - 1] === '*' ? '.*' : '[^/]*';
        if (c === '?') return '[^/]';
        return /[\\^$+.()|{}[\]]/.test(c) ? `\\${c}` : c;
      })
      .join('');
    // A pattern matching a directory excludes everything below it.
    return new RegExp(`^${body}(?:/.*)?$`);
  };
  let ignored = false;
  for (const line of patterns) {
    const negated = line.startsWith('!');
    const pattern = negated ? line.slice(1) : line;
    if (toRegExp(pattern).test(relPath)) ignored = !negated;
  }
  return ignored;
}

// ---------------------------------------------------------------------------------------------
// SQL helpers
// ---------------------------------------------------------------------------------------------

function stripSqlComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Column definitions of every CREATE TABLE statement, by table name. */
function createTables(sql: string): Map<string, Map<string, string>> {
  const tables = new Map<string, Map<string, string>>();
  const re = /create\s+table\s+(?:if\s+not\s+exists\s+)?(?:"?public"?\.)?"?(\w+)"?\s*\(/gi;
  for (const m of sql.matchAll(re)) {
    let depth = 1;
    let i = (m.index ?? 0) + m[0].length;
    const start = i;
    while (i < sql.length && depth > 0) {
      const c = sql.charAt(i);
      if (c === '(') depth += 1;
      if (c === ')') depth -= 1;
      i += 1;
    }
    const body = sql.slice(start, i - 1);
    const columns = new Map<string, string>();
    let part = '';
    let level = 0;
    for (const c of `${body},`) {
      if (c === '(') level += 1;
      if (c === ')') level -= 1;
      if (c === ',' && level === 0) {
        const def = part.trim().replace(/\s+/g, ' ');
        const col = /^"?(\w+)"?\s+(.*)$/.exec(def);
        if (col && !/^(constraint|primary|unique|foreign|check)$/i.test(col[1] as string)) {
          columns.set((col[1] as string).toLowerCase(), (col[2] as string).toLowerCase());
        }
        part = '';
      } else {
        part += c;
      }
    }
    tables.set((m[1] as string).toLowerCase(), columns);
  }
  return tables;
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const compose = resolveWith({});
  const service = (name: string): Service => serviceIn(compose, name);
  const serviceNames = Object.keys(compose.services ?? {});
  const appEnv = envOf(service('api'));

  describe('file', () => {
    it('interpolates with an empty environment: every variable has a default, shell "$" is escaped', () => {
      expect(() => resolveWith({}, true)).not.toThrow();
    });

    it('defines every expected service', () => {
      for (const name of EXPECTED_SERVICES) expect(serviceNames).toContain(name);
    });

    it('pins third-party images to an explicit tag', () => {
      for (const name of serviceNames) {
        if ((APP_SERVICES as readonly string[]).includes(name)) continue;
        const image = service(name).image;
        expect(image).toMatch(/^[\w./-]+:[\w.-]+$/);
        expect(image).not.toMatch(/:latest$/);
      }
      expect(service('mysql').image).toMatch(/^mysql:8\.4(\.\d+)?$/);
      expect(service('legacy-postgres').image).toMatch(/^postgres:16(\.\d+)?$/);
      expect(service('temporal-postgres').image).toMatch(/^postgres:16(\.\d+)?$/);
      expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:1\.2\d\.\d+/);
      expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
    });
  });

  describe('application services', () => {
    it('api, worker and migrate run the same image, built from the Dockerfile in this repository', () => {
      const api = service('api');
      expect(api.image).toBeTruthy();
      expect(api.build).toBeDefined();
      for (const name of APP_SERVICES) {
        expect(service(name).image).toBe(api.image);
        expect(service(name).build).toEqual(api.build);
      }
      const build = api.build;
      const context = typeof build === 'string' ? build : (build?.context ?? '.');
      const dockerfile = typeof build === 'string' ? 'Dockerfile' : (build?.dockerfile ?? 'Dockerfile');
      expect(path.resolve(ROOT, context)).toBe(ROOT);
      expect(fs.existsSync(path.join(ROOT, context, dockerfile))).toBe(true);
    });

    it.each(Object.entries(ENTRY_POINTS))('%s runs its compiled entry point', (name, entry) => {
      expect(words(service(name).entrypoint)).toEqual([]);
      expect(words(service(name).command)).toEqual([...entry.command]);
    });

    it.each(['api', 'worker'])('%s gets every environment variable the application reads', (name) => {
      const env = envOf(service(name));
      for (const key of APP_ENV_VARS) expect(Object.keys(env)).toContain(key);
    });

    it('api and worker share the same application environment', () => {
      const api = envOf(service('api'));
      const worker = envOf(service('worker'));
      for (const key of APP_ENV_VARS) expect([key, worker[key]]).toEqual([key, api[key]]);
      expect(envOf(service('migrate')).DATABASE_URL).toBe(api.DATABASE_URL);
    });

    it('DATABASE_URL points at the mysql service with its database and credentials', () => {
      const url = parseUrl(appEnv.DATABASE_URL, 'DATABASE_URL');
      const mysqlEnv = envOf(service('mysql'));
      expect(url.protocol).toBe('mysql:');
      expect(url.hostname).toBe('mysql');
      expect(serviceNames).toContain(url.hostname);
      expect(url.port || '3306').toBe('3306');
      expect(url.pathname).toBe(`/${mysqlEnv.MYSQL_DATABASE}`);
      expect(mysqlEnv.MYSQL_DATABASE).toBe('sync');
      expect(decodeURIComponent(url.username)).toBe(mysqlEnv.MYSQL_USER);
      expect(decodeURIComponent(url.password)).toBe(mysqlEnv.MYSQL_PASSWORD);
    });

    it('LEGACY_DATABASE_URL points at legacy-postgres as the read-only role', () => {
      const url = parseUrl(appEnv.LEGACY_DATABASE_URL, 'LEGACY_DATABASE_URL');
      const legacyEnv = envOf(service('legacy-postgres'));
      expect(['postgresql:', 'postgres:']).toContain(url.protocol);
      expect(url.hostname).toBe('legacy-postgres');
      expect(url.port || '5432').toBe('5432');
      expect(url.pathname).toBe(`/${legacyEnv.POSTGRES_DB}`);
      expect(legacyEnv.POSTGRES_DB).toBe('legacy');
      expect(url.username).toBe('sync_reader');
      expect(url.username).not.toBe(legacyEnv.POSTGRES_USER);
      // The role's password is handed to the init script through PGOPTIONS.
      const readerPassword = /(?:^|\s)-c\s*sync\.reader_password=(\S*)/.exec(legacyEnv.PGOPTIONS ?? '')?.[1];
      expect(readerPassword).toBeTruthy();
      expect(decodeURIComponent(url.password)).toBe(readerPassword);
    });

    it('TEMPORAL_ADDRESS points at the temporal service frontend', () => {
      const { host, port } = splitHostPort(appEnv.TEMPORAL_ADDRESS ?? '');
      expect(host).toBe('temporal');
      expect(port).toBe('7233');
      expect(service(host).image).toMatch(/^temporalio\/(auto-setup|server):/);
    });

    it('uses the namespace Temporal creates and the contract defaults', () => {
      const temporalEnv = envOf(service('temporal'));
      expect(appEnv.TEMPORAL_NAMESPACE).toBe(temporalEnv.DEFAULT_NAMESPACE ?? 'default');
      expect(appEnv.TEMPORAL_NAMESPACE).toBe('default');
      expect(appEnv.TEMPORAL_TASK_QUEUE).toBe('odoo-webshop-sync');
      expect(appEnv.DEPENDENCY_GRACE_PERIOD).toBe('5m');
      expect(appEnv.STUB_STALE_AFTER).toBe('7d');
      expect(appEnv.PORT).toBe('3000');
      expect(['jsonrpc', 'json2']).toContain(appEnv.ODOO_PROTOCOL);
    });

    it('takes the Odoo settings from the host environment', () => {
      const rawEnv = envOf(serviceIn(raw, 'api'));
      for (const key of HOST_ODOO_VARS) {
        expect([key, rawEnv[key]]).toEqual([key, expect.stringMatching(new RegExp(`^\\$\\{${key}(:?-[^}]*)?\\}$`))]);
      }
      const host = {
        ODOO_URL: 'https://odoo.example.com',
        ODOO_DB: 'prod',
        ODOO_LOGIN: 'sync@example.com',
        ODOO_API_KEY: 'secret-key',
        ODOO_PROTOCOL: 'json2',
      };
      for (const name of ['api', 'worker']) {
        const env = envOf(serviceIn(resolveWith(host), name));
        for (const [key, value] of Object.entries(host)) expect([key, env[key]]).toEqual([key, value]);
      }
    });

    it.each(['api', 'worker'])('the %s environment is a valid application configuration', (name) => {
      const config = loadConfig(envOf(service(name)));
      expect(config.port).toBe(3000);
      expect(config.database).toEqual({
        kind: 'mysql',
        url: appEnv.DATABASE_URL,
      });
      expect(config.legacyDatabaseUrl).toBe(appEnv.LEGACY_DATABASE_URL);
      expect(config.temporal.address).toBe('temporal:7233');
      expect(config.temporal.namespace).toBe('default');
      expect(config.temporal.taskQueue).toBe('odoo-webshop-sync');
      expect(config.dependencyGracePeriodMs).toBe(5 * 60_000);
      expect(config.stubStaleAfterMs).toBe(7 * 86_400_000);
      expect(config.odoo).toBeUndefined();
    });
  });

  describe('dependencies', () => {
    it('every depends_on target is a service', () => {
      for (const name of serviceNames) {
        for (const target of Object.keys(dependsOn(service(name)))) {
          expect([name, serviceNames.includes(target)]).toEqual([name, true]);
        }
      }
    });

    it('has no dependency cycle', () => {
      const state = new Map<string, 'visiting' | 'done'>();
      const visit = (name: string, trail: string[]): void => {
        if (state.get(name) === 'done') return;
        if (state.get(name) === 'visiting') throw new Error(`cycle: ${[...trail, name].join(' -> ')}`);
        state.set(name, 'visiting');
        for (const dep of Object.keys(dependsOn(service(name)))) visit(dep, [...trail, name]);
        state.set(name, 'done');
      };
      expect(() => serviceNames.forEach((n) => visit(n, []))).not.toThrow();
    });

    it.each(['api', 'worker'])('%s waits for healthy mysql and temporal and a completed migrate', (name) => {
      const deps = dependsOn(service(name));
      expect(deps.mysql).toBe('service_healthy');
      expect(deps.temporal).toBe('service_healthy');
      expect(deps.migrate).toBe('service_completed_successfully');
    });

    it('migrate waits for a healthy mysql; temporal for a healthy temporal-postgres', () => {
      expect(dependsOn(service('migrate')).mysql).toBe('service_healthy');
      expect(dependsOn(service('temporal'))['temporal-postgres']).toBe('service_healthy');
    });

    it('service_healthy targets have a healthcheck; service_completed_successfully targets are one-shots', () => {
      for (const name of serviceNames) {
        for (const [target, condition] of Object.entries(dependsOn(service(name)))) {
          if (condition === 'service_healthy') {
            expect([`${name} -> ${target}`, healthTest(service(target)) !== undefined]).toEqual([
              `${name} -> ${target}`,
              true,
            ]);
          }
          if (condition === 'service_completed_successfully') {
            expect([`${name} -> ${target}`, ONE_SHOT_SERVICES.has(target)]).toEqual([`${name} -> ${target}`, true]);
          }
        }
      }
    });
  });

  describe('lifecycle and healthchecks', () => {
    it('one-shot services are not restarted', () => {
      for (const name of ONE_SHOT_SERVICES) {
        expect([name, service(name).restart ?? 'no']).toEqual([name, 'no']);
      }
    });

    it('long-running services restart and, except the worker, have a healthcheck', () => {
      for (const name of serviceNames) {
        if (ONE_SHOT_SERVICES.has(name)) continue;
        expect([name, service(name).restart]).toEqual([
          name,
          expect.stringMatching(/^(always|unless-stopped|on-failure)/),
        ]);
        if (name === 'worker') continue;
        const test = healthTest(service(name));
        expect([name, test?.kind]).toEqual([name, expect.stringMatching(/^CMD(-SHELL)?$/)]);
        expect([name, (test?.args ?? []).join(' ').trim().length > 0]).toEqual([name, true]);
      }
    });

    it('database healthchecks use the native probes', () => {
      expect(healthTest(service('mysql'))?.args.join(' ')).toMatch(/mysqladmin\s+ping/);
      expect(healthTest(service('legacy-postgres'))?.args.join(' ')).toMatch(/pg_isready/);
      expect(healthTest(service('temporal-postgres'))?.args.join(' ')).toMatch(/pg_isready/);
    });

    it('temporal is healthy only when its frontend serves', () => {
      expect(healthTest(service('temporal'))?.args.join(' ')).toMatch(
        /temporal\s+operator\s+cluster\s+health|tctl\s+(--\S+\s+\S+\s+)*cluster\s+health/,
      );
    });

    it('the api healthcheck requests /ready on the API port with node', () => {
      const test = healthTest(service('api'));
      expect(test?.kind).toBe('CMD');
      const [bin, flag, script] = test?.args ?? [];
      expect(bin).toBe('node');
      expect(flag).toBe('-e');
      expect(() => new vm.Script(script ?? '')).not.toThrow();
      const url = /(['"`])(https?:\/\/[^'"`]+)\1/.exec(script ?? '')?.[2];
      expect(url).toBeDefined();
      const ready = new URL(url as string);
      expect(['localhost', '127.0.0.1']).toContain(ready.hostname);
      expect(ready.port).toBe(appEnv.PORT);
      expect(ready.pathname).toBe('/ready');
      expect(script).toMatch(/fetch\(/);
      expect(script).toMatch(/process\.exit\(/);
    });
  });

  describe('ports', () => {
    it('publishes the API, the Temporal frontend and the Temporal UI', () => {
      expect(portsOf(service('api')).map((p) => p.target)).toContain(Number(appEnv.PORT));
      expect(portsOf(service('temporal')).map((p) => p.target)).toContain(7233);
      expect(portsOf(service('temporal-ui')).map((p) => p.target)).toContain(8080);
    });

    it('the worker publishes nothing', () => {
      expect(portsOf(service('worker'))).toEqual([]);
    });

    it('no two services publish the same host port', () => {
      const published = serviceNames.flatMap((n) =>
        portsOf(service(n))
          .filter((p) => p.published)
          .map((p) => `${p.hostIp ?? '0.0.0.0'}:${p.published}`),
      );
      expect(new Set(published).size).toBe(published.length);
    });
  });

  describe('temporal', () => {
    it('persists to temporal-postgres with that service credentials', () => {
      const env = envOf(service('temporal'));
      const db = envOf(service(env.POSTGRES_SEEDS ?? ''));
      expect(env.DB ?? env.SQL_PLUGIN).toBe('postgres12');
      expect(env.POSTGRES_SEEDS).toBe('temporal-postgres');
      expect(env.DB_PORT ?? '5432').toBe('5432');
      expect(env.POSTGRES_USER).toBe(db.POSTGRES_USER);
      expect(env.POSTGRES_PWD).toBe(db.POSTGRES_PASSWORD);
    });

    it('temporal-ui talks to the temporal frontend', () => {
      const ui = service('temporal-ui');
      expect(envOf(ui).TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(envOf(ui).TEMPORAL_ADDRESS).toBe(appEnv.TEMPORAL_ADDRESS);
      expect(Object.keys(dependsOn(ui))).toContain('temporal');
    });

    it('temporal-admin-tools registers the search attributes of the service', () => {
      const tools = service('temporal-admin-tools');
      expect(envOf(tools).TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(dependsOn(tools).temporal).toBe('service_healthy');
      const script = [
        ...words(tools.entrypoint),
        ...(Array.isArray(tools.command) ? tools.command : [tools.command ?? '']),
      ].join('\n');
      expect(script).toMatch(/search-attribute\s+create/);
      const registered: Record<string, string> = {};
      for (const m of script.matchAll(/\b([A-Z]\w*):(KeywordList|Keyword|Bool|Text|Int|Double|Datetime)\b/g)) {
        registered[m[1] as string] = m[2] as string;
      }
      expect(registered).toEqual(SEARCH_ATTRIBUTES);
    });
  });

  describe('storage', () => {
    it('databases keep their data in declared named volumes', () => {
      const dataDirs: Record<string, string> = {
        mysql: '/var/lib/mysql',
        'legacy-postgres': '/var/lib/postgresql/data',
        'temporal-postgres': '/var/lib/postgresql/data',
      };
      const declared = Object.keys(compose.volumes ?? {});
      for (const [name, dir] of Object.entries(dataDirs)) {
        const mount = mountsOf(service(name)).find((m) => m.target === dir);
        expect([name, isNamedVolume(mount?.source)]).toEqual([name, true]);
        expect(declared).toContain(mount?.source);
      }
      for (const name of serviceNames) {
        for (const m of mountsOf(service(name))) {
          if (isNamedVolume(m.source)) expect(declared).toContain(m.source);
        }
      }
    });

    it('bind mounts refer to files of this repository', () => {
      for (const name of serviceNames) {
        for (const m of mountsOf(service(name))) {
          if (m.source !== undefined && m.source.startsWith('.')) {
            expect([name, m.source, fs.existsSync(path.resolve(ROOT, m.source))]).toEqual([name, m.source, true]);
          }
        }
      }
    });
  });

  describe('legacy schema', () => {
    const mount = mountsOf(service('legacy-postgres')).find((m) => m.target.startsWith('/docker-entrypoint-initdb.d/'));
    const schemaPath = mount?.source === undefined ? '' : path.resolve(ROOT, mount.source);
    const sql = schemaPath && fs.existsSync(schemaPath) ? stripSqlComments(fs.readFileSync(schemaPath, 'utf8')) : '';
    const tables = createTables(sql);

    it('is mounted read-only as an init script of legacy-postgres', () => {
      expect(mount?.source).toBe('./scripts/legacy-schema.sql');
      expect(mount?.target).toBe('/docker-entrypoint-initdb.d/01-schema.sql');
      expect(mount?.readOnly).toBe(true);
      expect(fs.existsSync(schemaPath)).toBe(true);
    });

    it('defines the partner table', () => {
      const cols = tables.get('partner');
      expect(cols).toBeDefined();
      expect(cols?.get('id')).toMatch(/^serial\b.*\bprimary key\b/);
      expect(cols?.get('external_id')).toMatch(/^varchar\(191\)/);
      expect(cols?.get('external_id')).toMatch(/\bunique\b/);
      expect(cols?.get('external_id')).toMatch(/\bnot null\b/);
      expect(cols?.get('odoo_id')).toMatch(/^integer\b/);
      expect(cols?.get('json_data')).toMatch(/^jsonb\b/);
    });

    it('defines the product table', () => {
      const cols = tables.get('product');
      expect(cols).toBeDefined();
      expect(cols?.get('id')).toMatch(/^serial\b.*\bprimary key\b/);
      expect(cols?.get('external_id')).toMatch(/^varchar\(191\)/);
      expect(cols?.get('external_id')).toMatch(/\bunique\b/);
      expect(cols?.get('external_id')).toMatch(/\bnot null\b/);
      expect(cols?.get('odoo_id')).toMatch(/^integer\b/);
      expect(cols?.get('json_data')).toMatch(/^jsonb\b/);
      expect(cols?.get('context')).toMatch(/^varchar\(64\)/);
    });

    it('creates the read-only role sync_reader with SELECT and nothing that writes', () => {
      expect(sql).toMatch(/create\s+role\s+sync_reader\b[^;']*\blogin\b/i);
      expect(sql).toMatch(
        /grant\s+select\s+on\s+(all\s+tables\s+in\s+schema\s+public|[\w\s,]*\bpartner\b)[^;]*\bto\s+sync_reader\b/i,
      );
      const grants = [...sql.matchAll(/grant\s+([\w\s,]+?)\s+on\s+[^;]*?\bto\s+sync_reader\b/gi)];
      expect(grants.length).toBeGreaterThan(0);
      for (const g of grants) {
        const privileges = (g[1] as string).split(',').map((p) => p.trim().toLowerCase());
        for (const p of privileges) expect(['select', 'usage', 'connect']).toContain(p);
      }
      expect(sql).not.toMatch(/grant\s+\w+\s+to\s+sync_reader\b/i); // no role membership
    });
  });
});

describe('Dockerfile', () => {
  const instructions = dockerfileInstructions(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const stages = dockerfileStages(instructions);
  const finalStage = stages[stages.length - 1];
  const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

  it('is a multi-stage build on node:20-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = new Set<string>();
    for (const stage of stages) {
      expect(stage.from === 'node:20-bookworm-slim' || names.has(stage.from)).toBe(true);
      if (stage.name) names.add(stage.name);
    }
    expect(finalStage?.from).toBe('node:20-bookworm-slim');
  });

  it('installs with npm ci, builds, and prunes the dev dependencies', () => {
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm prune\b.*--(omit=dev|production)|\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
  });

  it('runs as a non-root user with NODE_ENV=production', () => {
    const final = finalStage?.instructions ?? [];
    const users = final.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users[users.length - 1]);
    const env: Record<string, string> = {};
    for (const i of final.filter((ins) => ins.keyword === 'ENV')) Object.assign(env, envInstructionValues(i.args));
    expect(env.NODE_ENV).toBe('production');
  });

  it('ships the compiled output and the production node_modules from the build stage', () => {
    const copies = (finalStage?.instructions ?? []).filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies.some((c) => /--from=\S+/.test(c) && /\bdist\b/.test(c))).toBe(true);
    expect(copies.some((c) => /--from=\S+/.test(c) && /\bnode_modules\b/.test(c))).toBe(true);
  });

  it('starts the API by default', () => {
    const cmds = (finalStage?.instructions ?? []).filter((i) => i.keyword === 'CMD');
    const cmd: unknown = JSON.parse(cmds[cmds.length - 1]?.args ?? 'null');
    expect(cmd).toEqual([...ENTRY_POINTS.api.command]);
  });
});

describe('entry points', () => {
  it.each(Object.entries(ENTRY_POINTS).map(([name, entry]) => [name, entry.source, entry] as const))(
    '%s: the compiled entry point is built from %s',
    (_name, _source, entry) => {
      const source = sourceOfCompiled(entry.command[1]);
      expect(path.relative(ROOT, source)).toBe(entry.source);
      expect(fs.existsSync(source)).toBe(true);
      expect(buildConfig().fileNames).toContain(source);
    },
  );
});

describe('.dockerignore', () => {
  const patterns = fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps local state and secrets out of the build context', () => {
    for (const p of ['node_modules', 'dist', '.env', '.git'])
      expect([p, isDockerIgnored(patterns, p)]).toEqual([p, true]);
  });

  it('keeps everything the build needs', () => {
    const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
    for (const entry of Object.values(ENTRY_POINTS)) needed.push(entry.source);
    for (const file of buildConfig().fileNames) needed.push(path.relative(ROOT, file));
    for (const p of needed) expect([p, isDockerIgnored(patterns, p)]).toEqual([p, false]);
  });
});
