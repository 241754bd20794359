import { ApiTokenSchema, type TokenScope } from '../../entities/api-token';
import { createApiApp } from '../../api/app';
import { createLogger } from '../../observability/logger';
import { useServiceFixture } from '../support/fixtures';
import { startTestService, type TestService } from '../support/service-harness';

jest.setTimeout(120_000);

interface RouteUnderTest {
  method: string;
  path: string;
  scope: TokenScope;
}

/** Every `/api/v1` route the router actually serves, with the scope its definition declares. */
function servedRoutes(service: TestService): RouteUnderTest[] {
  const deps = {
    ...service.resources,
    config: service.config,
    log: createLogger('silent'),
  };
  const { router, routes } = createApiApp(deps);
  const scopeByName = new Map(routes.map((r) => [r.operationId, r.scope]));
  const out: RouteUnderTest[] = [];
  for (const layer of router.stack) {
    if (typeof layer.path !== 'string' || !layer.path.startsWith('/api/')) continue;
    for (const method of layer.methods.filter((m) => m !== 'HEAD')) {
      const scope = layer.name ? scopeByName.get(layer.name) : undefined;
      // A route mounted outside the route table has no declared scope: it must still answer 401 below.
      out.push({ method, path: layer.path.replace(/:[A-Za-z_]+/g, '1'), scope: scope ?? 'admin' });
    }
  }
  return out;
}

const otherScope = (scope: TokenScope): TokenScope => (scope === 'odoo' ? 'webshop' : 'odoo');

describe('authentication and scopes on every /api/v1 route', () => {
  let service: TestService;
  let routes: RouteUnderTest[];
  const tokens: Record<string, string> = {};

  useServiceFixture({
    withWorker: false,
    env: { TOKEN_RATE_LIMIT_PER_MINUTE: '1000' },
    ready: async (f) => {
      ({ service } = f);
      routes = servedRoutes(service);
      tokens.odoo = await service.token(['odoo']);
      tokens.webshop = await service.token(['webshop']);
      tokens.admin = await service.token(['admin']);
      tokens.expired = await service.token(['odoo', 'webshop', 'admin'], { expiresAt: new Date(Date.now() - 1000) });
      tokens.inactive = await service.token(['odoo', 'webshop', 'admin']);
      const em = service.resources.orm.em.fork();
      await em.nativeUpdate(ApiTokenSchema, { name: 'test-odoo-webshop-admin', expiresAt: null }, { active: false });
    },
  });

  it('finds the routes to check', () => {
    expect(routes.length).toBeGreaterThanOrEqual(5);
    expect(routes).toContainEqual({ method: 'POST', path: '/api/v1/partners', scope: 'odoo' });
  });

  it.each([
    ['no token', undefined],
    ['an unknown token', 'ows_not-a-real-token'],
  ])('answers 401 with the error shape for %s', async (_label, token) => {
    for (const route of routes) {
      const res = await service.request(route.method, route.path, { token, body: {} });
      expect({ route, status: res.status }).toEqual({ route, status: 401 });
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('answers 401 for an expired and for an inactive token', async () => {
    for (const route of routes) {
      for (const name of ['expired', 'inactive']) {
        const res = await service.request(route.method, route.path, { token: tokens[name], body: {} });
        expect({ route, name, status: res.status }).toEqual({ route, name, status: 401 });
        expect(res.body.error.message).toContain(name);
      }
    }
  });

  it('answers 403 for a token without the route scope, and lets the right scope and admin through', async () => {
    for (const route of routes) {
      const wrong = await service.request(route.method, route.path, {
        token: tokens[otherScope(route.scope)],
        body: {},
      });
      expect({ route, status: wrong.status }).toEqual({ route, status: 403 });
      expect(wrong.body.error.code).toBe('forbidden');
      for (const token of [tokens[route.scope], tokens.admin]) {
        const ok = await service.request(route.method, route.path, { token, body: {} });
        expect({ route, allowed: ![401, 403].includes(ok.status) }).toEqual({ route, allowed: true });
      }
    }
  });

  it('records when a token was last used and stores only its hash', async () => {
    const em = service.resources.orm.em.fork();
    const row = await em.findOneOrFail(ApiTokenSchema, { name: 'test-odoo' });
    expect(row.lastUsedAt).toBeInstanceOf(Date);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.tokenHash).not.toContain(tokens.odoo!.slice(4));
  });
});

describe('per-token rate limit', () => {
  let service: TestService;
  useServiceFixture({ withWorker: false, env: { TOKEN_RATE_LIMIT_PER_MINUTE: '3' }, ready: (f) => ({ service } = f) });

  it('answers 429 with Retry-After once a token is over its limit', async () => {
    const token = await service.token(['webshop']);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await service.request('GET', '/api/v1/updated-partners', { token });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.body.error.code).toBe('rate_limited');
    const other = await service.request('GET', '/api/v1/updated-partners', { token: await service.token(['webshop']) });
    expect(other.status).toBe(200);
  });
});

describe('token lookups reused for TOKEN_CACHE_TTL', () => {
  let service: TestService;
  useServiceFixture({ withWorker: false, env: { TOKEN_CACHE_TTL: '1500ms' }, ready: (f) => ({ service } = f) });

  it('keeps serving a deactivated token only until its cached lookup expires', async () => {
    const token = await service.token(['webshop']);
    const feed = () => service.request('GET', '/api/v1/updated-partners', { token });
    expect((await feed()).status).toBe(200);
    await service.resources.orm.em.fork().nativeUpdate(ApiTokenSchema, { name: 'test-webshop' }, { active: false });
    const deactivatedAt = Date.now();
    expect((await feed()).status).toBe(200);
    let status = 200;
    while (status === 200 && Date.now() - deactivatedAt < 5_000) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await feed()).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - deactivatedAt).toBeGreaterThanOrEqual(1400);
    expect(Date.now() - deactivatedAt).toBeLessThan(3_000);
  });

  it('asks the store on every request with TOKEN_CACHE_TTL=0', async () => {
    const uncached = await startTestService({ withWorker: false, env: { TOKEN_CACHE_TTL: '0ms' } });
    try {
      const token = await uncached.token(['webshop']);
      expect((await uncached.request('GET', '/api/v1/updated-partners', { token })).status).toBe(200);
      await uncached.resources.orm.em.fork().nativeUpdate(ApiTokenSchema, { name: 'test-webshop' }, { active: false });
      const res = await uncached.request('GET', '/api/v1/updated-partners', { token });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toContain('inactive');
    } finally {
      await uncached.stop();
    }
  });
});
