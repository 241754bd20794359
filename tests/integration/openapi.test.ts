import { createApiApp } from '../../api/app';
import { createLogger } from '../../observability/logger';
import { useServiceFixture } from '../support/fixtures';
import type { TestService } from '../support/service-harness';

jest.setTimeout(60_000);

const NOT_OPERATIONS = ['/openapi.json', '/docs', '/docs/redoc.standalone.js'];

describe('OpenAPI document', () => {
  let service: TestService;
  useServiceFixture({ withWorker: false, ready: (f) => ({ service } = f) });

  it('documents every route the router serves, with its scope and error responses', async () => {
    const log = createLogger('silent');
    const { router } = createApiApp({
      ...service.resources,
      config: service.config,
      log,
    });
    const doc = (await service.request('GET', '/openapi.json')).body;
    const served = router.stack
      // The document itself and the /docs page that renders it are not API operations.
      .filter((layer) => typeof layer.path === 'string' && !NOT_OPERATIONS.includes(layer.path))
      .flatMap((layer) =>
        layer.methods
          .filter((m) => m !== 'HEAD')
          .map((m) => [m.toLowerCase(), (layer.path as string).replace(/:([A-Za-z_]+)/g, '{$1}')]),
      );
    expect(served.length).toBeGreaterThan(20);
    for (const [method, path] of served) {
      const operation = doc.paths[path!]?.[method!];
      expect({ method, path, documented: Boolean(operation) }).toEqual({ method, path, documented: true });
      if (path!.startsWith('/api/')) {
        expect(['odoo', 'webshop', 'admin']).toContain(operation['x-required-scope']);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
      }
    }
    const operationIds = Object.values(doc.paths).flatMap((p) =>
      Object.values(p as Record<string, { operationId?: string }>)
        .map((o) => o.operationId)
        .filter(Boolean),
    );
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(doc.components.schemas.Error.properties.error).toBeDefined();
  });
});
