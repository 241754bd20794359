import http from 'node:http';
import type { Metrics } from '../observability/metrics';

/** `/metrics` and `/health` of a process that serves no API (the standalone worker). */
export async function startMetricsServer(metrics: Metrics, port: number): Promise<{ close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      metrics.registry
        .metrics()
        .then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body))
        .catch(() => res.writeHead(500).end());
    } else if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'not_found', message: `No route for ${req.method} ${req.url}`, details: [] },
        }),
      );
    }
  });
  await new Promise<void>((resolve, reject) => server.listen(port, '0.0.0.0', resolve).once('error', reject));
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}
