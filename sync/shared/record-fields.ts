import { z } from 'zod';

/** Odoo writes `false` for an empty field; both that and null mean "no value". */
export const optionalText = (max = 255) =>
  z
    .union([z.string().max(max), z.literal(false), z.null()])
    .optional()
    .transform((v) => (v === false || v === undefined ? null : v));

/**
 * An exact key: `Case-1`, `case-1`, `café`, `cafe` are four different ids on every store (the key columns
 * compare bytes: `utf8mb4_bin` on MySQL/MariaDB, SQLite's BINARY). No whitespace, so neither MySQL's
 * trailing-space padding nor a trim can make two ids meet.
 */
export const externalId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(191, 'must be at most 191 characters')
  .regex(/^\S*$/, 'must not contain whitespace');

export const optionalExternalId = z
  .union([externalId, z.literal(false), z.null()])
  .optional()
  .transform((v) => (v === false || v === undefined ? null : v));

/** Odoo's ids are PostgreSQL `int4` (and so is our `odoo_id` column): 1 to 2,147,483,647. */
export const MAX_ODOO_ID = 2_147_483_647;

/**
 * An Odoo id as a number. The integer test aborts (a union holding this falls back to its own message);
 * the range tests report one problem each, and never both.
 */
export const odooIdNumber = z
  .number()
  .refine(Number.isInteger, { message: 'must be an integer', abort: true })
  .positive('must be positive')
  .max(MAX_ODOO_ID, `must be at most ${MAX_ODOO_ID} (Odoo ids are 32-bit)`)
  .meta({ type: 'integer' });

/** Every `odoo_id` of a record: an Odoo id, or absent / null / Odoo's `false` for none. */
export const odooId = z
  .union([odooIdNumber, z.literal(false), z.null()], {
    error: `must be an Odoo id: a positive integer up to ${MAX_ODOO_ID}, or null`,
  })
  .optional()
  .transform((v) => (v === false || v === undefined ? null : v));

/**
 * The instants every store holds: MySQL/MariaDB `datetime(3)` spans the years 1000 to 9999 (the embedded
 * SQLite store keeps epoch milliseconds, which hold more). Checked on the UTC instant, after the offset.
 */
export const MIN_TIMESTAMP = new Date('1000-01-01T00:00:00.000Z');
export const MAX_TIMESTAMP = new Date('9999-12-31T23:59:59.999Z');

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const ODOO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export const TIMESTAMP_FORMATS =
  'an ISO 8601 date-time with Z or an offset (2026-11-01T10:00:00Z, 2026-11-01T11:00:00+01:00), ' +
  "Odoo's 2026-11-01 10:00:00 (UTC) or a date 2026-11-01 (its start, UTC)";

/** Days of the months of a common year; February has 29 in a leap year of the proleptic Gregorian calendar. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
/** The Gregorian calendar repeats every 400 years: 146,097 days. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;
const MIN_TIMESTAMP_MS = MIN_TIMESTAMP.getTime();
const MAX_TIMESTAMP_MS = MAX_TIMESTAMP.getTime();
const numberOr0 = (part: string | undefined) => (part ? Number(part) : 0);

/**
 * Reads a date-time in one of the accepted forms ({@link TIMESTAMP_FORMATS}), or says why not. Strict:
 * every field in its calendar range, no other shapes (`new Date` would take `"1"` for the year 2001).
 * Fractions beyond milliseconds are cut, as the columns keep milliseconds. Called for every date of every
 * pushed record, so it does plain arithmetic: no intermediate `Date` objects or arrays.
 */
export function parseTimestamp(text: string): { date: Date } | { problem: string } {
  const parts = ISO_DATE_TIME.exec(text) ?? ODOO_DATE_TIME.exec(text) ?? DATE_ONLY.exec(text);
  if (!parts) return { problem: `must be ${TIMESTAMP_FORMATS}` };
  const year = Number(parts[1]);
  const month = Number(parts[2]);
  const day = Number(parts[3]);
  const hour = numberOr0(parts[4]);
  const minute = numberOr0(parts[5]);
  const second = numberOr0(parts[6]);
  const millis = Number(((parts[7] ?? '') + '000').slice(0, 3));
  // Only the ISO form has an offset (groups 9-11); the others are UTC.
  const offsetSign = parts[9] === '-' ? -1 : 1;
  const offsetHours = numberOr0(parts[10]);
  const offsetMinutes = numberOr0(parts[11]);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    return {
      problem:
        'must be a real date and time: month 01-12, a day of that month, hours 00-23, minutes and seconds 00-59, ' +
        'offset at most 23:59',
    };
  }
  // Date.UTC reads the years 0-99 as 1900-1999: those are counted from 400 years later instead.
  const utc =
    year < 100
      ? Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - FOUR_CENTURIES_MS
      : Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const time = utc - offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000;
  if (time < MIN_TIMESTAMP_MS || time > MAX_TIMESTAMP_MS) {
    return {
      problem: `must be between ${MIN_TIMESTAMP.toISOString()} and ${MAX_TIMESTAMP.toISOString()} (what the database stores)`,
    };
  }
  return { date: new Date(time) };
}

/**
 * Every date and date-time field of a record ({@link TIMESTAMP_FORMATS}); absent, null, `""` and Odoo's
 * `false` mean no value. A date without a time is the start of that day in UTC: Odoo sends its `Date` fields
 * (e.g. pricelist validity before Odoo 16) that way. A date-time without an offset other than Odoo's form
 * is refused, since its instant is unknown.
 */
export const timestamp = z
  .union([z.string().meta({ description: `${TIMESTAMP_FORMATS}` }), z.literal(false), z.null()], {
    error: `must be a date-time string: ${TIMESTAMP_FORMATS}`,
  })
  .optional()
  .transform((v, ctx) => {
    if (v === false || v === null || v === undefined || v === '') return null;
    const parsed = parseTimestamp(v);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed.date;
  });

export const optionalNumber = z
  .union([z.number().finite(), z.literal(false), z.null()])
  .optional()
  .transform((v) => (v === false || v === undefined ? null : v));
