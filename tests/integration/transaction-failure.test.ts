import net from 'node:net';
import { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { databaseUnavailableReason } from '../../api/http/errors';
import { loadConfig } from '../../config/config';
import { openPrimaryOrm } from '../../db/primary-orm';
import { inTransaction as runInTransaction } from '../../db/transaction';
import { createTestDatabase, type TestDatabase } from '../support/service-harness';
import { testBackends } from '../support/test-backends';

jest.setTimeout(60_000);

/**
 * A TCP proxy in front of MariaDB that, once armed, drops the connection on which the client sends the
 * statement it is armed for: the server "goes away" exactly under BEGIN or COMMIT.
 */
class StatementDroppingProxy {
  armed: RegExp | undefined;
  dropped = 0;
  port = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((client) => this.relay(client));

  private constructor(private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<StatementDroppingProxy> {
    const proxy = new StatementDroppingProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      // A COM_QUERY packet: 3 length bytes, a sequence byte, command 0x03, then the statement.
      if (this.armed && chunk[4] === 0x03 && this.armed.test(chunk.subarray(5).toString('utf8'))) {
        this.dropped++;
        return drop();
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('a transaction whose connection dies under BEGIN or COMMIT', () => {
  let db: TestDatabase;
  let proxy: StatementDroppingProxy;
  let orm: MikroORM;
  let em: EntityManager;

  beforeAll(async () => {
    if (!testBackends().mysqlUrl) throw new Error('MySQL/MariaDB is needed for this test');
    db = await createTestDatabase();
    const url = new URL(db.env.DATABASE_URL!);
    proxy = await StatementDroppingProxy.start({ host: url.hostname, port: Number(url.port || 3306) });
    url.host = `127.0.0.1:${proxy.port}`;
    orm = await openPrimaryOrm(loadConfig({ ...db.env, DATABASE_URL: url.toString() }).database);
    em = orm.em as EntityManager;
  });
  afterAll(async () => {
    await orm?.close(true);
    await proxy?.stop();
    await db?.drop();
  });
  afterEach(() => {
    proxy.armed = undefined;
  });

  /** As the importer and the webshop order store run their work. */
  const inTransaction = <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> => runInTransaction(em, work);
  const selectOne = (tx: EntityManager) => tx.getConnection().execute('select 1 as one', [], 'get');
  const insert = (id: number) => (tx: EntityManager) =>
    tx.getConnection().execute('insert into tx_probe (id) values (?)', [id], 'run', tx.getTransactionContext());
  const stored = async (id: number) =>
    (await em.getConnection().execute('select id from tx_probe where id = ?', [id])).length;

  beforeAll(async () => {
    await em.getConnection().execute('create table tx_probe (id int primary key)');
  });

  it('BEGIN dying with the connection is an unavailable database (503), not a 500', async () => {
    proxy.armed = /^\s*begin\b/i;
    const err = await inTransaction(selectOne).catch((e: unknown) => e);
    expect(proxy.dropped).toBe(1);
    expect(String((err as Error).message)).not.toContain('Transaction query already complete');
    expect(databaseUnavailableReason(err)).toEqual(expect.stringMatching(/connection|gone|cannot connect/));
  });

  it('a COMMIT that died fails the transaction: the caller answers 503 and never acknowledges what was not stored', async () => {
    proxy.armed = /^\s*commit\b/i;
    const err = await inTransaction(insert(2)).catch((e: unknown) => e);
    expect(proxy.dropped).toBe(2);
    expect(err).toBeInstanceOf(Error);
    expect(databaseUnavailableReason(err)).toEqual(expect.stringMatching(/connection|gone|cannot connect/));
    proxy.armed = undefined;
    expect(await stored(2)).toBe(0);
  });

  it('the next transaction commits once the server answers again', async () => {
    await expect(inTransaction(insert(3))).resolves.toBeDefined();
    expect(await stored(3)).toBe(1);
  });
});
