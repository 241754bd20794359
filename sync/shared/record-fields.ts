import { z } from 'zod';

/** Odoo writes `false` for an empty field; both that and null mean "no value". */
export const optionalText = (max = 255) =>
  z
    .union([z.string().max(max), z.literal(false), z.null()])
    .optional()
    .transform((v) => (v === false || v === undefined ? null : v));

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

export const odooId = z
  .union([z.number().int().positive(), z.literal(false), z.null()])
  .optional()
  .transform((v) => (v === false || v === undefined ? null : v));

/** ISO-8601; Odoo's `YYYY-MM-DD HH:MM:SS` without offset is UTC. */
export const timestamp = z
  .union([z.string(), z.literal(false), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v === false || v === null || v === undefined || v === '') return null;
    const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(v) ? `${v.replace(' ', 'T')}Z` : v;
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not an ISO-8601 timestamp` });
      return z.NEVER;
    }
    return date;
  });

export const optionalNumber = z
  .union([z.number().finite(), z.literal(false), z.null()])
  .optional()
  .transform((v) => (v === false || v === undefined ? null : v));
