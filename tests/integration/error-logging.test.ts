import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createToken } from '../../auth/token-store';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../observability/logger';
import { startApiServer, type RunningApi } from '../../runtime/api-server';
import { openResources, type Resources } from '../../runtime/resources';
import { createTestDatabase, type TestDatabase } from '../support/service-harness';
import { testBackends } from '../support/test-backends';

jest.setTimeout(120_000);

/** Record data that must never reach the log: not in a message, not in SQL, not in parameters. */
const MARKER = `SECRET-PAYLOAD-${randomBytes(6).toString('hex')}`;

describe('a request that fails with a database error', () => {
  const logged: string[] = [];
  let db: TestDatabase;
  let resources: Resources;
  let api: RunningApi;
  let token: string;
  let kind: 'mysql' | 'sqlite';

  beforeAll(async () => {
    const backends = testBackends();
    db = await createTestDatabase();
    const config = loadConfig({
      TEMPORAL_ADDRESS: backends.temporalAddress,
      TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'debug',
      ...db.env,
    });
    kind = config.database.kind;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = createLogger(config.logLevel, 'error-logging-test', sink);
    resources = await openResources(config, log, backends.temporalAddress);
    api = await startApiServer(config, log, resources, 0);
    ({ secret: token } = await createToken(resources.orm.em.fork(), { name: 'odoo', scopes: ['odoo'] }));
    // Every insert into partners fails in the database, with the statement (and its values) in the driver's error.
    const connection = resources.orm.em.getConnection();
    await connection.execute(
      config.database.kind === 'mysql'
        ? "create trigger fail_partner_insert before insert on partners for each row signal sqlstate '45000' set message_text = 'forced failure'"
        : "create trigger fail_partner_insert before insert on partners begin select raise(abort, 'forced failure'); end",
    );
  });

  afterAll(async () => {
    await api?.close();
    await resources?.close();
    await db?.drop();
  });

  async function push(body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${api.url}/api/v1/partners`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  }

  const record = (externalId: string) => ({
    external_id: externalId,
    type: 'C',
    name: `Name ${MARKER}`,
    email: `${MARKER.toLowerCase()}@example.com`,
    street: `Street ${MARKER}`,
  });

  it("fails in the database with the record's values in the driver's error (what must not be logged)", async () => {
    if (kind !== 'mysql') return; // the statement below is written for MySQL/MariaDB
    const connection = resources.orm.em.getConnection();
    const failure = await connection
      .execute(
        "insert into partners (external_id, data, changed_fields, unacked_changed_fields, processing_state, changed_at, created_at, updated_at, name) values (?, '{}', '[]', '[]', 'pending', ?, ?, ?, ?)",
        ['LOGSAFE-0', new Date(), new Date(), new Date(), `Name ${MARKER}`],
      )
      .then(
        () => undefined,
        (err: unknown) => err as Error & { sql?: string },
      );
    expect(failure).toBeInstanceOf(Error);
    expect(`${failure!.message} ${failure!.sql ?? ''}`).toContain(MARKER);
  });

  it('answers 500 and logs a safe summary: class, codes, route, entity type, external ids, request id', async () => {
    logged.length = 0;
    const res = await push(
      { partners: [record('LOGSAFE-1'), record('LOGSAFE-2')] },
      { 'x-request-id': 'req-logsafe-1' },
    );
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { code: 'internal_error', message: expect.stringContaining('req-logsafe-1'), details: [] },
    });
    expect(JSON.stringify(res.body)).not.toContain(MARKER);
    expect(res.headers.get('x-request-id')).toBe('req-logsafe-1');

    const output = logged.join('');
    expect(output).not.toContain(MARKER);
    expect(output).not.toContain(MARKER.toLowerCase());
    expect(output.toLowerCase()).not.toContain('insert into');
    const lines = logged.map((line) => JSON.parse(line) as Record<string, any>);
    const failure = lines.find((line) => line.msg === 'request failed');
    expect(failure).toMatchObject({
      level: 50,
      requestId: 'req-logsafe-1',
      method: 'POST',
      route: '/api/v1/partners',
      entityType: 'partner',
      externalIds: ['LOGSAFE-1', 'LOGSAFE-2'],
      error: { type: expect.any(String) },
    });
    expect(failure!.error.message).toBeUndefined();
    expect(failure!.error.stack).toEqual(expect.any(Array));
    if (kind === 'mysql') {
      expect(failure!.error).toMatchObject({ type: 'DriverException', errno: 1644, sqlState: '45000' });
    }
  });

  it('keeps a single-record push out of the log the same way, with a generated request id', async () => {
    logged.length = 0;
    const res = await push(record('LOGSAFE-3'));
    expect(res.status).toBe(500);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const output = logged.join('');
    expect(output).not.toContain(MARKER);
    expect(output).not.toContain(MARKER.toLowerCase());
    const failure = logged.map((line) => JSON.parse(line)).find((line) => line.msg === 'request failed');
    expect(failure).toMatchObject({ requestId, entityType: 'partner', externalIds: ['LOGSAFE-3'] });
  });
});
