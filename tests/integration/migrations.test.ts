import { MikroORM } from '@mikro-orm/core';
import { loadConfig } from '../../config/config';
import { openPrimaryOrm } from '../../db/primary-orm';
import { createTestDatabase, type TestDatabase } from '../support/service-harness';
import { testBackends } from '../support/test-backends';

jest.setTimeout(60_000);

/** The MySQL migrations must create every column and index the entities declare. */
describe('MySQL migrations', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    if (!testBackends().mysqlUrl) throw new Error('MySQL/MariaDB is needed to check the migrations');
    db = await createTestDatabase();
    orm = await openPrimaryOrm(loadConfig(db.env).database);
  });
  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it('creates every column of every entity', async () => {
    const conn = orm.em.getConnection();
    const rows: { table_name: string; column_name: string }[] = await conn.execute(
      'select table_name as table_name, column_name as column_name from information_schema.columns where table_schema = database()',
    );
    const actual = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
    const expected = Object.values(orm.getMetadata().getAll())
      .filter((meta) => !meta.embeddable && !meta.virtual)
      .flatMap((meta) =>
        Object.values(meta.properties).flatMap((prop) => (prop.fieldNames ?? []).map((f) => `${meta.tableName}.${f}`)),
      );
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.filter((c) => !actual.has(c))).toEqual([]);
  });

  it('creates every declared index', async () => {
    const conn = orm.em.getConnection();
    const rows: { index_name: string }[] = await conn.execute(
      'select distinct index_name as index_name from information_schema.statistics where table_schema = database()',
    );
    const actual = new Set(rows.map((r) => r.index_name));
    const expected = Object.values(orm.getMetadata().getAll()).flatMap((meta) =>
      meta.indexes.map((i) => i.name).filter(Boolean),
    );
    expect(expected.filter((name) => !actual.has(name!))).toEqual([]);
  });
});
