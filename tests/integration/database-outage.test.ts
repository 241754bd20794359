import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from '../support/free-port';
import { eventually, startTestService, type TestService } from '../support/service-harness';

jest.setTimeout(240_000);

const OUTAGE_MS = 6_000;
const BATCH = 10;
const PUSHERS = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function findBinary(names: string[]): string | undefined {
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

const SERVER_BIN = process.env.MARIADBD_BIN ?? findBinary(['mariadbd', 'mysqld']);
const INSTALL_BIN = process.env.MARIADB_INSTALL_DB_BIN ?? findBinary(['mariadb-install-db', 'mysql_install_db']);
const AS_ROOT = process.getuid?.() === 0;

/** A MariaDB server of this test's own, in a temporary datadir, that the test can kill and restart. */
class PrivateMariaDb {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  static async create(): Promise<PrivateMariaDb> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-outage-db-'));
    const db = new PrivateMariaDb(dir, await freePort());
    const install = spawnSync(
      INSTALL_BIN!,
      [
        '--no-defaults',
        `--datadir=${path.join(dir, 'data')}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...(AS_ROOT ? ['--user=root'] : []),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (install.status !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
    }
    return db;
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const child = spawn(
      SERVER_BIN!,
      [
        '--no-defaults',
        `--datadir=${path.join(this.dir, 'data')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(this.dir, 'mariadbd.sock')}`,
        `--pid-file=${path.join(this.dir, 'mariadbd.pid')}`,
        `--log-error=${path.join(this.dir, 'error.log')}`,
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=32M',
        ...(AS_ROOT ? ['--user=root'] : []),
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    let exitedEarly = false;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        exitedEarly = true;
        resolve();
      }),
    );
    await eventually(
      async () => {
        if (exitedEarly) throw new Error(`mariadbd exited: ${this.errorLog()}`);
        const conn = await mysql.createConnection({ uri: this.url, connectTimeout: 1_000 });
        await conn.query('select 1');
        await conn.end();
        return true;
      },
      60_000,
      'the private MariaDB to accept connections',
    );
  }

  /** SIGKILL: no shutdown, no flush beyond what InnoDB already made durable. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.child = undefined;
    child.kill('SIGKILL');
    await this.exited;
  }

  async destroy(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private errorLog(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'error.log'), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no error log)';
    }
  }
}

interface Answer {
  sentAt: number;
  at: number;
  status: number;
  ids: string[];
  retryAfter: string | null;
  code: string | undefined;
}

interface ReadyReading {
  at: number;
  status: number;
  database: { status: string; error?: string } | undefined;
  details: { path?: string; message: string }[];
}

describe('the primary database going away and coming back', () => {
  let db: PrivateMariaDb | undefined;
  let service: TestService | undefined;

  beforeAll(async () => {
    // A machine without the MariaDB server binaries cannot run this test: that is a failure, not a skip.
    if (!SERVER_BIN || !INSTALL_BIN) throw new Error('mariadbd and mariadb-install-db are needed for this test');
    db = await PrivateMariaDb.create();
    await db.start();
    // Errors are logged (a safe summary, no payloads): a 500 in this test then says what it was.
    service = await startTestService({ mysqlUrl: db.url, withWorker: false, env: { LOG_LEVEL: 'error' } });
  });

  afterAll(async () => {
    // The service drops its database on the private server, so that server must be up for the stop.
    try {
      if (db && !db.running) await db.start().catch(() => undefined);
      await service?.stop();
    } finally {
      await db?.destroy();
    }
  });

  it('answers 503 database_unavailable with Retry-After while it is down, recovers by itself, loses nothing', async () => {
    const svc = service!;
    const mariadb = db!;
    const token = await svc.token(['odoo']);
    const answers: Answer[] = [];
    const failures: string[] = [];
    let stop = false;

    const pusher = async (worker: number) => {
      for (let n = 0; !stop; n++) {
        const ids = Array.from({ length: BATCH }, (_, i) => `OUT-${worker}-${n}-${i}`);
        const partners = ids.map((id) => ({ external_id: id, type: 'C', name: `Outage ${id}` }));
        const sentAt = Date.now();
        try {
          const res = await svc.request('POST', '/api/v1/partners', { token, body: { partners } });
          answers.push({
            sentAt,
            at: Date.now(),
            status: res.status,
            ids,
            retryAfter: res.headers.get('retry-after'),
            code: res.body?.error?.code,
          });
          if (res.status === 200 && res.body.processed !== BATCH) failures.push(`200 with ${res.body.processed}`);
          await sleep(res.status === 200 ? 20 : 100);
        } catch (err) {
          failures.push(`push failed without an answer: ${String(err)}`);
          await sleep(100);
        }
      }
    };
    const pushing = Array.from({ length: PUSHERS }, (_, worker) => pusher(worker));
    const pushingDone = Promise.all(pushing);

    try {
      await eventually(
        async () => (answers.filter((a) => a.status === 200).length >= 5 ? true : undefined),
        20_000,
        'pushes to succeed before the outage',
      );

      const killedAt = Date.now();
      await mariadb.kill();

      const readiness: ReadyReading[] = [];
      while (Date.now() - killedAt < OUTAGE_MS) {
        const ready = await svc.request('GET', '/ready');
        readiness.push({
          at: Date.now(),
          status: ready.status,
          database: ready.body?.checks?.database,
          details: ready.body?.error?.details ?? [],
        });
        await sleep(500);
      }

      const restartedAt = Date.now();
      await mariadb.start();
      const upAt = Date.now();
      const firstAfterRestart = await eventually(
        async () => answers.find((a) => a.sentAt >= restartedAt && a.status === 200),
        30_000,
        'a push to succeed after the restart',
      );
      const readyAfter = await eventually(
        async () => {
          const ready = await svc.request('GET', '/ready');
          return ready.status === 200 ? ready : undefined;
        },
        15_000,
        '/ready to report ready again',
      );
      await sleep(1_000);
      stop = true;
      await pushingDone;

      // Every answer is 200 or 503, never 500 and never a dropped connection.
      expect(failures).toEqual([]);
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
      const unavailable = answers.filter((a) => a.status === 503);
      expect(unavailable.length).toBeGreaterThan(0);
      for (const answer of unavailable) {
        expect({ code: answer.code, retryAfter: answer.retryAfter }).toEqual({
          code: 'database_unavailable',
          retryAfter: expect.stringMatching(/^[1-9]\d*$/),
        });
      }
      expect(answers.filter((a) => a.status === 200 && a.sentAt >= upAt).length).toBeGreaterThan(0);
      // It recovers by itself: once the database accepts connections again, pushes stop being refused.
      const lateRefusals = unavailable.filter((a) => a.sentAt > upAt + 3_000);
      expect(lateRefusals).toEqual([]);

      // /ready said the database was down, with a reason, while it was.
      const downReadings = readiness.filter((r) => r.status === 503 && r.database?.status === 'down');
      expect(downReadings.length).toBeGreaterThan(0);
      for (const reading of downReadings) {
        expect(reading.database!.error).toMatch(/unavailable/);
        expect(reading.details).toEqual(
          expect.arrayContaining([{ path: 'database', message: expect.stringMatching(/unavailable/) }]),
        );
      }
      expect(readyAfter.body.checks.database.status).toBe('up');

      // Every record answered 200 is stored, exactly once.
      const acknowledged = answers.filter((a) => a.status === 200).flatMap((a) => a.ids);
      const conn = await mysql.createConnection({ uri: svc.env.DATABASE_URL });
      try {
        const [countRows] = await conn.query('select count(*) as n from partners where external_id in (?)', [
          acknowledged,
        ]);
        expect(Number((countRows as { n: number }[])[0]!.n)).toBe(acknowledged.length);
        const [duplicates] = await conn.query(
          "select external_id, count(*) as n from partners where external_id like 'OUT-%' group by external_id having count(*) > 1",
        );
        expect(duplicates).toEqual([]);
        const [storedRows] = await conn.query("select count(*) as n from partners where external_id like 'OUT-%'");
        const stored = Number((storedRows as { n: number }[])[0]!.n);
        // Batches answered 503 may or may not have committed before the connection dropped; nothing else is there.
        expect(stored).toBeGreaterThanOrEqual(acknowledged.length);
        expect(stored).toBeLessThanOrEqual(acknowledged.length + unavailable.length * BATCH);
      } finally {
        await conn.end();
      }

      const during = answers.filter((a) => a.sentAt >= killedAt && a.sentAt < upAt);
      console.log(
        [
          'database outage:',
          `  answers: ${answers.length} (200: ${statuses.filter((s) => s === 200).length}, 503: ${unavailable.length})`,
          `  sent during the outage: ${during.length} (503: ${during.filter((a) => a.status === 503).length}), slowest answer ${Math.max(0, ...during.map((a) => a.at - a.sentAt))} ms`,
          `  outage: killed to accepting connections ${upAt - killedAt} ms (restart took ${upAt - restartedAt} ms)`,
          `  recovery: ${unavailable.filter((a) => a.at > upAt).length} answers 503 after the database was back; the first push sent after the restart (${firstAfterRestart.sentAt - restartedAt} ms after it began) answered 200 ${firstAfterRestart.at - upAt} ms after the database accepted connections`,
          `  a 200 takes ~${Math.round(answers.filter((a) => a.status === 200).reduce((sum, a) => sum + a.at - a.sentAt, 0) / Math.max(1, answers.filter((a) => a.status === 200).length))} ms (storing plus the workflow hand-off budget)`,
          `  /ready while down: ${downReadings.length}/${readiness.length} readings 503, e.g. "${downReadings[0]?.database?.error}"`,
          `  records acknowledged with 200: ${acknowledged.length}, all stored once`,
        ].join('\n'),
      );
    } finally {
      stop = true;
      await pushingDone;
    }
  });
});
