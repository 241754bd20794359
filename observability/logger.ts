import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'odoo-webshop-sync'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
