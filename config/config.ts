import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from './duration';

/** The folder holding package.json, from source (`config/`) and from the build (`dist/config/`) alike. */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..');
  }
}
export const DEFAULT_TASK_QUEUE = 'odoo-webshop-sync';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (use ms, s, m, h or d)` });
        return z.NEVER;
      }
      return ms;
    });

/** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`), any case. */
const bool = (fallback: boolean) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const value = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(value)) return true;
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a boolean (use true or false)` });
      return z.NEVER;
    });

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  DATABASE_URL: optionalUrl(['mysql', 'mariadb']),
  LEGACY_DATABASE_URL: optionalUrl(['postgresql', 'postgres']),
  TEMPORAL_ADDRESS: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined)),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  TEMPORAL_PULL_TASK_QUEUE: z.string().min(1).optional(),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  DEPENDENCY_GRACE_PERIOD: duration('5m'),
  STUB_STALE_AFTER: duration('7d'),
  LEGACY_LOOKUP_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  LEGACY_LOOKUP_MAX_INTERVAL: duration('6h'),
  PENDING_SWEEP_INTERVAL: duration('15s'),
  PENDING_SWEEP_MIN_AGE: duration('2m'),
  // Each cached waiting workflow holds ~270 KB of worker RSS (its own copy of the workflow modules, its state
  // and the core's): 250 keeps a worker with 10,000 waiting workflows under 400 MB (BENCHMARKS.md); an evicted
  // one is replayed from its short history when woken.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(250),
  PENDING_SWEEP_MAX_PER_PASS: z.coerce.number().int().min(1).default(500),
  FEED_SETTLE_WINDOW: duration('2s'),
  ODOO_URL: optionalUrl(['http', 'https']),
  ODOO_DB: z.string().optional(),
  ODOO_LOGIN: z.string().optional(),
  ODOO_API_KEY: z.string().optional(),
  ODOO_PROTOCOL: z.enum(['jsonrpc', 'json2']).default('jsonrpc'),
  ODOO_TIMEOUT: duration('15s'),
  ODOO_MAX_CONCURRENT: z.coerce.number().int().min(1).default(4),
  ODOO_BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  ODOO_BREAKER_OPEN: duration('30s'),
  ODOO_UNKNOWN_OUTCOME_SETTLE: duration('2m'),
  ODOO_PULL_INTERVAL: z
    .string()
    .default('5m')
    .transform((text, ctx) => {
      if (text.trim().toLowerCase() === 'off') return null;
      const ms = parseDuration(text);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is neither "off" nor a duration (use ms, s, m, h or d)` });
        return z.NEVER;
      }
      return ms;
    }),
  ODOO_PULL_LOOKBACK: duration('10m'),
  ODOO_PULL_PAGE_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  ODOO_PULL_MAX_CONCURRENT: z.coerce.number().int().min(1).default(1),
  ODOO_PULL_EXTERNAL_ID: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const fields: Record<string, string> = {};
      for (const part of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const match = /^(product|partner|sale_order|purchase_order)=([a-z_][a-z0-9_]*)$/.exec(part);
        if (!match) {
          ctx.addIssue({
            code: 'custom',
            message: `"${part}" is not <entity_type>=<odoo field> (e.g. product=default_code)`,
          });
          return z.NEVER;
        }
        fields[match[1]!] = match[2]!;
      }
      return fields;
    }),
  SYNC_RUN_RETENTION: duration('30d'),
  SYNC_BACK_DEADLINE: duration('7d'),
  SYNC_BACK_RETRY_INITIAL: duration('1s'),
  SYNC_BACK_RETRY_MAX: duration('5m'),
  SYNC_BACK_ATTEMPT_TIMEOUT: duration('2m'),
  SYNC_BACK_HEARTBEAT_TIMEOUT: duration('10s'),
  SYNC_BACK_CONFIRM: bool(true),
  BODY_LIMIT: z.string().default('5mb'),
  TOKEN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  TOKEN_CACHE_TTL: duration('5s'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VAR_DIR: z.string().default(path.join(PROJECT_ROOT, 'var')),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  /** `/metrics` of the standalone worker process (the API serves its own). */
  workerMetricsPort: number;
  /** `mysql://...` or a path to the embedded SQLite file. */
  database: { kind: 'mysql'; url: string } | { kind: 'sqlite'; file: string };
  legacyDatabaseUrl: string | undefined;
  temporal: {
    /** Undefined: start the embedded dev server. */
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    /**
     * Pull runs and their page activities: a queue of their own, so a run's next workflow task (after a
     * continue-as-new, after each page) never waits behind the record workflows it hands off.
     */
    pullTaskQueue: string;
    devServerPort: number;
    uiPort: number;
  };
  dependencyGracePeriodMs: number;
  stubStaleAfterMs: number;
  legacyLookupAttempts: number;
  legacyLookupMaxIntervalMs: number;
  pendingSweepIntervalMs: number;
  /** A record still `pending` this long after its push is handed to Temporal again (its hand-off may have failed). */
  pendingSweepMinAgeMs: number;
  /** Records the pending sweep hands off at most per pass (its own rate is bounded by this and the interval). */
  pendingSweepMaxPerPass: number;
  /**
   * Workflows a worker keeps in memory between their tasks. Most inbound workflows sit waiting for days; an evicted
   * one is replayed from its (short) history when it wakes, so memory stays bounded whatever the number waiting.
   */
  workerMaxCachedWorkflows: number;
  /** The feeds hold back changes younger than this, so a cursor never passes a change still committing. */
  feedSettleWindowMs: number;
  odoo: { url: string; db: string; login: string; apiKey: string; protocol: 'jsonrpc' | 'json2' } | undefined;
  /** How the worker's one Odoo client protects Odoo: per-request timeout, concurrency limit, circuit breaker. */
  odooClient: { timeoutMs: number; maxConcurrent: number; breakerFailures: number; breakerOpenMs: number };
  syncBack: {
    /** How long the Odoo create of a webshop order is retried before the order is marked failed. */
    deadlineMs: number;
    retryInitialMs: number;
    retryMaxMs: number;
    /** Limit of one create attempt (search, create and the wait for a free Odoo slot). */
    attemptTimeoutMs: number;
    /** Silence after which an attempt counts as lost with its worker, and is retried. */
    heartbeatTimeoutMs: number;
    /** How long a create whose answer was lost is given to show up in Odoo before it is sent again. */
    unknownOutcomeSettleMs: number;
    /** Confirm the order in Odoo (`action_confirm`) once it is created there. */
    confirm: boolean;
  };
  pull: {
    /** How often the Schedule of each entity type runs a pull; null: no Schedules (`off`). */
    intervalMs: number | null;
    /** How far behind the stored watermark every run starts reading again. */
    lookbackMs: number;
    pageSize: number;
    /** Odoo calls of pulls in flight at once, out of `odooClient.maxConcurrent`: the rest stay free for sync-back. */
    maxConcurrent: number;
    /** Odoo field whose value is a pulled record's external id, per entity type (see the README for the defaults). */
    externalIdFields: Partial<Record<'product' | 'partner' | 'sale_order' | 'purchase_order', string>>;
  };
  /** Sync runs (the audit log) older than this are purged. */
  syncRunRetentionMs: number;
  bodyLimit: string;
  tokenRateLimitPerMinute: number;
  /** How long a looked-up token is reused without asking the store; a deactivated token works at most this long. */
  tokenCacheTtlMs: number;
  logLevel: Env['LOG_LEVEL'];
  varDir: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const odooComplete = e.ODOO_URL && e.ODOO_DB && e.ODOO_LOGIN && e.ODOO_API_KEY;
  return {
    port: e.PORT,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    database: e.DATABASE_URL
      ? { kind: 'mysql', url: e.DATABASE_URL.replace(/^mariadb:/, 'mysql:') }
      : { kind: 'sqlite', file: path.join(e.VAR_DIR, 'sync.sqlite') },
    legacyDatabaseUrl: e.LEGACY_DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      pullTaskQueue: e.TEMPORAL_PULL_TASK_QUEUE ?? `${e.TEMPORAL_TASK_QUEUE}-pull`,
      devServerPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
    },
    dependencyGracePeriodMs: e.DEPENDENCY_GRACE_PERIOD,
    stubStaleAfterMs: e.STUB_STALE_AFTER,
    legacyLookupAttempts: e.LEGACY_LOOKUP_ATTEMPTS,
    legacyLookupMaxIntervalMs: e.LEGACY_LOOKUP_MAX_INTERVAL,
    pendingSweepIntervalMs: e.PENDING_SWEEP_INTERVAL,
    pendingSweepMinAgeMs: e.PENDING_SWEEP_MIN_AGE,
    pendingSweepMaxPerPass: e.PENDING_SWEEP_MAX_PER_PASS,
    workerMaxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    feedSettleWindowMs: e.FEED_SETTLE_WINDOW,
    odoo: odooComplete
      ? {
          url: e.ODOO_URL!,
          db: e.ODOO_DB!,
          login: e.ODOO_LOGIN!,
          apiKey: e.ODOO_API_KEY!,
          protocol: e.ODOO_PROTOCOL,
        }
      : undefined,
    odooClient: {
      timeoutMs: e.ODOO_TIMEOUT,
      maxConcurrent: e.ODOO_MAX_CONCURRENT,
      breakerFailures: e.ODOO_BREAKER_FAILURES,
      breakerOpenMs: e.ODOO_BREAKER_OPEN,
    },
    syncBack: {
      deadlineMs: e.SYNC_BACK_DEADLINE,
      retryInitialMs: e.SYNC_BACK_RETRY_INITIAL,
      retryMaxMs: e.SYNC_BACK_RETRY_MAX,
      attemptTimeoutMs: e.SYNC_BACK_ATTEMPT_TIMEOUT,
      heartbeatTimeoutMs: e.SYNC_BACK_HEARTBEAT_TIMEOUT,
      unknownOutcomeSettleMs: e.ODOO_UNKNOWN_OUTCOME_SETTLE,
      confirm: e.SYNC_BACK_CONFIRM,
    },
    pull: {
      intervalMs: e.ODOO_PULL_INTERVAL,
      lookbackMs: e.ODOO_PULL_LOOKBACK,
      pageSize: e.ODOO_PULL_PAGE_SIZE,
      maxConcurrent: Math.min(e.ODOO_PULL_MAX_CONCURRENT, e.ODOO_MAX_CONCURRENT),
      externalIdFields: e.ODOO_PULL_EXTERNAL_ID,
    },
    syncRunRetentionMs: e.SYNC_RUN_RETENTION,
    bodyLimit: e.BODY_LIMIT,
    tokenRateLimitPerMinute: e.TOKEN_RATE_LIMIT_PER_MINUTE,
    tokenCacheTtlMs: e.TOKEN_CACHE_TTL,
    logLevel: e.LOG_LEVEL,
    varDir: e.VAR_DIR,
  };
}
