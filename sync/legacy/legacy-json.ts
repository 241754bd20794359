import { PARTNER_TYPES, type PartnerType } from '../../entities/partner';
import { MAX_ODOO_ID } from '../shared/record-fields';

/**
 * Parses a legacy `json_data` value. Anything that is not a JSON object (malformed text, null, arrays,
 * scalars) yields `{}`, so a stub can always be made, just without the optional fields.
 */
export function parseLegacyJson(text: string | null): Record<string, unknown> {
  if (text === null) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The partner type from `json_data.type`, or null when missing or not one of the known types. */
export function partnerTypeFrom(data: Record<string, unknown>): PartnerType | null {
  const type = data.type;
  return PARTNER_TYPES.find((known) => known === type) ?? null;
}

/** The product context: the `context` column wins; `json_data.context` is used only when the column is null. */
export function productContextFrom(column: string | null, data: Record<string, unknown>): string | null {
  if (column !== null) return column;
  return typeof data.context === 'string' ? data.context : null;
}

/** `odoo_id` as a number; drivers return bigint/numeric columns as strings. */
export function odooIdFrom(value: unknown): number | null {
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  // Odoo's ids are PostgreSQL int4, as is the column a stub's odoo_id goes to.
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= MAX_ODOO_ID ? id : null;
}
