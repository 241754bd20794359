import http from 'node:http';
import https from 'node:https';
import { odooError } from './odoo-errors';

export interface HttpAnswer {
  status: number;
  /** Parsed JSON, or undefined when the body is not JSON (e.g. a proxy's HTML error page). */
  body: unknown;
  text: string;
}

export interface PostJsonOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  agent?: http.Agent;
}

export type PostJson = (url: string, payload: unknown, options: PostJsonOptions) => Promise<HttpAnswer>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * One JSON POST. Uses node:http rather than fetch because it can tell whether the request was fully
 * written before the connection failed, which decides between a transient and an unknown outcome.
 * Connection failures and timeouts reject with an OdooError; any HTTP answer resolves.
 */
export const postJson: PostJson = (url, payload, options) =>
  new Promise<HttpAnswer>((resolve, reject) => {
    const target = new URL(url);
    const body = Buffer.from(JSON.stringify(payload));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    let sent = false;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (controller.signal.aborted) {
        reject(
          odooError({ type: 'timeout', sent }, `Odoo did not answer within ${options.timeoutMs} ms`, { cause: err }),
        );
      } else {
        const code = (err as NodeJS.ErrnoException).code;
        reject(odooError({ type: 'network', code, sent }, `Odoo connection failed: ${err.message}`, { cause: err }));
      }
    };

    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      agent: options.agent,
      signal: controller.signal,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(body.length),
        Accept: 'application/json',
        'User-Agent': 'odoo-webshop-sync',
        ...options.headers,
      },
    });
    request.on('finish', () => (sent = true));
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('close', () => {
        if (!response.complete) fail(new Error('connection closed before the answer was complete'));
      });
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: parseJson(text), text });
      });
    });
    request.end(body);
  });
