import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Dockerfile instructions as [KEYWORD, arguments], continuation lines joined, comments dropped. */
function instructions(text: string): Array<[string, string]> {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return [keyword.toUpperCase(), rest.join(' ')];
    });
}

describe('Dockerfile', () => {
  const all = instructions(read('Dockerfile'));
  const lastFrom = all.map(([k]) => k).lastIndexOf('FROM');
  const final = all.slice(lastFrom);
  const runs = all.filter(([k]) => k === 'RUN').map(([, a]) => a);

  it('is a multi-stage build on node:20-bookworm-slim', () => {
    const froms = all.filter(([k]) => k === 'FROM').map(([, a]) => a.split(/\s+/)[0]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms.every((f) => f === 'node:20-bookworm-slim')).toBe(true);
  });

  it('installs with npm ci, builds (compiling and bundling the workflows), and prunes the dev dependencies', () => {
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm prune\b.*--omit=dev/.test(r))).toBe(true);
    const build = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.build;
    expect(build).toMatch(/scripts\/bundle-workflows\.ts/);
  });

  it('runs as a non-root user with NODE_ENV=production', () => {
    const users = final.filter(([k]) => k === 'USER').map(([, a]) => a.split(':')[0]);
    expect(users.at(-1)).toBeDefined();
    expect(['root', '0']).not.toContain(users.at(-1));
    expect(final.some(([k, a]) => k === 'ENV' && /\bNODE_ENV=production\b/.test(a))).toBe(true);
  });

  it('ships the compiled output (with the workflow bundle) and the production node_modules', () => {
    const copies = final.filter(([k]) => k === 'COPY').map(([, a]) => a);
    expect(copies.some((c) => /--from=\S+/.test(c) && /\/app\/dist\b/.test(c))).toBe(true);
    expect(copies.some((c) => /--from=\S+/.test(c) && /\/app\/node_modules\b/.test(c))).toBe(true);
  });

  it('starts the API by default', () => {
    const cmd = final.filter(([k]) => k === 'CMD').at(-1)?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', 'dist/api/main.js']);
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^\//, '').replace(/\/$/, ''))
    .filter((l) => l && !l.startsWith('#'));
  const ignored = (file: string) => patterns.some((p) => file === p || file.startsWith(`${p}/`));

  it.each(['node_modules', 'dist', '.git', 'var'])('keeps %s out of the build context', (entry) => {
    expect(ignored(entry)).toBe(true);
  });

  it.each([
    'package.json',
    'package-lock.json',
    'tsconfig.build.json',
    'scripts/bundle-workflows.ts',
    'workflows/index.ts',
  ])('keeps %s, which the build needs', (file) => {
    expect(ignored(file)).toBe(false);
    expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
  });
});

describe('legacy schema (the init script of legacy-postgres)', () => {
  const sql = read('scripts/legacy-schema.sql').replace(/--.*$/gm, '');

  it('creates the read-only role sync_reader, granted nothing that writes', () => {
    expect(sql).toMatch(/create\s+role\s+sync_reader\b[^;]*\blogin\b/i);
    const grants = [...sql.matchAll(/grant\s+([\w\s,]+?)\s+on\s+[^;]*?\bto\s+sync_reader\b/gi)];
    expect(grants.length).toBeGreaterThan(0);
    for (const g of grants) {
      for (const p of g[1]!.split(',').map((x) => x.trim().toLowerCase()))
        expect(['select', 'usage', 'connect']).toContain(p);
    }
  });

  it.each(['partner', 'product'])('defines the %s table with its external_id, odoo_id and json_data', (table) => {
    const body = new RegExp(`create\\s+table\\s+(if\\s+not\\s+exists\\s+)?${table}\\s*\\(([^;]*)\\)`, 'i').exec(
      sql,
    )?.[2];
    expect(body).toMatch(/external_id\s+varchar\(191\)[^,]*not null/i);
    expect(body).toMatch(/odoo_id\s+integer/i);
    expect(body).toMatch(/json_data\s+(jsonb|text)/i);
  });
});
