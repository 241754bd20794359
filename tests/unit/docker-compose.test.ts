/**
 * docker-compose.yml: valid Compose (the spec's JSON schema, and `docker-compose config` where a
 * Compose v2 binary is installed), plus the wiring of this project a schema cannot express.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/config';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/contract/search-attributes';
import * as spec from '../support/compose-schema';
import { envOf, healthTest, type ComposeFile, type ComposeService } from '../support/compose-schema';

const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const raw = spec.readComposeFile(COMPOSE_FILE);
/**
 * As compose sees it with an empty host environment (every variable at its default). Throws, failing the
 * suite, if a variable has no default or a `$` meant for a container shell is not escaped as `$$`.
 */
const compose = spec.interpolate(raw, {}) as ComposeFile;
const names = Object.keys(compose.services);
const service = (name: string): ComposeService => spec.serviceIn(compose, name);
const appEnv = envOf(service('api'));
const ONE_SHOTS = new Set(['migrate', 'temporal-admin-tools']);
const ENTRY_POINTS = { migrate: 'scripts/migrate', api: 'api/main', worker: 'worker/main' } as const;
/** The variables config/config.ts reads: the keys of its zod `envSchema`. */
const configSource = fs.readFileSync(path.join(ROOT, 'config/config.ts'), 'utf8');
const envSchemaBody = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(configSource)?.[1] ?? '';
const CONFIG_VARS = [...envSchemaBody.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);

describe('docker-compose.yml against the Compose Specification', () => {
  it.each(['${ODOO_URL}', '$HOME', '${ODOO_URL:?required}', 'cost: 5$'])('the interpolation rejects %s', (text) => {
    expect(() => spec.interpolate({ environment: { X: text } }, {})).toThrow(/unsupported or unescaped/);
  });

  it('is valid against the compose-spec JSON schema', () => {
    expect(spec.composeSchemaErrors(compose)).toEqual([]);
  });

  const patch = (d: ComposeFile, name: string, fields: Record<string, unknown>): unknown =>
    (d.services[name] = { ...d.services[name], ...fields } as ComposeService);
  const mysqlCheck = service('mysql').healthcheck;
  const broken: Array<[string, (doc: ComposeFile) => unknown, string]> = [
    ['ports: "abc"', (d) => patch(d, 'api', { ports: 'abc' }), '/services/api/ports: must be array'],
    ['an unknown top-level key', (d) => Object.assign(d, { servics: {} }), 'additional properties: servics'],
    ['a port that is no port spec', (d) => patch(d, 'api', { ports: ['3000:abc'] }), 'format "ports"'],
    ['a port above 65535', (d) => patch(d, 'api', { ports: ['70000:3000'] }), 'format "ports"'],
    ['condition "up"', (d) => patch(d, 'api', { depends_on: { mysql: { condition: 'up' } } }), 'condition: must be'],
    ['interval "10 s"', (d) => patch(d, 'mysql', { healthcheck: { ...mysqlCheck, interval: '10 s' } }), '"duration"'],
  ];
  it.each(broken)('rejects a variant with %s', (_what, breakIt, expected) => {
    const doc = structuredClone(compose);
    expect(spec.composeSchemaErrors(doc).join('\n')).not.toContain(expected);
    breakIt(doc);
    expect(spec.composeSchemaErrors(doc).join('\n')).toContain(expected);
  });

  const cli = spec.dockerComposeCli();
  if (cli && /^v?[2-9]\./.test(cli.version)) {
    it(`is accepted by docker-compose ${cli.version} (config -q)`, () => {
      const run = spawnSync(cli.bin, ['-f', COMPOSE_FILE, 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    });
  } else {
    // Without a Compose v2 binary there is no such test case (rather than a skipped one); the schema checks remain.
    // Compose v1 (Debian bookworm's docker-compose 1.29.2) predates the spec's top-level `name` and rejects the file.
    console.info(
      `docker-compose ${cli ? `${cli.version} predates Compose v2` : 'is not installed'}: schema checks only`,
    );
  }
});

describe('docker-compose.yml wiring', () => {
  it.each(names)('%s: depends_on names existing services, with conditions they can meet, and no cycle', (name) => {
    const reach = (from: string, seen: Set<string>): Set<string> => {
      for (const dep of Object.keys(service(from).depends_on ?? {})) if (!seen.has(dep)) reach(dep, seen.add(dep));
      return seen;
    };
    for (const [target, { condition }] of Object.entries(service(name).depends_on ?? {})) {
      expect(names).toContain(target);
      if (condition === 'service_healthy') expect(healthTest(service(target))).not.toBe('');
      if (condition === 'service_completed_successfully') expect(ONE_SHOTS.has(target)).toBe(true);
    }
    expect(reach(name, new Set()).has(name)).toBe(false);
  });

  it.each(names)('%s: restart policy and healthcheck fit a one-shot or a long-running service', (name) => {
    const { restart = 'no' } = service(name);
    expect(restart).toMatch(ONE_SHOTS.has(name) ? /^no$/ : /^(always|unless-stopped|on-failure)/);
    if (!ONE_SHOTS.has(name) && name !== 'worker') expect(healthTest(service(name))).not.toBe('');
  });

  it.each(names)('%s: named volumes are declared, bind-mounted files exist', (name) => {
    for (const source of (service(name).volumes ?? []).map((v) => v.split(':')[0] ?? '')) {
      if (source.startsWith('.')) expect(fs.existsSync(path.resolve(ROOT, source))).toBe(true);
      else expect(Object.keys(compose.volumes ?? {})).toContain(source);
    }
  });

  it.each(Object.entries(ENTRY_POINTS))('%s runs the compiled %s from the one application image', (name, entry) => {
    expect(service(name).command).toEqual(['node', `dist/${entry}.js`]);
    expect(fs.existsSync(path.join(ROOT, `${entry}.ts`))).toBe(true);
    expect(service(name).image).toBe(service('api').image);
    expect(service(name).build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
  });

  it.each(Object.keys(ENTRY_POINTS))('%s sets only variables config/config.ts reads, the same as api', (name) => {
    expect(CONFIG_VARS.length).toBeGreaterThan(20);
    for (const key of Object.keys(envOf(service(name)))) expect(CONFIG_VARS).toContain(key);
    expect(envOf(service(name))).toEqual(appEnv);
  });

  const healthy = { condition: 'service_healthy' };
  const appDeps = { mysql: healthy, 'legacy-postgres': healthy, temporal: healthy };
  it.each([
    ['migrate', { mysql: healthy }],
    ['api', { ...appDeps, migrate: { condition: 'service_completed_successfully' } }],
    ['worker', { ...appDeps, migrate: { condition: 'service_completed_successfully' } }],
  ])('%s starts once the services it uses are ready', (name, deps) => {
    expect(service(name).depends_on).toEqual(deps);
  });

  it.each(['api', 'worker'])('the %s environment loads as a configuration using the services of the file', (name) => {
    const config = loadConfig(envOf(service(name)));
    expect(config.database).toEqual({ kind: 'mysql', url: appEnv.DATABASE_URL });
    expect(config.legacyDatabaseUrl).toBe(appEnv.LEGACY_DATABASE_URL);
    const { DEFAULT_NAMESPACE } = envOf(service('temporal'));
    expect(config.temporal).toMatchObject({ address: 'temporal:7233', namespace: DEFAULT_NAMESPACE });
    expect([config.port, config.odoo]).toEqual([3000, undefined]);
  });

  it('passes the Odoo settings through from the host environment', () => {
    const host = { ODOO_URL: 'http://odoo', ODOO_DB: 'd', ODOO_LOGIN: 'l', ODOO_API_KEY: 'k', ODOO_PROTOCOL: 'json2' };
    const worker = (spec.interpolate(raw, host) as ComposeFile).services.worker ?? {};
    const odoo = { url: 'http://odoo', db: 'd', login: 'l', apiKey: 'k', protocol: 'json2' };
    expect(loadConfig(envOf(worker)).odoo).toEqual(odoo);
  });

  it('DATABASE_URL points at the mysql service, its database and credentials', () => {
    const url = new URL(appEnv.DATABASE_URL ?? '');
    const mysql = envOf(service('mysql'));
    expect([url.hostname, url.port, url.pathname]).toEqual(['mysql', '3306', `/${mysql.MYSQL_DATABASE}`]);
    expect([url.username, url.password]).toEqual([mysql.MYSQL_USER, mysql.MYSQL_PASSWORD]);
  });

  it('LEGACY_DATABASE_URL points at legacy-postgres as sync_reader, whose password its init script gets', () => {
    const url = new URL(appEnv.LEGACY_DATABASE_URL ?? '');
    const legacy = envOf(service('legacy-postgres'));
    expect([url.hostname, url.port, url.pathname]).toEqual(['legacy-postgres', '5432', `/${legacy.POSTGRES_DB}`]);
    expect([url.username, legacy.PGOPTIONS]).toEqual(['sync_reader', `-c sync.reader_password=${url.password}`]);
    const init = './scripts/legacy-schema.sql:/docker-entrypoint-initdb.d/01-schema.sql:ro';
    expect(service('legacy-postgres').volumes).toContain(init);
  });

  it.each([
    ['mysql', /^CMD-SHELL mysqladmin ping -h 127\.0\.0\.1 /, '/var/lib/mysql'],
    ['legacy-postgres', /^CMD-SHELL pg_isready -h 127\.0\.0\.1 /, '/var/lib/postgresql/data'],
    ['temporal-postgres', /^CMD-SHELL pg_isready -h 127\.0\.0\.1 /, '/var/lib/postgresql/data'],
  ])('%s: native TCP healthcheck, not published, data in a named volume', (name, probe, dataDir) => {
    expect(healthTest(service(name))).toMatch(probe);
    expect(service(name).ports).toBeUndefined();
    expect(service(name).volumes).toContainEqual(expect.stringMatching(new RegExp(`^[\\w-]+:${dataDir}$`)));
  });

  it('temporal persists to temporal-postgres with its credentials and is healthy once its frontend serves', () => {
    const temporal = envOf(service('temporal'));
    const db = envOf(service('temporal-postgres'));
    expect(temporal).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'temporal-postgres', DB_PORT: '5432' });
    expect([temporal.POSTGRES_USER, temporal.POSTGRES_PWD]).toEqual([db.POSTGRES_USER, db.POSTGRES_PASSWORD]);
    expect(healthTest(service('temporal'))).toMatch(/temporal operator cluster health --address temporal:7233/);
  });

  it.each(['temporal-ui', 'temporal-admin-tools'])('%s talks to the temporal frontend the application uses', (name) => {
    expect(envOf(service(name)).TEMPORAL_ADDRESS).toBe(appEnv.TEMPORAL_ADDRESS);
    expect(service(name).depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
  });

  it('temporal-admin-tools registers exactly the search attributes of workflows/contract', () => {
    const script = (service('temporal-admin-tools').command ?? []).join('\n');
    const specs = /for spec in ([^;]*);/.exec(script)?.[1]?.split(' ') ?? [];
    const cliToType = (t = ''): string => t.replace(/(.)([A-Z])/g, '$1_$2').toUpperCase(); // KeywordList -> KEYWORD_LIST
    const registered = Object.fromEntries(specs.map((s) => s.split(':')).map(([n, t]) => [n, cliToType(t)]));
    expect(registered).toEqual(SEARCH_ATTRIBUTE_TYPES);
  });

  it('publishes the API on its PORT (health-checked on /ready) and Temporal on loopback only', () => {
    expect(service('api').ports).toEqual([`3000:${appEnv.PORT}`]);
    expect(healthTest(service('api'))).toContain(`fetch('http://127.0.0.1:${appEnv.PORT}/ready')`);
    expect(service('temporal').ports).toEqual(['127.0.0.1:7233:7233']);
    expect(service('temporal-ui').ports).toEqual(['127.0.0.1:8080:8080']);
    expect(service('worker').ports).toBeUndefined();
  });
});
