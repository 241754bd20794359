/** Field-level comparison of two versions of a record, as dotted paths (`lines.2.quantity`). */

export interface DiffOptions {
  /** Top-level keys left out of the comparison (timestamps, sub-lists stored elsewhere). */
  ignore?: readonly string[];
  /** Numbers closer than this (relative to their size, at least absolute) count as equal. */
  floatTolerance?: number;
}

const DEFAULT_TOLERANCE = 1e-9;

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function numbersEqual(a: number, b: number, tolerance = DEFAULT_TOLERANCE): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

function collect(prev: Json, next: Json, path: string, tolerance: number, out: string[]): void {
  if (typeof prev === 'number' && typeof next === 'number') {
    if (!numbersEqual(prev, next, tolerance)) out.push(path);
    return;
  }
  if (Array.isArray(prev) && Array.isArray(next)) {
    if (prev.length !== next.length) {
      out.push(path);
      return;
    }
    prev.forEach((item, i) => collect(item, next[i], `${path}.${i}`, tolerance, out));
    return;
  }
  if (isPlainObject(prev) && isPlainObject(next)) {
    for (const key of unionKeys(prev, next)) {
      collect(prev[key], next[key], path ? `${path}.${key}` : key, tolerance, out);
    }
    return;
  }
  if (!sameScalar(prev, next)) out.push(path);
}

function unionKeys(a: Record<string, Json>, b: Record<string, Json>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

/** `undefined` and `null` both mean "no value": Odoo sends `false` or omits, never distinguishes. */
function sameScalar(a: Json, b: Json): boolean {
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  return a === b;
}

/** Paths of the fields that differ between `prev` and `next`; a missing `prev` means every field is new. */
export function changedFields(
  prev: Record<string, Json> | null | undefined,
  next: Record<string, Json>,
  options: DiffOptions = {},
): string[] {
  const ignore = new Set(options.ignore ?? []);
  const tolerance = options.floatTolerance ?? DEFAULT_TOLERANCE;
  const strip = (rec: Record<string, Json>) => Object.fromEntries(Object.entries(rec).filter(([k]) => !ignore.has(k)));
  if (!prev) return Object.keys(strip(next)).sort();
  const out: string[] = [];
  collect(strip(prev), strip(next), '', tolerance, out);
  return out;
}

/** Merges change lists, keeping each path once, in a stable order. */
export function mergeChangedFields(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}
