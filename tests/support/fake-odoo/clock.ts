import { valueError } from './odoo-exception';

/** Where the fake reads the time; a test may swap it for a controlled one. */
export type Clock = () => Date;

export const realClock: Clock = () => new Date();

let lastSecond = NaN;
let lastText = '';

/** Odoo's datetime text: `YYYY-MM-DD HH:MM:SS`, UTC, whole seconds. */
export function odooDatetime(date: Date): string {
  // Bulk seeding formats the same second over and over.
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastText = date.toISOString().slice(0, 19).replace('T', ' ');
    lastSecond = second;
  }
  return lastText;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * A domain value for a datetime field, parsed as Odoo 19 does (`datetime.fromisoformat`): a date alone
 * means its midnight and is flagged, an offset is converted to UTC. Returns Odoo's text, with the
 * fraction kept (text order stays time order).
 */
export function parseDomainDatetime(value: string): { text: string; day: boolean } {
  const m = ISO.exec(value);
  if (!m) throw valueError(`Invalid isoformat string: '${value}'`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw valueError(`Invalid isoformat string: '${value}'`);
  }
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
  }
  const text = odooDatetime(new Date(ms)) + (fraction ? `.${fraction}` : '');
  return { text, day: m[4] === undefined };
}

/** The day after an Odoo datetime text's day, at midnight. */
export function nextDay(text: string): string {
  const ms = Date.parse(`${text.slice(0, 10)}T00:00:00Z`) + 86_400_000;
  return odooDatetime(new Date(ms));
}

/**
 * A value written to a datetime field, converted as Odoo's `Datetime.to_datetime` does: a date gets
 * midnight, microseconds are dropped, and anything but `YYYY-MM-DD[ HH:MM:SS]` is refused.
 */
export function toStoredDatetime(value: unknown): string | false {
  if (value === false || value === null || value === undefined || value === '') return false;
  if (value instanceof Date) return odooDatetime(value);
  const text = String(value).slice(0, 19);
  const full = text.length === 10 ? `${text} 00:00:00` : text;
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(full) || Number.isNaN(Date.parse(full.replace(' ', 'T') + 'Z'))) {
    throw valueError(`time data '${text}' does not match format '%Y-%m-%d %H:%M:%S'`);
  }
  return full;
}
