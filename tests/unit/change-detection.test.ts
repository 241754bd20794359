import { changedFields, mergeChangedFields, numbersEqual } from '../../sync/shared/change-detection';

describe('changedFields', () => {
  it('lists every field of a new record', () => {
    expect(changedFields(null, { name: 'A', email: 'a@x', write_date: 't' }, { ignore: ['write_date'] })).toEqual([
      'email',
      'name',
    ]);
  });

  it('finds nothing when only ignored fields differ', () => {
    const prev = { name: 'A', write_date: '2026-01-01', prices: [{ price: 1 }] };
    const next = { name: 'A', write_date: '2026-02-01', prices: [{ price: 2 }] };
    expect(changedFields(prev, next, { ignore: ['write_date', 'prices'] })).toEqual([]);
  });

  it('reports nested object and array element paths', () => {
    const prev = { address: { city: 'Gent', zip: '9000' }, lines: [{ qty: 1 }, { qty: 2 }] };
    const next = { address: { city: 'Gent', zip: '9050' }, lines: [{ qty: 1 }, { qty: 3 }] };
    expect(changedFields(prev, next)).toEqual(['address.zip', 'lines.1.qty']);
  });

  it('reports a whole array when its length changes', () => {
    expect(changedFields({ lines: [1] }, { lines: [1, 2] })).toEqual(['lines']);
  });

  it('compares floats with a tolerance', () => {
    expect(changedFields({ price: 0.1 + 0.2 }, { price: 0.3 })).toEqual([]);
    expect(changedFields({ price: 10 }, { price: 10.01 })).toEqual(['price']);
  });

  it('treats null and a missing key alike but not false', () => {
    expect(changedFields({ vat: null }, {})).toEqual([]);
    expect(changedFields({ active: true }, { active: false })).toEqual(['active']);
    expect(changedFields({ vat: false }, {})).toEqual(['vat']);
  });

  it('reports added and removed keys and type changes', () => {
    expect(changedFields({ a: 1 }, { a: '1', b: 2 })).toEqual(['a', 'b']);
  });
});

describe('numbersEqual', () => {
  it('is relative for large numbers', () => {
    expect(numbersEqual(1e12, 1e12 + 0.0001)).toBe(true);
    expect(numbersEqual(1e12, 1e12 + 10_000)).toBe(false);
    expect(numbersEqual(NaN, NaN)).toBe(false);
  });
});

describe('mergeChangedFields', () => {
  it('keeps each path once', () => {
    expect(mergeChangedFields(['name', 'email'], ['email', 'city'])).toEqual(['city', 'email', 'name']);
  });
});

describe('changedFields against the diff it always ran', () => {
  // The comparison before its fast path for equal versions, kept here as the reference.
  const reference = (
    prev: Record<string, unknown> | null,
    next: Record<string, unknown>,
    ignore: readonly string[] = [],
  ): string[] => {
    const isObject = (v: unknown): v is Record<string, unknown> =>
      typeof v === 'object' && v !== null && !Array.isArray(v);
    const collect = (a: unknown, b: unknown, path: string, out: string[]): void => {
      if (typeof a === 'number' && typeof b === 'number') {
        if (!numbersEqual(a, b)) out.push(path);
      } else if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) out.push(path);
        else a.forEach((item, i) => collect(item, b[i], `${path}.${i}`, out));
      } else if (isObject(a) && isObject(b)) {
        for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
          collect(a[key], b[key], path ? `${path}.${key}` : key, out);
      } else if (!((a === undefined || a === null) && (b === undefined || b === null)) && a !== b) out.push(path);
    };
    const strip = (rec: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(rec).filter(([k]) => !ignore.includes(k)));
    if (!prev) return Object.keys(strip(next)).sort();
    const out: string[] = [];
    collect(strip(prev), strip(next), '', out);
    return out;
  };

  it('finds the same paths on random versions, equal and unequal', () => {
    let seed = 11;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const scalars = [null, false, true, 0, -0, 1, 0.1 + 0.2, 0.3, 1e12, 1e12 + 1e-4, '', 'a', 'b', '1'];
    const value = (depth: number): unknown => {
      const r = random(depth > 2 ? 6 : 10);
      if (r < 6) return scalars[random(scalars.length)];
      if (r < 8) return Array.from({ length: random(3) }, () => value(depth + 1));
      return object(depth + 1);
    };
    const object = (depth: number): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (let i = random(4); i > 0; i--)
        out[['a', 'b', 'c', 'write_date', 'toString', '0'][random(6)]!] = value(depth);
      return out;
    };
    // Small changes to a copy, so that many pairs are equal or nearly so.
    const mutate = (v: unknown): unknown => {
      if (random(4) > 0) {
        if (Array.isArray(v)) return v.map(mutate);
        if (typeof v === 'object' && v !== null)
          return Object.fromEntries(
            Object.entries(v)
              .filter(() => random(8) > 0)
              .map(([k, x]) => [k, mutate(x)]),
          );
        return v;
      }
      return value(2);
    };
    let equal = 0;
    for (let i = 0; i < 20_000; i++) {
      const prev = object(0);
      const mutated = mutate(prev);
      const next =
        random(3) === 0 || typeof mutated !== 'object' || mutated === null || Array.isArray(mutated)
          ? object(0)
          : (mutated as Record<string, unknown>);
      const ignore = random(2) ? ['write_date'] : [];
      const expected = reference(prev, next, ignore);
      if (expected.length === 0) equal++;
      expect([prev, next, changedFields(prev, next, { ignore })]).toEqual([prev, next, expected]);
      expect(changedFields(null, next, { ignore })).toEqual(reference(null, next, ignore));
    }
    expect(equal).toBeGreaterThan(2_000);
  });
});
