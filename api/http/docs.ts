import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type Router from '@koa/router';

const BUNDLE_URL = '/docs/redoc.standalone.js';

/**
 * The only external resource the bundle loads by itself: the Redocly logo in the sidebar footer. An
 * undecodable data URL makes Redoc's own error handler drop the image, so the page never leaves the service.
 */
const REDOCLY_LOGO_URL = 'https://cdn.redoc.ly/redoc/logo-mini.svg';

const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

// Local font stacks: Redoc's defaults name Roboto/Montserrat, which its usual templates fetch from Google.
const REDOC_OPTIONS = {
  theme: {
    typography: { fontFamily: SANS, headings: { fontFamily: SANS }, code: { fontFamily: MONO } },
  },
};

const INIT_SCRIPT = `Redoc.init('/openapi.json', ${JSON.stringify(REDOC_OPTIONS)}, document.getElementById('redoc'));`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>odoo-webshop-sync API reference</title>
    <link rel="icon" href="data:," />
    <style>
      body { margin: 0; padding: 0; }
    </style>
  </head>
  <body>
    <div id="redoc"></div>
    <script src="${BUNDLE_URL}"></script>
    <script>${INIT_SCRIPT}</script>
  </body>
</html>
`;

/** Same-origin only: a new Redoc release cannot start fetching from elsewhere without the browser refusing. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${createHash('sha256').update(INIT_SCRIPT).digest('base64')}'`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

let bundle: string | undefined;
function redocBundle(): string {
  bundle ??= fs
    .readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8')
    .replaceAll(REDOCLY_LOGO_URL, 'data:,');
  return bundle;
}

/** `/docs`: the API reference of `/openapi.json`, rendered by the bundled Redoc; no authentication. */
export function mountDocsRoutes(router: Router): void {
  router.get('docs', '/docs', (ctx) => {
    ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'html';
    ctx.body = PAGE;
  });

  router.get('docs-bundle', BUNDLE_URL, (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = 'application/javascript';
    ctx.body = redocBundle();
  });
}
