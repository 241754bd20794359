import { useServiceFixture } from '../support/fixtures';
import type { TestService } from '../support/service-harness';

jest.setTimeout(120_000);

const errorShape = {
  error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) },
};

describe('error responses', () => {
  let service: TestService;
  let odoo: string;
  let webshop: string;

  useServiceFixture({
    withWorker: false,
    env: { BODY_LIMIT: '40kb' },
    tokens: ['odoo', 'webshop'],
    ready: (f) => ({ service, odoo, webshop } = f),
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await service.request('POST', '/api/v1/partners', { token: odoo, rawBody: '{"external_id": "P1",' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String), details: [] } });
  });

  it('answers an oversize body with 413 and stores nothing', async () => {
    const partners = Array.from({ length: 1000 }, (_, i) => ({
      external_id: `BIG-${i}`,
      type: 'C',
      name: 'x'.repeat(60),
    }));
    const res = await service.request('POST', '/api/v1/partners', { token: odoo, body: { partners } });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: 'payload_too_large' } });
    const feed = await service.request('GET', '/api/v1/updated-partners', { token: webshop });
    expect(feed.body.items).toEqual([]);
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const res = await service.request('GET', '/api/v1/no-such-thing', { token: webshop });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'not_found' } });
    expect(res.body).toEqual(errorShape);
  });

  it('answers an invalid single record with 400 validation_failed, one detail per problem with its path', async () => {
    const res = await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: { external_id: '', type: 'Q', email: 42 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['email', 'external_id', 'type']);
    for (const detail of res.body.error.details) expect(detail.message).toEqual(expect.any(String));
  });

  it('answers a body that is neither a record nor a batch, and an oversized batch, with 400', async () => {
    const notObject = await service.request('POST', '/api/v1/partners', { token: odoo, body: [1, 2] });
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.code).toBe('validation_failed');
    const notArray = await service.request('POST', '/api/v1/partners', { token: odoo, body: { partners: 'x' } });
    expect(notArray.body.error.details).toEqual([{ path: 'partners', message: 'expected an array' }]);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ external_id: `M-${i}`, type: 'C' }));
    const big = await service.request('POST', '/api/v1/partners', { token: odoo, body: { partners: tooMany } });
    expect(big.status).toBe(400);
    expect(big.body.error.details[0].message).toContain('at most 1000');
  });

  it('answers bad feed query parameters with 400 naming the parameter', async () => {
    for (const [query, path] of [
      ['limit=-1', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=100000', 'limit'],
      ['since=yesterday', 'since'],
      ['cursor=%%%', 'cursor'],
    ]) {
      const res = await service.request('GET', `/api/v1/updated-partners?${query}`, { token: webshop });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  it('serves health, readiness naming every dependency, metrics and the OpenAPI document without auth', async () => {
    expect((await service.request('GET', '/health')).body).toEqual({ status: 'ok' });
    const ready = await service.request('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database.status).toBe('up');
    expect(ready.body.checks.temporal.status).toBe('up');
    expect(['up', 'not_configured']).toContain(ready.body.checks.legacy.status);
    const metrics = await service.request('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.body).toContain('http_request_duration_seconds');
    const openapi = await service.request('GET', '/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/partners', '/api/v1/updated-partners/{id}']),
    );
  });
});
