import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/core';
import { createApiApp } from '../../api/app';
import { createLogger } from '../../observability/logger';
import { useServiceFixture } from '../support/fixtures';

jest.setTimeout(120_000);

const PUSH_ROUTES = ['partners', 'products', 'sale-orders', 'stocks', 'purchase-orders'] as const;

function nestedJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** A raw request, for methods fetch refuses to send (TRACE). */
function rawRequest(url: string, method: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('bad input gets a 4xx in the contract shape, and nothing is stored', () => {
  const f = useServiceFixture({ withWorker: false, tokens: ['odoo', 'webshop', 'admin'] });

  async function storedPartners(): Promise<number> {
    const feed = await f.service.request('GET', '/api/v1/updated-partners?limit=500', { token: f.webshop });
    return (feed.body as { items: unknown[] }).items.length;
  }

  it.each(PUSH_ROUTES)('refuses a body nested 33 deep on /api/v1/%s, naming where', async (route) => {
    const rawBody = `{"external_id": "DEEP-1", "type": "C", "name": "x", "extra": ${nestedJson(33)}}`;
    const res = await f.service.request('POST', `/api/v1/${route}`, { token: f.odoo, rawBody });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.any(String),
        details: [
          { path: expect.stringMatching(/^extra(\.a){31}$/), message: expect.stringMatching(/deeper than 32/) },
        ],
      },
    });
  });

  it('refuses a body nested 10,000 deep with a 400, not a crash', async () => {
    const res = await f.service.request('POST', '/api/v1/partners', { token: f.odoo, rawBody: nestedJson(10_000) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
    expect(await storedPartners()).toBe(0);
  });

  it('refuses a lone surrogate in any string, with its path, and stores nothing of the batch', async () => {
    const rawBody =
      '{"partners": [{"external_id": "SURR-1", "type": "C", "name": "ok"}, {"external_id": "SURR-2", "type": "C", "name": "bad \\ud800"}]}';
    const res = await f.service.request('POST', '/api/v1/partners', { token: f.odoo, rawBody });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.any(String),
        details: [{ path: 'partners.1.name', message: expect.stringMatching(/lone surrogate/) }],
      },
    });
    const order = await f.service.request('POST', '/api/v1/webshop/sale-orders', {
      token: f.webshop,
      rawBody: '{"external_id": "WS-\\udfff", "partner_external_id": "P", "lines": []}',
    });
    expect(order.status).toBe(400);
    expect(await storedPartners()).toBe(0);
  });

  it.each(['TRACE', 'QUERY', 'PROPFIND'])('answers %s with 405 in the contract shape', async (method) => {
    const res = await rawRequest(`${f.service.api.url}/api/v1/partners`, method);
    expect(res.status).toBe(405);
    expect(res.type).toMatch(/application\/json/);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'method_not_allowed', message: expect.any(String), details: [] },
    });
  });

  it('counts every answer in /metrics under the status it went out with: 500, 400 and 401', async () => {
    // An app whose store throws on use answers 500; it shares the service's metrics registry.
    const brokenOrm = new Proxy(f.service.resources.orm, {
      get: (target, key) => {
        if (key === 'em') throw new Error('store exploded');
        return Reflect.get(target, key) as unknown;
      },
    }) as MikroORM;
    const { app } = createApiApp({
      ...f.service.resources,
      orm: brokenOrm,
      config: f.service.config,
      log: createLogger('silent'),
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/stocks/lookup?supplier_external_id=S&product_external_id=P`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${f.webshop}` } });
      expect(res.status).toBe(500);
    } finally {
      server.close();
    }
    expect((await f.service.request('POST', '/api/v1/partners', { token: f.odoo, rawBody: '{"a":' })).status).toBe(400);
    expect((await f.service.request('GET', '/api/v1/updated-partners')).status).toBe(401);

    const metrics = (await f.service.request('GET', '/metrics')).body as string;
    for (const status of ['500', '400', '401']) {
      expect(metrics).toMatch(
        new RegExp(`http_request_duration_seconds_count\\{[^}]*status="${status}"[^}]*\\} [1-9]`),
      );
    }
  });
});
