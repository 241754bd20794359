import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import {
  ConnectionException,
  DriverException,
  LockWaitTimeoutException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import Koa from 'koa';
import { databaseUnavailableReason, errorMiddleware } from '../../api/http/errors';
import { createLogger } from '../../observability/logger';

const MARKER = 'MARKER-7f3a9c';

/** An error shaped like the ones mysql2 raises. */
function driverError(fields: Record<string, unknown>, message = 'driver error'): Error {
  return Object.assign(new Error(message), fields);
}

/** What MikroORM rethrows for a failed insert: the statement with its values in the message and properties. */
function failedInsert(): DriverException {
  return new DriverException(
    driverError(
      {
        code: 'ER_SIGNAL_EXCEPTION',
        errno: 1644,
        sqlState: '45000',
        sqlMessage: `forced failure for ${MARKER}`,
        sql: `insert into partners (name) values ('${MARKER}')`,
        bindings: [MARKER],
      },
      `insert into partners (name) values ('${MARKER}') - forced failure`,
    ),
  );
}

describe('databaseUnavailableReason', () => {
  it.each([
    ['connection refused', driverError({ code: 'ECONNREFUSED', errno: -111, fatal: true }), /ECONNREFUSED/],
    ['connection lost', driverError({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), /PROTOCOL_CONNECTION_LOST/],
    ['server shutdown', driverError({ code: 'ER_SERVER_SHUTDOWN', errno: 1053 }), /ER_SERVER_SHUTDOWN/],
    ['server shutdown, errno only', driverError({ errno: 1053 }), /1053/],
    ['connect timeout', driverError({ code: 'ETIMEDOUT', fatal: true }), /ETIMEDOUT/],
    [
      'closed connection',
      driverError({ fatal: true }, "Can't add new command when connection is in closed state"),
      /fatal/,
    ],
    [
      'MikroORM ConnectionException',
      new ConnectionException(driverError({ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 })),
      /ER_ACCESS_DENIED_ERROR/,
    ],
    ['wrapped refused connection', new DriverException(driverError({ code: 'ECONNREFUSED' })), /ECONNREFUSED/],
    [
      'knex pool acquire timeout',
      Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), {
        name: 'KnexTimeoutError',
      }),
      /KnexTimeoutError/,
    ],
    [
      'knex pool acquire timeout rethrown by MikroORM',
      new DriverException(new Error('Knex: Timeout acquiring a connection. The pool is probably full.')),
      /KnexTimeoutError/,
    ],
    ['SQLite busy', driverError({ code: 'SQLITE_BUSY' }), /SQLITE_BUSY/],
    ['SQLite busy (extended code)', driverError({ code: 'SQLITE_BUSY_SNAPSHOT' }), /SQLITE_BUSY_SNAPSHOT/],
    ['SQLite locked', new LockWaitTimeoutException(new Error('database is locked')), /locked/],
    ['a cause', new Error('import failed', { cause: driverError({ code: 'ECONNRESET', fatal: true }) }), /ECONNRESET/],
  ])('classifies %s as unavailable', (_name, err, reason) => {
    expect(databaseUnavailableReason(err)).toMatch(reason);
  });

  it.each([
    ['a duplicate key', new UniqueConstraintViolationException(driverError({ code: 'ER_DUP_ENTRY', errno: 1062 }))],
    ['a failed statement', failedInsert()],
    [
      'an HTTP call that failed (not the database)',
      new TypeError('fetch failed', { cause: driverError({ code: 'ECONNREFUSED', errno: -111 }) }),
    ],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a thrown string', 'boom'],
    ['nothing', undefined],
  ])('leaves %s alone', (_name, err) => {
    expect(databaseUnavailableReason(err)).toBeUndefined();
  });
});

describe('the error middleware', () => {
  const logged: string[] = [];
  const log = createLogger(
    'debug',
    'test',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  let thrown: unknown;
  let server: ReturnType<Koa['listen']>;
  let url: string;

  beforeAll(async () => {
    const app = new Koa();
    app.use(errorMiddleware(log));
    app.use(() => {
      throw thrown;
    });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    logged.length = 0;
  });

  async function answer(err: unknown) {
    thrown = err;
    const res = await fetch(`${url}/api/v1/partners`, { method: 'POST' });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  }

  it('answers an unreachable database with 503 database_unavailable and Retry-After', async () => {
    const res = await answer(new DriverException(driverError({ code: 'ECONNREFUSED', errno: -111 })));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(res.body).toEqual({ error: { code: 'database_unavailable', message: expect.any(String), details: [] } });
    const line = JSON.parse(logged.join(''));
    expect(line).toMatchObject({ level: 40, reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('answers a failed statement with 500 and logs its class and codes, never its SQL or values', async () => {
    const res = await answer(failedInsert());
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
    const output = logged.join('');
    expect(output).not.toContain(MARKER);
    expect(JSON.parse(output)).toMatchObject({
      level: 50,
      requestId: res.headers.get('x-request-id'),
      error: { type: 'DriverException', code: 'ER_SIGNAL_EXCEPTION', errno: 1644, sqlState: '45000' },
    });
  });

  it('keeps the message of an error that does not come from the database', async () => {
    await answer(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(JSON.parse(logged.join('')).error).toMatchObject({
      type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'x')",
    });
  });

  it('drops the message of an error caused by a database error', async () => {
    const err = new Error(`import failed: ${MARKER}`, { cause: failedInsert() });
    expect((await answer(err)).status).toBe(500);
    expect(logged.join('')).not.toContain(MARKER);
  });
});

describe("the logger's err serializer", () => {
  it('reduces database errors to their safe summary wherever they are logged', () => {
    const logged: string[] = [];
    const log = createLogger(
      'info',
      'test',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    log.warn({ err: failedInsert() }, 'sweep failed');
    log.error({ err: new Error('plain failure') }, 'other failure');
    const [dbLine, plainLine] = logged.map((line) => JSON.parse(line));
    expect(logged[0]).not.toContain(MARKER);
    expect(dbLine.err).toMatchObject({ type: 'DriverException', errno: 1644, sqlState: '45000' });
    expect(plainLine.err).toMatchObject({ type: 'Error', message: 'plain failure' });
  });
});
