import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { MikroORM } from '@mikro-orm/core';
import { SqlEntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { openLegacyOrm } from '../../db/legacy-orm';
import { LegacyDirectory } from '../../sync/legacy/legacy-lookup';
import { testBackends } from '../support/test-backends';

// The run's legacy database is shared with other test files: every row here carries this file's prefix and only those are removed.
const prefix = `LL-${randomBytes(4).toString('hex')}-`;
const id = (name: string): string => `${prefix}${name}`;

const partners: Array<[string, number | null, string | null]> = [
  [id('P-acme'), 11, '{"type":"C","name":"Acme","tags":["a"]}'],
  [id('P-untyped'), 12, '{"name":"No type"}'],
  [id('P-badtype'), 13, '{"type":"X"}'],
  [id('P-array'), 14, '[1,2]'],
  [id('P-null'), null, null],
];
const products: Array<[string, number | null, string | null, string | null]> = [
  [id('A-column'), 21, '{"context":"retail","sku":"A"}', 'wholesale'],
  [id('A-fallback'), 22, '{"context":"retail","sku":"B"}', null],
  [id('A-malformed'), 23, '{"context":"retail","sku":', null],
  [id('A-malformed-col'), 24, 'not json at all', 'wholesale'],
  [id('A-bare'), null, null, null],
];

// The ORM connection is read-only, so rows are written with a plain client, connected only while needed.
async function withWriter<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('LegacyDirectory against PostgreSQL', () => {
  let url: string;
  let orm: MikroORM;
  let directory: LegacyDirectory;

  beforeAll(async () => {
    const legacyUrl = testBackends().legacyUrl;
    if (!legacyUrl) throw new Error('PostgreSQL is not reachable: the legacy lookup tests need it');
    url = legacyUrl;
    await withWriter(url, async (writer) => {
      for (const [externalId, odooId, json] of partners) {
        await writer.query('insert into partner (external_id, odoo_id, json_data) values ($1, $2, $3::jsonb)', [
          externalId,
          odooId,
          json,
        ]);
      }
      for (const [externalId, odooId, json, context] of products) {
        await writer.query('insert into product (external_id, odoo_id, json_data, context) values ($1, $2, $3, $4)', [
          externalId,
          odooId,
          json,
          context,
        ]);
      }
    });
    orm = await openLegacyOrm(url);
    directory = new LegacyDirectory(orm);
  });

  afterAll(async () => {
    await orm?.close(true);
    if (url) {
      await withWriter(url, async (writer) => {
        await writer.query('delete from partner where external_id = any($1)', [partners.map((p) => p[0])]);
        await writer.query('delete from product where external_id = any($1)', [products.map((p) => p[0])]);
      });
    }
  });

  it('finds a partner stored as jsonb, with its type and data', async () => {
    await expect(directory.findLegacyPartner(id('P-acme'))).resolves.toEqual({
      status: 'found',
      record: { externalId: id('P-acme'), odooId: 11, type: 'C', data: { type: 'C', name: 'Acme', tags: ['a'] } },
    });
  });

  it('leaves the partner type null when json_data has none, an unknown one, or is not an object', async () => {
    const untyped = await directory.findLegacyPartner(id('P-untyped'));
    expect(untyped).toEqual({
      status: 'found',
      record: { externalId: id('P-untyped'), odooId: 12, type: null, data: { name: 'No type' } },
    });
    const badType = await directory.findLegacyPartner(id('P-badtype'));
    expect(badType).toEqual({
      status: 'found',
      record: { externalId: id('P-badtype'), odooId: 13, type: null, data: { type: 'X' } },
    });
    const array = await directory.findLegacyPartner(id('P-array'));
    expect(array).toEqual({ status: 'found', record: { externalId: id('P-array'), odooId: 14, type: null, data: {} } });
    const empty = await directory.findLegacyPartner(id('P-null'));
    expect(empty).toEqual({
      status: 'found',
      record: { externalId: id('P-null'), odooId: null, type: null, data: {} },
    });
  });

  it('finds a product stored as text, preferring the context column over json_data.context', async () => {
    await expect(directory.findLegacyProduct(id('A-column'))).resolves.toEqual({
      status: 'found',
      record: { externalId: id('A-column'), odooId: 21, context: 'wholesale', data: { context: 'retail', sku: 'A' } },
    });
  });

  it('falls back to json_data.context when the context column is null', async () => {
    await expect(directory.findLegacyProduct(id('A-fallback'))).resolves.toEqual({
      status: 'found',
      record: { externalId: id('A-fallback'), odooId: 22, context: 'retail', data: { context: 'retail', sku: 'B' } },
    });
  });

  it('makes a stub without the optional fields from malformed json_data', async () => {
    await expect(directory.findLegacyProduct(id('A-malformed'))).resolves.toEqual({
      status: 'found',
      record: { externalId: id('A-malformed'), odooId: 23, context: null, data: {} },
    });
    // The context column is not part of json_data, so it still counts.
    await expect(directory.findLegacyProduct(id('A-malformed-col'))).resolves.toEqual({
      status: 'found',
      record: { externalId: id('A-malformed-col'), odooId: 24, context: 'wholesale', data: {} },
    });
    await expect(directory.findLegacyProduct(id('A-bare'))).resolves.toEqual({
      status: 'found',
      record: { externalId: id('A-bare'), odooId: null, context: null, data: {} },
    });
  });

  it('answers not_found for unknown ids, including ids that only exist in the other table', async () => {
    await expect(directory.findLegacyPartner(id('missing'))).resolves.toEqual({ status: 'not_found' });
    await expect(directory.findLegacyProduct(id('P-acme'))).resolves.toEqual({ status: 'not_found' });
    await expect(directory.findLegacyPartner(`${id('P-acme')}' or '1'='1`)).resolves.toEqual({ status: 'not_found' });
  });

  it('answers a mixed batch with one query and one entry per distinct id', async () => {
    const knex = (orm.em as SqlEntityManager).getKnex();
    const queries: string[] = [];
    const onQuery = (q: { sql: string }): void => void queries.push(q.sql);
    knex.on('query', onQuery);
    try {
      const answers = await directory.findLegacyPartners([id('P-acme'), id('missing'), id('P-badtype'), id('P-acme')]);
      expect(queries).toHaveLength(1);
      expect([...answers.keys()].sort()).toEqual([id('P-acme'), id('P-badtype'), id('missing')].sort());
      expect(answers.get(id('P-acme'))).toMatchObject({ status: 'found', record: { type: 'C', odooId: 11 } });
      expect(answers.get(id('P-badtype'))).toMatchObject({ status: 'found', record: { type: null, odooId: 13 } });
      expect(answers.get(id('missing'))).toEqual({ status: 'not_found' });

      queries.length = 0;
      const productAnswers = await directory.findLegacyProducts([id('A-fallback'), id('A-malformed'), id('nope')]);
      expect(queries).toHaveLength(1);
      expect(productAnswers.size).toBe(3);
      expect(productAnswers.get(id('A-fallback'))).toMatchObject({ status: 'found', record: { context: 'retail' } });
      expect(productAnswers.get(id('A-malformed'))).toMatchObject({
        status: 'found',
        record: { context: null, data: {} },
      });
      expect(productAnswers.get(id('nope'))).toEqual({ status: 'not_found' });

      queries.length = 0;
      await expect(directory.findLegacyProducts([])).resolves.toEqual(new Map());
      expect(queries).toHaveLength(0);
    } finally {
      knex.removeListener('query', onQuery);
    }
  });

  it('cannot write through the legacy ORM: PostgreSQL refuses it as a read-only transaction', async () => {
    const target = id('P-written');
    const attempt = orm.em
      .getConnection()
      .execute('insert into partner (external_id, odoo_id) values (?, ?)', [target, 99]);
    await expect(attempt).rejects.toThrow(/read-only transaction/);
    const count = await withWriter(url, async (writer) => {
      const check = await writer.query<{ n: number }>('select count(*)::int as n from partner where external_id = $1', [
        target,
      ]);
      return check.rows[0]?.n;
    });
    expect(count).toBe(0);
  });

  it('answers disabled when no legacy database is configured', async () => {
    const off = new LegacyDirectory(undefined);
    expect(off.enabled).toBe(false);
    await expect(off.findLegacyPartner(id('P-acme'))).resolves.toEqual({ status: 'disabled' });
    await expect(off.findLegacyProduct(id('A-column'))).resolves.toEqual({ status: 'disabled' });
    const batch = await off.findLegacyPartners([id('P-acme'), id('missing')]);
    expect([...batch.values()]).toEqual([{ status: 'disabled' }, { status: 'disabled' }]);
  });

  it('answers unavailable quickly, without throwing, when the legacy database cannot be reached', async () => {
    const downOrm = await openLegacyOrm('postgresql://postgres@127.0.0.1:1/legacy_test');
    try {
      const down = new LegacyDirectory(downOrm);
      const started = Date.now();
      const single = await down.findLegacyPartner(id('P-acme'));
      const batch = await down.findLegacyProducts([id('A-column'), id('nope')]);
      expect(Date.now() - started).toBeLessThan(6_000);

      expect(single).toEqual({
        status: 'unavailable',
        error: expect.stringMatching(/^legacy database unavailable: .*ECONNREFUSED/),
      });
      expect(batch.size).toBe(2);
      for (const answer of batch.values())
        expect(answer).toEqual({ status: 'unavailable', error: expect.stringContaining('ECONNREFUSED') });
    } finally {
      await downOrm.close(true);
    }
  });

  it('answers unavailable after the connect timeout when the server accepts but never speaks', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const hangingOrm = await openLegacyOrm(`postgresql://postgres@127.0.0.1:${port}/legacy_test`);
    try {
      const started = Date.now();
      const answer = await new LegacyDirectory(hangingOrm).findLegacyPartner(id('P-acme'));
      const elapsed = Date.now() - started;
      expect(answer).toEqual({ status: 'unavailable', error: expect.stringContaining('timed out') });
      expect(sockets.length).toBeGreaterThan(0);
      // openLegacyOrm's acquire timeout is 5 s; the margin absorbs a loaded test machine.
      expect(elapsed).toBeGreaterThanOrEqual(4_500);
      expect(elapsed).toBeLessThan(7_000);
    } finally {
      // Hanging up first fails the still-pending connect; closing the pool would otherwise wait for it.
      for (const socket of sockets) socket.destroy();
      await hangingOrm.close(true);
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
