import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { useServiceFixture } from '../support/fixtures';
import type { TestService } from '../support/service-harness';

jest.setTimeout(120_000);

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Requests the page may make: the service itself, and URLs that never touch the network. */
function staysLocal(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === 'data:' || parsed.protocol === 'about:') return true;
  const target = parsed.protocol === 'blob:' ? new URL(parsed.pathname) : parsed;
  return ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname);
}

interface ShownOperation {
  method: string;
  path: string;
  summary: string;
}

/** Each operation section Redoc rendered in its middle column: verb, path and heading. */
async function renderedOperations(page: Page): Promise<string[]> {
  const shown: ShownOperation[] = await page
    .locator('.api-content [data-section-id]')
    .filter({ has: page.locator('.http-verb') })
    .evaluateAll((sections) =>
      sections
        // Redoc nests an `operation/<id>` anchor section inside each operation: count the outer one only.
        .filter((section) => !section.parentElement?.closest('[data-section-id]'))
        .map((section) => ({
          method: section.querySelector('.http-verb')?.textContent?.trim() ?? '',
          path: section.querySelector('.http-verb + *')?.textContent?.trim() ?? '',
          summary: section.querySelector('h2')?.textContent?.trim() ?? '',
        })),
    );
  return shown.map((op) => `${op.method.toUpperCase()} ${op.path} | ${op.summary}`).sort();
}

describe('API reference at /docs', () => {
  let service: TestService;
  let profileDir: string | undefined;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
    }
    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-docs-chromium-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
  });
  useServiceFixture({ withWorker: false, ready: (f) => ({ service } = f) });

  it('serves the page and the Redoc bundle without a token', async () => {
    const page = await service.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('/docs/redoc.standalone.js');
    expect(page.body).not.toMatch(/https?:\/\//);

    const bundle = await service.request('GET', '/docs/redoc.standalone.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(bundle.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(String(bundle.body).length).toBeGreaterThan(100_000);
  });

  it('lists every operation of /openapi.json, with no request leaving the machine', async () => {
    const doc = (await service.request('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { summary: string }>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([opPath, operations]) =>
        Object.entries(operations).map(([method, op]) => `${method.toUpperCase()} ${opPath} | ${op.summary}`),
      )
      .sort();
    const summaries = Object.values(doc.paths)
      .flatMap((operations) => Object.values(operations).map((op) => op.summary))
      .sort();
    expect(documented.length).toBeGreaterThan(20);

    const requests: string[] = [];
    browser!.on('request', (request) => requests.push(request.url()));
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));

    const response = await page.goto(`${service.api.url}/docs`);
    expect(response?.status()).toBe(200);
    const content = page.locator('.api-content');
    const crashed = page.getByText('Something went wrong');
    await content.or(crashed).first().waitFor({ timeout: 60_000 });
    if (await crashed.count()) {
      throw new Error(
        `Redoc could not render /openapi.json: ${(await page.locator('#redoc').innerText()).slice(0, 600)}`,
      );
    }

    expect(await renderedOperations(page)).toEqual(documented);
    // The navigation column lists them too, by summary.
    const menu = await page.locator('[role="menuitem"] .operation-type + *').allTextContents();
    expect(menu.map((s) => s.trim()).sort()).toEqual(summaries);

    expect(requests.filter((url) => !staysLocal(url))).toEqual([]);
    expect(requests).toEqual(
      expect.arrayContaining([`${service.api.url}/docs/redoc.standalone.js`, `${service.api.url}/openapi.json`]),
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
