import { loadConfig } from '../../config/config';
import { fromOdooDateTime, many2oneId, many2oneName, numberOrNull, odooDateTime, text } from '../../odoo/odoo-values';
import { pageDomain } from '../../sync/pull/pull-page';

describe('pull: Odoo values', () => {
  it("reads Odoo's false as null and many2ones as [id, name]", () => {
    expect(text(false)).toBeNull();
    expect(text('  ')).toBeNull();
    expect(text('Mug')).toBe('Mug');
    expect(numberOrNull(false)).toBeNull();
    expect(numberOrNull(0)).toBe(0);
    expect(many2oneId([7, 'Azure Interior'])).toBe(7);
    expect(many2oneId(false)).toBeNull();
    expect(many2oneName([1, 'EUR'])).toBe('EUR');
  });

  it("writes and reads Odoo's datetime text in UTC, to the second", () => {
    expect(odooDateTime(new Date('2026-03-06T06:00:01.999Z'))).toBe('2026-03-06 06:00:01');
    expect(fromOdooDateTime('2026-03-06 06:00:01').toISOString()).toBe('2026-03-06T06:00:01.000Z');
  });
});

describe('pull: pages and positions', () => {
  it('asks for the rows after a position, those sharing its second included', () => {
    expect(pageDomain({ since: '2026-01-01 00:00:00', after: { writeDate: '2026-01-02 10:00:00', id: 42 } })).toEqual([
      '|',
      ['write_date', '>', '2026-01-02 10:00:00'],
      '&',
      ['write_date', '=', '2026-01-02 10:00:00'],
      ['id', '>', 42],
    ]);
    expect(pageDomain({ since: '2026-01-01 00:00:00', after: null })).toEqual([
      ['write_date', '>=', '2026-01-01 00:00:00'],
    ]);
    expect(pageDomain({ since: null, after: null })).toEqual([]);
  });
});

describe('pull: configuration', () => {
  it('has defaults and reads off, durations and external-id fields', () => {
    expect(loadConfig({}).pull).toEqual({
      intervalMs: 300_000,
      lookbackMs: 600_000,
      pageSize: 200,
      maxConcurrent: 1,
      externalIdFields: {},
    });
    const custom = loadConfig({
      ODOO_PULL_INTERVAL: 'off',
      ODOO_PULL_EXTERNAL_ID: 'product=default_code, partner=ref',
      ODOO_PULL_MAX_CONCURRENT: '9',
    }).pull;
    expect(custom).toMatchObject({ intervalMs: null, externalIdFields: { product: 'default_code', partner: 'ref' } });
    // Never more than the client's own limit.
    expect(custom.maxConcurrent).toBe(4);
  });

  it('stops the start on a bad value, naming the variable', () => {
    expect(() => loadConfig({ ODOO_PULL_INTERVAL: 'soon' })).toThrow(/ODOO_PULL_INTERVAL/);
    expect(() => loadConfig({ ODOO_PULL_EXTERNAL_ID: 'stock=ref' })).toThrow(/ODOO_PULL_EXTERNAL_ID/);
    expect(() => loadConfig({ ODOO_PULL_INTERVAL: '0s' })).toThrow(/ODOO_PULL_INTERVAL/);
  });
});
