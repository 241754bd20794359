import type http from 'node:http';
import type { PostJson } from './http-post';

export interface OdooConnection {
  url: string;
  db: string;
  login: string;
  apiKey: string;
}

export interface TransportOptions {
  timeoutMs: number;
  agent?: http.Agent;
  post: PostJson;
}

/** One protocol's way of running `execute_kw(model, method, args, kwargs)`. */
export interface OdooTransport {
  execute(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown>;
}

export function endpoint(url: string, path: string): string {
  return `${url.replace(/\/+$/, '')}${path}`;
}
