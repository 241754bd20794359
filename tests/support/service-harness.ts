import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import mysql from 'mysql2/promise';
import { createToken } from '../../auth/token-store';
import { loadConfig, type Config } from '../../config/config';
import type { TokenScope } from '../../entities/api-token';
import { createLogger } from '../../observability/logger';
import { startApiServer, type RunningApi } from '../../runtime/api-server';
import { openResources, type Resources } from '../../runtime/resources';
import { startWorker, type RunningWorker } from '../../runtime/worker-process';
import { workflowsPath } from '../../worker/workflow-bundle';
import { testBackends } from './test-backends';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One workflow bundle per test file: bundling is the slow part of starting a worker. */
export function sharedWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietBundlerLogger });
  return bundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta),
};

export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh, empty primary store: a new MySQL database, or a new SQLite file when MySQL is not reachable. */
export async function createTestDatabase(serverUrl?: string): Promise<TestDatabase> {
  const mysqlUrl = serverUrl ?? testBackends().mysqlUrl;
  if (!mysqlUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-test-'));
    return { env: { VAR_DIR: dir }, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `sync_test_${randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: mysqlUrl });
  await admin.query(`create database \`${name}\``);
  await admin.end();
  return {
    env: { DATABASE_URL: `${mysqlUrl}/${name}`, VAR_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'sync-test-')) },
    drop: async () => {
      const conn = await mysql.createConnection({ uri: mysqlUrl });
      await conn.query(`drop database if exists \`${name}\``);
      await conn.end();
    },
  };
}

export interface TestService {
  config: Config;
  env: Record<string, string>;
  resources: Resources;
  api: RunningApi;
  worker: RunningWorker | undefined;
  startWorker(): Promise<RunningWorker>;
  stopWorker(): Promise<void>;
  token(scopes: TokenScope[], options?: { expiresAt?: Date | null }): Promise<string>;
  request(
    method: string,
    urlPath: string,
    options?: { token?: string; body?: unknown; rawBody?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export interface TestServiceOptions {
  env?: Record<string, string>;
  withWorker?: boolean;
  /** Temporal address the API uses (defaults to the suite's server); the worker always uses the real one. */
  apiTemporalAddress?: string;
  /** MySQL/MariaDB server (URL without a database) to create the test database on, instead of the suite's. */
  mysqlUrl?: string;
}

/** The real API and worker, wired to the suite's MySQL (or SQLite), PostgreSQL and Temporal. */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const backends = testBackends();
  const db = await createTestDatabase(options.mysqlUrl);
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: backends.temporalAddress,
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    PENDING_SWEEP_INTERVAL: '1s',
    PENDING_SWEEP_MIN_AGE: '3s',
    WORKER_METRICS_PORT: '0',
    FEED_SETTLE_WINDOW: '0ms',
    // No Schedule pulls from a test's Odoo on its own (a test that wants them sets an interval).
    ODOO_PULL_INTERVAL: 'off',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(backends.legacyUrl ? { LEGACY_DATABASE_URL: backends.legacyUrl } : {}),
    ...db.env,
    ...options.env,
  };
  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
  const resources = await openResources(config, log, options.apiTemporalAddress ?? backends.temporalAddress);
  const api = await startApiServer(config, log, resources, 0);

  const service: TestService = {
    config,
    env,
    resources,
    api,
    worker: undefined,
    async startWorker() {
      service.worker = await startWorker(config, log, resources, backends.temporalAddress, {
        workflowBundle: await sharedWorkflowBundle(),
      });
      return service.worker;
    },
    async stopWorker() {
      await service.worker?.close();
      service.worker = undefined;
    },
    async token(scopes, tokenOptions = {}) {
      const { secret } = await createToken(resources.orm.em.fork(), {
        name: `test-${scopes.join('-')}`,
        scopes,
        expiresAt: tokenOptions.expiresAt,
      });
      return secret;
    },
    async request(method, urlPath, requestOptions = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
      const canHaveBody = method !== 'GET' && method !== 'HEAD';
      const body = !canHaveBody
        ? undefined
        : (requestOptions.rawBody ??
          (requestOptions.body === undefined ? undefined : JSON.stringify(requestOptions.body)));
      const res = await fetch(`${api.url}${urlPath}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // metrics and other text bodies stay text
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await service.stopWorker();
      await api.close();
      await resources.close();
      await db.drop();
    },
  };
  if (options.withWorker !== false) await service.startWorker();
  return service;
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
