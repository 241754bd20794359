import { MAX_JSON_DEPTH, unsafeJsonProblems } from '../../api/http/json-guard';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('unsafeJsonProblems', () => {
  it('accepts ordinary records, emoji and accents included', () => {
    expect(unsafeJsonProblems({ products: [{ external_id: 'café-😀', prices: [{ price: 1 }] }] })).toEqual([]);
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels and refuses one more, with the path`, () => {
    expect(unsafeJsonProblems(nested(MAX_JSON_DEPTH))).toEqual([]);
    const problems = unsafeJsonProblems(nested(MAX_JSON_DEPTH + 1));
    expect(problems).toEqual([
      { path: Array(MAX_JSON_DEPTH).fill('a').join('.'), message: expect.stringMatching(/deeper/) },
    ]);
  });

  it('walks a body nested 100,000 deep without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(unsafeJsonProblems(deep)).toHaveLength(1);
  });

  it('refuses a lone surrogate in a value or a key, naming where', () => {
    const body = JSON.parse('{"partners": [{"external_id": "P-1"}, {"name": "x\\ud800y"}], "\\udc00": 1}');
    expect(unsafeJsonProblems(body)).toEqual(
      expect.arrayContaining([
        { path: 'partners.1.name', message: expect.stringMatching(/lone surrogate/) },
        { path: '(key)', message: expect.stringMatching(/lone surrogate/) },
      ]),
    );
    expect(unsafeJsonProblems(body)).toHaveLength(2);
  });
});
