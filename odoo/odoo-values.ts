/** Odoo's JSON for "no value" is `false`, whatever the field's type. */
export function orNull<T>(value: T | false | null | undefined): T | null {
  return value === false || value === undefined ? null : value;
}

export function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A many2one reads as `[id, display_name]` or `false`. */
export function many2oneId(value: unknown): number | null {
  return Array.isArray(value) && typeof value[0] === 'number' ? value[0] : null;
}

export function many2oneName(value: unknown): string | null {
  return Array.isArray(value) && typeof value[1] === 'string' ? value[1] : null;
}

/** Odoo's datetime text (`YYYY-MM-DD HH:MM:SS`, UTC) of an instant. */
export function odooDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** The instant of Odoo's datetime text (UTC). */
export function fromOdooDateTime(value: string): Date {
  return new Date(`${value.replace(' ', 'T')}Z`);
}
