import { odooIdFrom, parseLegacyJson, partnerTypeFrom, productContextFrom } from '../../sync/legacy/legacy-json';

describe('parseLegacyJson', () => {
  it('returns the object of valid JSON', () => {
    expect(parseLegacyJson('{"type":"C","name":"Acme","nested":{"a":[1,2]}}')).toEqual({
      type: 'C',
      name: 'Acme',
      nested: { a: [1, 2] },
    });
    expect(parseLegacyJson(' \n{ "x" : null }\t')).toEqual({ x: null });
  });

  it.each([
    ['truncated object', '{"type":"C",'],
    ['single quotes', "{'type':'C'}"],
    ['trailing comma', '{"type":"C",}'],
    ['bare word', 'not json'],
    ['empty text', ''],
    ['whitespace only', '   '],
  ])('returns {} for malformed text (%s)', (_label, text) => {
    expect(parseLegacyJson(text)).toEqual({});
  });

  it.each([
    ['array', '[{"type":"C"}]'],
    ['number', '42'],
    ['string', '"{\\"type\\":\\"C\\"}"'],
    ['boolean', 'true'],
    ['JSON null', 'null'],
  ])('returns {} for valid JSON that is not an object (%s)', (_label, text) => {
    expect(parseLegacyJson(text)).toEqual({});
  });

  it('returns {} for a null column', () => {
    expect(parseLegacyJson(null)).toEqual({});
  });

  it('keeps a "__proto__" key as plain data without touching the prototype', () => {
    const data = parseLegacyJson('{"__proto__":{"polluted":true},"type":"B"}');
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(partnerTypeFrom(data)).toBe('B');
  });
});

describe('partnerTypeFrom', () => {
  it.each(['B', 'C', 'D', 'O'] as const)('accepts the known type %s', (type) => {
    expect(partnerTypeFrom({ type })).toBe(type);
  });

  it.each([
    ['unknown letter', 'X'],
    ['lower case', 'c'],
    ['padded', ' C'],
    ['word', 'Customer'],
    ['empty', ''],
    ['number', 1],
    ['null', null],
    ['array', ['C']],
  ])('answers null for a type that is not B/C/D/O (%s)', (_label, type) => {
    expect(partnerTypeFrom({ type })).toBeNull();
  });

  it('answers null when there is no type', () => {
    expect(partnerTypeFrom({})).toBeNull();
    expect(partnerTypeFrom(parseLegacyJson('{"type":'))).toBeNull();
  });
});

describe('productContextFrom', () => {
  it('prefers the column', () => {
    expect(productContextFrom('wholesale', { context: 'retail' })).toBe('wholesale');
    expect(productContextFrom('', { context: 'retail' })).toBe('');
  });

  it('falls back to json_data.context when the column is null', () => {
    expect(productContextFrom(null, parseLegacyJson('{"context":"retail"}'))).toBe('retail');
  });

  it('answers null when neither says, or json_data.context is not a string', () => {
    expect(productContextFrom(null, {})).toBeNull();
    expect(productContextFrom(null, parseLegacyJson('{"context":'))).toBeNull();
    expect(productContextFrom(null, { context: 7 })).toBeNull();
    expect(productContextFrom(null, { context: { name: 'retail' } })).toBeNull();
  });
});

describe('odooIdFrom', () => {
  it('reads integers and digit strings within the 32-bit ids of Odoo', () => {
    expect(odooIdFrom(17)).toBe(17);
    expect(odooIdFrom('2147483647')).toBe(2147483647);
  });

  it('answers null for anything else', () => {
    expect(odooIdFrom(null)).toBeNull();
    expect(odooIdFrom(1.5)).toBeNull();
    expect(odooIdFrom('12a')).toBeNull();
    expect(odooIdFrom('')).toBeNull();
    expect(odooIdFrom('99999999999999999999')).toBeNull();
    // Beyond the int4 column a stub's odoo_id goes to, or not an id at all.
    expect(odooIdFrom('9000000001')).toBeNull();
    expect(odooIdFrom(2147483648)).toBeNull();
    expect(odooIdFrom(0)).toBeNull();
    expect(odooIdFrom(-3)).toBeNull();
  });
});
