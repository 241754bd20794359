import type Router from '@koa/router';
import { isDatabaseError, summarizeError } from '../../observability/logger';
import type { ApiDeps } from './context';
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnavailableReason } from './errors';

const CHECK_TIMEOUT_MS = 2_000;

async function withTimeout<T>(promise: Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type CheckResult = { status: 'up' } | { status: 'down'; error: string } | { status: 'not_configured'; note: string };

/**
 * Odoo is reported, never required: while it is down the sync-back waits and retries. The breaker state is
 * known where the worker's Odoo client lives (the same process under `npm start`).
 */
function odooCheck(deps: ApiDeps) {
  if (!deps.config.odoo) {
    return {
      status: 'not_configured',
      note: 'ODOO_URL/ODOO_DB/ODOO_LOGIN/ODOO_API_KEY not set: sync-back waits and nothing is pulled from Odoo',
    };
  }
  const breaker = deps.metrics.odooBreakerState();
  return {
    status: 'configured',
    protocol: deps.config.odoo.protocol,
    breaker: breaker ?? 'unknown',
    ...(breaker ? {} : { note: 'the worker process holds the Odoo client: see its /metrics' }),
  };
}

/** Why a check failed, safe to show: a database error is named by its kind and code, never by its message. */
function failureReason(err: unknown): string {
  const unavailable = databaseUnavailableReason(err);
  if (unavailable) return `unavailable: ${unavailable}`;
  if (isDatabaseError(err)) {
    const { type, code } = summarizeError(err);
    return `database error: ${type}${code ? ` (${code})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

async function check(run: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await withTimeout(run());
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: failureReason(err) };
  }
}

/** Liveness, readiness (names what is down) and Prometheus metrics; no authentication. */
export function mountHealthRoutes(router: Router, deps: ApiDeps): void {
  router.get('health', '/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('ready', '/ready', async (ctx) => {
    const [database, temporal, legacy] = await Promise.all([
      check(() => deps.orm.em.getConnection().execute('select 1')),
      check(() => deps.temporal.connection.workflowService.getSystemInfo({})),
      deps.legacyOrm
        ? check(() => deps.legacyOrm!.em.getConnection().execute('select 1'))
        : Promise.resolve<CheckResult>({
            status: 'not_configured',
            note: 'LEGACY_DATABASE_URL is not set: legacy fallback off',
          }),
    ]);
    const odoo = odooCheck(deps);
    const checks = { database, temporal, legacy, odoo };
    const down = Object.entries({ database, temporal, legacy })
      .filter(([, r]) => r.status === 'down')
      .map(([name]) => name);
    ctx.status = down.length ? 503 : 200;
    if (down.length) ctx.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    ctx.body = down.length
      ? {
          error: {
            code: 'not_ready',
            message: `Not ready: ${down.join(', ')} down`,
            details: down.map((name) => ({
              path: name,
              message: (checks[name as keyof typeof checks] as { error: string }).error,
            })),
          },
          checks,
        }
      : { status: 'ready', checks };
  });

  router.get('metrics', '/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
}
