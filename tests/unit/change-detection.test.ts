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
