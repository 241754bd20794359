import type http from 'node:http';
import { OdooException } from './odoo-exception';

export const FAKE_UID = 2;

export const SERVER_VERSION_INFO = [19, 0, 0, 'final', 0, ''];
export const SERVER_VERSION = '19.0';

export function writeJson(res: http.ServerResponse, status: number, payload: unknown): void {
  if (res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The HTML page a crashed worker or a reverse proxy answers with. */
export function writeHtmlError(res: http.ServerResponse, status: number): void {
  if (res.destroyed) return;
  const text = STATUS_TEXT[status] ?? 'Error';
  const body = `<!doctype html>\n<html><head><title>${status} ${text}</title></head><body><h1>${text}</h1></body></html>\n`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** JSON-RPC reports every exception with HTTP 200 and an `error` member. */
export function jsonRpcError(id: unknown, exception: OdooException) {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: 200,
      message: 'Odoo Server Error',
      data: {
        name: exception.odooName,
        debug: exception.debug,
        message: exception.message,
        arguments: [exception.message],
        context: {},
      },
    },
  };
}

export function jsonRpcResult(id: unknown, result: unknown) {
  return { jsonrpc: '2.0', id, result };
}

/** JSON-2 reports an exception with an HTTP status and the exception as the body. */
export function json2Error(exception: OdooException): { status: number; body: unknown } {
  const status = exception.status;
  return {
    status,
    body: {
      name: exception.odooName,
      message: exception.message,
      arguments: status === 401 || status === 404 ? [exception.message, status] : [exception.message],
      context: {},
      debug: exception.debug,
    },
  };
}

export function bearerKey(headers: http.IncomingHttpHeaders): string | undefined {
  const match = /^bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match?.[1]?.trim();
}

export const unauthorized = () => new OdooException('werkzeug.exceptions.Unauthorized', 'Invalid apikey', 401);
export const badRequest = (message: string) => new OdooException('werkzeug.exceptions.BadRequest', message, 400);
