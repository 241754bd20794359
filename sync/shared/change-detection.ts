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

/**
 * Whether `collect` would find no difference, without building a path or a key list: the common case of an
 * unchanged re-push costs one walk and no allocation. Same rules as `collect` (keys of either side, a value
 * read the same way, null and missing alike, the float tolerance); `ignore` applies at the top level only.
 */
function same(prev: Json, next: Json, tolerance: number, ignore?: readonly string[]): boolean {
  if (typeof prev === 'number' && typeof next === 'number') return numbersEqual(prev, next, tolerance);
  if (Array.isArray(prev) && Array.isArray(next)) {
    if (prev.length !== next.length) return false;
    for (let i = 0; i < prev.length; i++) if (!same(prev[i], next[i], tolerance)) return false;
    return true;
  }
  if (isPlainObject(prev) && isPlainObject(next)) {
    for (const key of Object.keys(prev)) {
      if (ignore?.includes(key)) continue;
      if (!same(prev[key], next[key], tolerance)) return false;
    }
    for (const key of Object.keys(next)) {
      // A key of both was compared above (Object.keys lists the own enumerable keys).
      if (Object.prototype.propertyIsEnumerable.call(prev, key) || ignore?.includes(key)) continue;
      if (!same(prev[key], next[key], tolerance)) return false;
    }
    return true;
  }
  return sameScalar(prev, next);
}

function withoutIgnored(rec: Record<string, Json>, ignore: readonly string[]): Record<string, Json> {
  return Object.fromEntries(Object.entries(rec).filter(([k]) => !ignore.includes(k)));
}

/** Paths of the fields that differ between `prev` and `next`; a missing `prev` means every field is new. */
export function changedFields(
  prev: Record<string, Json> | null | undefined,
  next: Record<string, Json>,
  options: DiffOptions = {},
): string[] {
  const ignore = options.ignore ?? [];
  const tolerance = options.floatTolerance ?? DEFAULT_TOLERANCE;
  if (!prev) return Object.keys(withoutIgnored(next, ignore)).sort();
  // Most compared versions are equal: that answer needs no paths.
  if (isPlainObject(prev) && isPlainObject(next) && same(prev, next, tolerance, ignore)) return [];
  const out: string[] = [];
  collect(withoutIgnored(prev, ignore), withoutIgnored(next, ignore), '', tolerance, out);
  return out;
}

/** Merges change lists, keeping each path once, in a stable order. */
export function mergeChangedFields(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}
