import { parsePullArgs, PULL_ENTITY_NAMES } from '../../scripts/pull-args';

describe('npm run pull arguments', () => {
  it.each([
    ['products', 'product'],
    ['partners', 'partner'],
    ['sale-orders', 'sale_order'],
    ['purchase-orders', 'purchase_order'],
    ['product', 'product'],
    ['sale_order', 'sale_order'],
    ['Purchase-Orders', 'purchase_order'],
  ])('--entity %s pulls %s', (name, entityType) => {
    expect(parsePullArgs(['--entity', name])).toEqual({ ok: true, args: { entityType, full: false, wait: true } });
  });

  it('takes --since (a date, or a date-time with offset), --full and --no-wait', () => {
    expect(parsePullArgs(['--entity', 'products', '--since', '2026-01-01', '--no-wait'])).toEqual({
      ok: true,
      args: { entityType: 'product', since: '2026-01-01', full: false, wait: false },
    });
    expect(parsePullArgs(['--entity=partners', '--since=2026-01-01T08:00:00+02:00'])).toMatchObject({
      ok: true,
      args: { since: '2026-01-01T08:00:00+02:00' },
    });
    expect(parsePullArgs(['--entity', 'partners', '--full'])).toEqual({
      ok: true,
      args: { entityType: 'partner', full: true, wait: true },
    });
  });

  it.each([
    [[], /required option '--entity <name>' not specified/],
    [['--entity', 'stock'], /stock is not pulled from Odoo/],
    [['--entity', 'stocks'], /stock is not pulled from Odoo/],
    [['--entity', 'orders'], /"orders" is none of products, partners, sale-orders, purchase-orders/],
    [['--entity', 'products', '--since', 'yesterday'], /"yesterday" must be an ISO 8601 date/],
    [['--entity', 'products', '--since', '2026-02-30'], /must be an ISO 8601 date/],
    // A date-time without offset would be a guess: Odoo keeps UTC.
    [['--entity', 'products', '--since', '2026-01-01T08:00:00'], /must be an ISO 8601 date/],
    [
      ['--entity', 'products', '--since', '2026-01-01', '--full'],
      /'--since <date>' cannot be used with option '--full'/,
    ],
    [['--entity', 'products', '--full', '--since', '2026-01-01'], /cannot be used with/],
    [['--entity', 'products', '--bogus'], /unknown option '--bogus'/],
    [['--entity', 'products', 'extra'], /too many arguments/],
  ])('refuses %j with exit code 2', (argv, message) => {
    const parsed = parsePullArgs(argv);
    expect(parsed).toMatchObject({ ok: false, exitCode: 2 });
    if (parsed.ok) return;
    expect(parsed.output).toMatch(message);
    expect(parsed.output).toMatch(/npm run pull -- --help/);
  });

  it('prints the help with exit code 0, naming every entity name', () => {
    const parsed = parsePullArgs(['--help']);
    expect(parsed).toMatchObject({ ok: false, exitCode: 0 });
    if (parsed.ok) return;
    expect(parsed.output).toMatch(/^Usage: npm run pull -- \[options\]/);
    for (const name of Object.keys(PULL_ENTITY_NAMES)) expect(parsed.output).toContain(name);
  });
});
