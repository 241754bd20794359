import { z } from 'zod';

/**
 * A list Odoo may omit or send as `false` (or null) when empty; always parsed to an array. A preprocess
 * rather than a union, so that a problem inside an element keeps its path (`prices.0.price`).
 */
export const optionalList = <T extends z.ZodType>(item: T) =>
  z
    .preprocess((v) => (v === false ? null : v), z.array(item, { error: 'must be a list' }).nullable().optional())
    .transform((v) => v ?? []);

/** A flag: absent, null and Odoo's `false` all mean false. */
export const flag = z
  .boolean({ error: 'must be true or false' })
  .nullable()
  .optional()
  .transform((v) => v ?? false);

/** A boolean whose absence means "unknown", not false (Odoo's `false` is a real value here). */
export const optionalBoolean = z
  .boolean({ error: 'must be true or false' })
  .nullable()
  .optional()
  .transform((v) => v ?? null);

export const requiredNumber = z.number({
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number'),
});
