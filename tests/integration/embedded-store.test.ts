import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPrimaryOrm, type PrimaryOrm } from '../../db/primary-orm';
import { primaryEntities } from '../../entities';
import { ProductSchema } from '../../entities/product';
import { newSyncFields } from '../../sync/shared/sync-row-fields';

/** The embedded SQLite store `npm start` runs on (the rest of the suite runs on MySQL/MariaDB when reachable). */
describe('embedded SQLite primary store', () => {
  let dir: string;
  let orm: PrimaryOrm;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-store-'));
    orm = await openPrimaryOrm({ kind: 'sqlite', file: path.join(dir, 'sync.sqlite') });
  });
  afterAll(async () => {
    await orm.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a table for every entity', async () => {
    const tables: { name: string }[] = await orm.em
      .getConnection()
      .execute("select name from sqlite_master where type = 'table'");
    const names = tables.map((t) => t.name);
    for (const entity of primaryEntities) expect(names).toContain(entity.meta.tableName);
  });

  it('writes nothing when a loaded row is flushed unchanged (dates included)', async () => {
    const now = new Date('2026-12-01T10:00:00.123Z');
    const em = orm.em.fork();
    em.create(
      ProductSchema,
      {
        ...newSyncFields(
          {
            externalId: 'E-1',
            odooId: 1,
            data: {},
            changedFields: [],
            processingState: 'processed',
            sourceWriteDate: now,
          },
          now,
        ),
        servedAt: now,
        acknowledgedAt: now,
      },
      { persist: true },
    );
    await em.flush();

    const reader = orm.em.fork();
    const row = await reader.findOneOrFail(ProductSchema, { externalId: 'E-1' });
    expect(row.changedAt.toISOString()).toBe('2026-12-01T10:00:00.123Z');
    reader.getUnitOfWork().computeChangeSets();
    expect(
      reader
        .getUnitOfWork()
        .getChangeSets()
        .map((c) => c.payload),
    ).toEqual([]);
  });
});
