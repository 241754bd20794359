/**
 * One call per describe block for the setup the integration tests share: it registers the block's beforeAll
 * and afterAll (start in order, stop in reverse) and returns a getter object that is live once they ran.
 * Jest only: bench/ imports the other support modules, never this one.
 */
import type { TokenScope } from '../../entities/api-token';
import { startFakeOdoo, type FakeOdoo } from './fake-odoo';
import { startTestService, type TestService, type TestServiceOptions } from './service-harness';
import { FAST_SYNC_BACK_ENV, odooEnv } from './sync-back';

/** The running service, and the secret of one token per scope in the `tokens` option, named by its scope. */
export type ServiceFixture<S extends TokenScope = never> = { readonly service: TestService } & Readonly<
  Record<S, string>
>;

export type SyncBackFixture<S extends TokenScope = never> = ServiceFixture<S> & { readonly fake: FakeOdoo };

export interface ServiceFixtureOptions<S extends TokenScope = never, F = ServiceFixture<S>> extends TestServiceOptions {
  /** Scopes to mint a single-scope token for, in this order, once the service runs. */
  tokens?: readonly S[];
  /** Runs last in the fixture's beforeAll, with everything started: bind the block's variables, seed data. */
  ready?: (fixture: F) => unknown;
  /** Runs first in the fixture's afterAll, while everything still runs: stop what the tests started on top. */
  teardown?: () => unknown;
}

export interface SyncBackFixtureOptions<S extends TokenScope = never> extends ServiceFixtureOptions<
  S,
  SyncBackFixture<S>
> {
  /**
   * How the service reaches the fake Odoo (default 'jsonrpc'); 'unconfigured': the fake runs, but the service
   * gets no Odoo settings. Either way the service also gets FAST_SYNC_BACK_ENV, which `env` overrides.
   */
  odoo?: 'jsonrpc' | 'json2' | 'unconfigured';
}

/** The real API and worker (startTestService), started before the block's tests and stopped after them. */
export function useServiceFixture<S extends TokenScope = never>(
  options: ServiceFixtureOptions<S> = {},
): ServiceFixture<S> {
  return useFixture(options, undefined);
}

/** A fake Odoo, and the service wired to it with short sync-back timings. */
export function useSyncBackFixture<S extends TokenScope = never>(
  options: SyncBackFixtureOptions<S> = {},
): SyncBackFixture<S> {
  const { odoo = 'jsonrpc', ...rest } = options;
  return useFixture(rest, odoo);
}

function useFixture<S extends TokenScope, F extends ServiceFixture<S>>(
  options: ServiceFixtureOptions<S, F>,
  odoo: SyncBackFixtureOptions['odoo'],
): F {
  const { tokens: scopes = [], ready, teardown, env, ...serviceOptions } = options;
  let service: TestService | undefined;
  let fake: FakeOdoo | undefined;
  const tokens = new Map<S, string>();
  const fixture = {
    get service() {
      return running(service, 'service');
    },
  };
  if (odoo) Object.defineProperty(fixture, 'fake', { enumerable: true, get: () => running(fake, 'fake Odoo') });
  for (const scope of scopes) {
    Object.defineProperty(fixture, scope, {
      enumerable: true,
      get: () => running(tokens.get(scope), `${scope} token`),
    });
  }

  beforeAll(async () => {
    let syncBackEnv: Record<string, string> = {};
    if (odoo) {
      fake = await startFakeOdoo();
      syncBackEnv = { ...(odoo === 'unconfigured' ? {} : odooEnv(fake, odoo)), ...FAST_SYNC_BACK_ENV };
    }
    service = await startTestService({ ...serviceOptions, env: { ...syncBackEnv, ...env } });
    for (const scope of scopes) tokens.set(scope, await service.token([scope]));
    await ready?.(fixture as F);
  });
  afterAll(async () => {
    try {
      await teardown?.();
    } finally {
      try {
        await service?.stop();
      } finally {
        await fake?.close();
      }
    }
  });
  return fixture as F;
}

function running<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The fixture's ${what} is not running yet: read it in a test or a hook`);
  return value;
}
