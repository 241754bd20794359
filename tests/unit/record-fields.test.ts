import { z } from 'zod';
import { partnerRecordSchema } from '../../sync/inbound/partner/record';
import { priceRecordSchema, productRecordSchema } from '../../sync/inbound/product/record';
import { purchaseOrderRecordSchema } from '../../sync/inbound/purchase-order/record';
import { saleOrderRecordSchema } from '../../sync/inbound/sale-order/record';
import { stockRecordSchema } from '../../sync/inbound/stock/record';
import {
  MAX_ODOO_ID,
  MAX_TIMESTAMP,
  MIN_TIMESTAMP,
  odooId,
  parseTimestamp,
  timestamp,
} from '../../sync/shared/record-fields';
import { webshopOrderSchema } from '../../sync/sync-back/webshop-order-record';

const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message }));

const iso = (value: string) => {
  const parsed = parseTimestamp(value);
  return 'date' in parsed ? parsed.date.toISOString() : parsed.problem;
};

describe('odoo id field', () => {
  const field = z.object({ odoo_id: odooId });

  it('takes 1 to 2,147,483,647 (Odoo ids are int4), and absent, null or false as none', () => {
    for (const id of [1, 42, MAX_ODOO_ID]) expect(field.parse({ odoo_id: id }).odoo_id).toBe(id);
    for (const none of [{}, { odoo_id: null }, { odoo_id: false }]) expect(field.parse(none).odoo_id).toBeNull();
  });

  it('names one problem per id out of range, never two', () => {
    for (const id of [MAX_ODOO_ID + 1, 3_000_000_000, 1e20, Number.MAX_SAFE_INTEGER]) {
      expect(issuesOf(field.safeParse({ odoo_id: id }))).toEqual([
        { path: 'odoo_id', message: 'must be at most 2147483647 (Odoo ids are 32-bit)' },
      ]);
    }
    for (const id of [0, -1, -1e20]) {
      expect(issuesOf(field.safeParse({ odoo_id: id }))).toEqual([{ path: 'odoo_id', message: 'must be positive' }]);
    }
    for (const id of [1.5, '12', true]) {
      expect(issuesOf(field.safeParse({ odoo_id: id }))).toEqual([
        { path: 'odoo_id', message: 'must be an Odoo id: a positive integer up to 2147483647, or null' },
      ]);
    }
  });

  it('caps every odoo id of every record schema, with the path of the field', () => {
    const big = MAX_ODOO_ID + 1;
    const cases: [z.ZodType, Record<string, unknown>, string][] = [
      [productRecordSchema, { external_id: 'PR-1', odoo_id: big }, 'odoo_id'],
      [
        productRecordSchema,
        { external_id: 'PR-1', prices: [{ pricelist_id: big, price: 1 }] },
        'prices.0.pricelist_id',
      ],
      [
        productRecordSchema,
        { external_id: 'PR-1', purchase_orders: [{ name: 'PO', odoo_id: big }] },
        'purchase_orders.0.odoo_id',
      ],
      [partnerRecordSchema, { external_id: 'P-1', type: 'C', odoo_id: big }, 'odoo_id'],
      [saleOrderRecordSchema, { external_id: 'SO-1', partner_external_id: 'P-1', odoo_id: big }, 'odoo_id'],
      [
        stockRecordSchema,
        { supplier_external_id: 'S', product_external_id: 'P', quantity: 1, odoo_id: big },
        'odoo_id',
      ],
      [purchaseOrderRecordSchema, { name: 'PO', odoo_id: big }, 'odoo_id'],
    ];
    for (const [schema, record, path] of cases) {
      expect(issuesOf(schema.safeParse(record))).toEqual([{ path, message: expect.stringContaining('2147483647') }]);
    }
    expect(priceRecordSchema.parse({ pricelist_id: MAX_ODOO_ID, price: 1 }).pricelist_id).toBe(String(MAX_ODOO_ID));
  });
});

describe('date-time field', () => {
  it("reads ISO 8601 date-times with Z or an offset, Odoo's UTC form and dates", () => {
    expect(iso('2026-11-01T10:00:00Z')).toBe('2026-11-01T10:00:00.000Z');
    expect(iso('2026-11-01T11:30:00+01:30')).toBe('2026-11-01T10:00:00.000Z');
    expect(iso('2026-11-01T05:00:00.5-05:00')).toBe('2026-11-01T10:00:00.500Z');
    expect(iso('2026-11-01T10:00:00.123456789Z')).toBe('2026-11-01T10:00:00.123Z');
    expect(iso('2026-11-01 10:00:00')).toBe('2026-11-01T10:00:00.000Z');
    expect(iso('2026-11-01 10:00:00.250')).toBe('2026-11-01T10:00:00.250Z');
    expect(iso('2026-11-01')).toBe('2026-11-01T00:00:00.000Z');
    expect(iso('2028-02-29T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(iso('2000-02-29 00:00:00')).toBe('2000-02-29T00:00:00.000Z');
  });

  it('holds exactly the instants the database columns hold: the years 1000 to 9999, in UTC', () => {
    expect(MIN_TIMESTAMP.toISOString()).toBe('1000-01-01T00:00:00.000Z');
    expect(MAX_TIMESTAMP.toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect(iso('1000-01-01T00:00:00Z')).toBe('1000-01-01T00:00:00.000Z');
    expect(iso('1000-01-01')).toBe('1000-01-01T00:00:00.000Z');
    expect(iso('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
    expect(iso('9999-12-31 23:59:59.9999')).toBe('9999-12-31T23:59:59.999Z');
    const outOfRange = 'must be between 1000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z';
    for (const value of [
      '0999-12-31T23:59:59.999Z',
      '1000-01-01T00:30:00+01:00',
      '9999-12-31T23:00:00-01:00',
      '0000-01-01',
      '0001-01-01 00:00:00',
    ]) {
      expect([value, iso(value)]).toEqual([value, expect.stringContaining(outOfRange)]);
    }
  });

  it('refuses every other shape, and dates that are not on the calendar', () => {
    for (const value of [
      '1',
      '2026',
      '2026-11',
      '20261101',
      '2026-11-01T10:00:00',
      '2026-11-01T10:00Z',
      '2026-11-01T10:00:00+0100',
      '2026-11-01T10:00:00 Z',
      '2026-11-01t10:00:00z',
      '2026-11-01 10:00',
      '2026-11-01 10:00:00Z',
      ' 2026-11-01 10:00:00',
      '+010000-01-01T00:00:00Z',
      '-000001-01-01T00:00:00Z',
      '+275760-09-13T00:00:00Z',
      'Sun, 01 Nov 2026 10:00:00 GMT',
      'yesterday',
      '2026-11-01T10:00:00.Z',
      '2026-11-01T10:00:00.1234567890Z',
    ]) {
      expect([value, iso(value)]).toEqual([value, expect.stringMatching(/^must be an ISO 8601 date-time/)]);
    }
    for (const value of [
      '2026-13-01T00:00:00Z',
      '2026-00-10',
      '2026-02-29',
      '1900-02-29 00:00:00',
      '2026-04-31T00:00:00Z',
      '2026-11-00',
      '2026-11-01T24:00:00Z',
      '2026-11-01T10:60:00Z',
      '2026-11-01T10:00:60Z',
      '2026-11-01T10:00:00+24:00',
      '2026-11-01T10:00:00+01:60',
    ]) {
      expect([value, iso(value)]).toEqual([value, expect.stringMatching(/^must be a real date and time/)]);
    }
  });

  it('reads every date exactly as the Date-based reading it replaced', () => {
    // The reading before it was made faster (a Date built field by field), kept here as the reference.
    const reference = (text: string): string => {
      const iso = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/.exec(
        text,
      );
      const odoo = iso ? null : /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
      const dateOnly = iso || odoo ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      const parts = iso ?? odoo ?? dateOnly;
      if (!parts) return 'shape';
      const [year, month, day, hour = 0, minute = 0, second = 0] = parts.slice(1, 7).map((p) => (p ? Number(p) : 0));
      const millis = Number(((parts[7] ?? '') + '000').slice(0, 3));
      const offsetSign = iso?.[9] === '-' ? -1 : 1;
      const offsetHours = Number(iso?.[10] ?? 0);
      const offsetMinutes = Number(iso?.[11] ?? 0);
      const lastDay = new Date(0);
      lastDay.setUTCFullYear(year!, month!, 0);
      if (
        month! < 1 ||
        month! > 12 ||
        day! < 1 ||
        day! > lastDay.getUTCDate() ||
        hour > 23 ||
        minute > 59 ||
        second > 59 ||
        offsetHours > 23 ||
        offsetMinutes > 59
      )
        return 'calendar';
      const date = new Date(0);
      date.setUTCFullYear(year!, month! - 1, day!);
      date.setUTCHours(hour, minute, second, millis);
      date.setTime(date.getTime() - offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000);
      if (date < MIN_TIMESTAMP || date > MAX_TIMESTAMP) return 'range';
      return date.toISOString();
    };
    const kind = (text: string): string => {
      const parsed = parseTimestamp(text);
      if ('date' in parsed) return parsed.date.toISOString();
      if (parsed.problem.startsWith('must be an ISO')) return 'shape';
      return parsed.problem.startsWith('must be a real') ? 'calendar' : 'range';
    };
    let seed = 7;
    const pick = <T>(items: readonly T[]): T => items[(seed = (seed * 48271) % 2147483647) % items.length]!;
    const years = ['0000', '0004', '0099', '0100', '0400', '0999', '1000', '1900', '2000', '2024', '2100', '9999'];
    const tails = [
      '',
      'T10:20:30Z',
      'T23:59:59.999+23:59',
      'T00:00:00-14:00',
      'T12:00:00.1234-05:30',
      ' 00:00:00',
      ' 23:59:59.5',
      'T24:00:00Z',
      'T10:60:00Z',
      'T10:00:60Z',
      'T10:00:00+24:00',
      'T10:00:00+01:60',
      'T10:00:00',
      ' 10:00:00Z',
      'T00:00:00+00:01',
      'T23:59:59.9999999-00:01',
    ];
    for (let i = 0; i < 5_000; i++) {
      const text = `${pick(years)}-${pick(['00', '01', '02', '04', '06', '12', '13'])}-${pick(['00', '01', '28', '29', '30', '31', '32'])}${pick(tails)}`;
      expect([text, kind(text)]).toEqual([text, reference(text)]);
    }
  });

  it('reads absent, null, empty and false as no value, and names the field of a bad one', () => {
    const field = z.object({ write_date: timestamp });
    for (const none of [{}, { write_date: null }, { write_date: false }, { write_date: '' }]) {
      expect(field.parse(none).write_date).toBeNull();
    }
    expect(issuesOf(field.safeParse({ write_date: '1' }))).toEqual([
      { path: 'write_date', message: expect.stringMatching(/^must be an ISO 8601 date-time/) },
    ]);
    expect(issuesOf(field.safeParse({ write_date: 1_700_000_000 }))).toEqual([
      { path: 'write_date', message: expect.stringMatching(/^must be a date-time string/) },
    ]);
  });

  it('checks every date field of every record schema, with its path', () => {
    const bad = '+010000-01-01T00:00:00Z';
    const cases: [z.ZodType, Record<string, unknown>, string][] = [
      [productRecordSchema, { external_id: 'PR-1', write_date: bad }, 'write_date'],
      [
        productRecordSchema,
        { external_id: 'PR-1', prices: [{ pricelist_id: 1, price: 1, date_start: bad }] },
        'prices.0.date_start',
      ],
      [
        productRecordSchema,
        { external_id: 'PR-1', prices: [{ pricelist_id: 1, price: 1, date_end: bad }] },
        'prices.0.date_end',
      ],
      [
        productRecordSchema,
        { external_id: 'PR-1', purchase_orders: [{ name: 'PO', order_date: bad }] },
        'purchase_orders.0.order_date',
      ],
      [
        productRecordSchema,
        {
          external_id: 'PR-1',
          purchase_orders: [{ name: 'PO', lines: [{ product_external_id: 'PR-1', quantity: 1, date_planned: bad }] }],
        },
        'purchase_orders.0.lines.0.date_planned',
      ],
      [partnerRecordSchema, { external_id: 'P-1', type: 'C', write_date: bad }, 'write_date'],
      [saleOrderRecordSchema, { external_id: 'SO-1', partner_external_id: 'P-1', date_order: bad }, 'date_order'],
      [saleOrderRecordSchema, { external_id: 'SO-1', partner_external_id: 'P-1', write_date: bad }, 'write_date'],
      [
        stockRecordSchema,
        { supplier_external_id: 'S', product_external_id: 'P', quantity: 1, write_date: bad },
        'write_date',
      ],
      [purchaseOrderRecordSchema, { name: 'PO', order_date: bad }, 'order_date'],
      [purchaseOrderRecordSchema, { name: 'PO', write_date: bad }, 'write_date'],
      [
        purchaseOrderRecordSchema,
        { name: 'PO', lines: [{ product_external_id: 'PR-1', quantity: 1, date_planned: bad }] },
        'lines.0.date_planned',
      ],
      [
        webshopOrderSchema,
        {
          external_id: 'WS-1',
          partner_external_id: 'P-1',
          date_order: bad,
          lines: [{ product_external_id: 'PR-1', quantity: 1 }],
        },
        'date_order',
      ],
    ];
    for (const [schema, record, path] of cases) {
      expect(issuesOf(schema.safeParse(record))).toEqual([{ path, message: expect.stringMatching(/^must be /) }]);
    }
  });
});
