import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { Client as PgClient } from 'pg';
import { ensureTemporalBinaries } from '../../runtime/temporal/binaries';
import { startTemporalDevServer, type TemporalDevServer } from '../../runtime/temporal/dev-server';
import { freePort } from './free-port';

const DEFAULT_MYSQL = 'mysql://root@127.0.0.1:3306';
const DEFAULT_POSTGRES = 'postgresql://postgres@127.0.0.1:5432';
/** Each run has its own legacy database, so suites running at once on one machine leave each other alone. */
const LEGACY_TEST_DB = `legacy_test_${randomBytes(4).toString('hex')}`;

declare global {
  var __temporalTestServer: TemporalDevServer | undefined;
  /** Drops this run's legacy database. */
  var __dropLegacyTestDatabase: (() => Promise<void>) | undefined;
}

async function mysqlReachable(url: string): Promise<string | undefined> {
  try {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 3000 });
    await conn.query('select 1');
    await conn.end();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function onPostgresServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new PgClient({ connectionString: `${serverUrl}/postgres`, connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** Creates this run's legacy test database with the legacy schema; returns its URL. */
async function prepareLegacyDatabase(serverUrl: string): Promise<string> {
  await onPostgresServer(serverUrl, `create database ${LEGACY_TEST_DB}`);
  globalThis.__dropLegacyTestDatabase = () =>
    onPostgresServer(serverUrl, `drop database if exists ${LEGACY_TEST_DB} with (force)`);
  const url = `${serverUrl}/${LEGACY_TEST_DB}`;
  const db = new PgClient({ connectionString: url });
  await db.connect();
  try {
    await db.query(fs.readFileSync(path.join(__dirname, 'legacy-test-schema.sql'), 'utf8'));
  } finally {
    await db.end();
  }
  return url;
}

/** A port found free can still be taken before the dev server binds it: then it is started again on others. */
async function startWithFreshPorts(start: () => Promise<TemporalDevServer>, attempts = 3): Promise<TemporalDevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      // The panic's stack fills the log's tail, past the bind error: any failure to start gets fresh ports.
      if (attempt >= attempts) throw err;
    }
  }
}

export default async function globalSetup(): Promise<void> {
  const ci = process.env.CI === 'true';
  const lines: string[] = [];

  const mysqlUrl = process.env.TEST_MYSQL_URL || DEFAULT_MYSQL;
  const mysqlProblem = await mysqlReachable(mysqlUrl);
  if (mysqlProblem && ci) throw new Error(`CI needs MySQL/MariaDB at ${mysqlUrl}: ${mysqlProblem}`);
  process.env.TEST_MYSQL_URL = mysqlProblem ? '' : mysqlUrl;
  lines.push(
    mysqlProblem
      ? `primary store: embedded SQLite (MySQL not reachable: ${mysqlProblem})`
      : `primary store: MySQL/MariaDB at ${mysqlUrl}`,
  );

  const pgUrl = process.env.TEST_POSTGRES_URL || DEFAULT_POSTGRES;
  try {
    process.env.TEST_LEGACY_URL = await prepareLegacyDatabase(pgUrl);
    lines.push(`legacy store: PostgreSQL at ${pgUrl}/${LEGACY_TEST_DB}`);
  } catch (err) {
    if (ci) throw new Error(`CI needs PostgreSQL at ${pgUrl}: ${(err as Error).message}`);
    process.env.TEST_LEGACY_URL = '';
    lines.push(`legacy store: none (PostgreSQL not reachable: ${(err as Error).message}); legacy tests fail`);
  }

  if (process.env.TEST_TEMPORAL_ADDRESS) {
    lines.push(`Temporal: external server at ${process.env.TEST_TEMPORAL_ADDRESS}`);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-test-temporal-'));
    const server = await startWithFreshPorts(async () =>
      startTemporalDevServer({
        cliPath: ensureTemporalBinaries().cli,
        dbFile: path.join(dir, 'temporal.sqlite'),
        port: await freePort(),
        uiPort: await freePort(),
        namespace: 'default',
      }),
    );
    globalThis.__temporalTestServer = server;
    process.env.TEST_TEMPORAL_ADDRESS = server.address;
    lines.push(`Temporal: dev server started for the suite at ${server.address}`);
  }
  process.stdout.write(`\nTest backends:\n${lines.map((l) => `  - ${l}`).join('\n')}\n`);
}
