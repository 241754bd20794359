import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/knex';
import { loadConfig } from '../../config/config';
import { openPrimaryOrm, type PrimaryOrm } from '../../db/primary-orm';
import { PartnerSchema } from '../../entities/partner';
import { PricelistItemSchema } from '../../entities/pricelist-item';
import { ProductSchema } from '../../entities/product';
import { PurchaseOrderLineSchema, PurchaseOrderSchema } from '../../entities/purchase-order';
import { MAX_ODOO_ID, MAX_TIMESTAMP, MIN_TIMESTAMP } from '../../sync/shared/record-fields';
import { newSyncFields } from '../../sync/shared/sync-row-fields';
import { useServiceFixture } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/service-harness';
import { runId } from '../support/sync-back';
import { testBackends } from '../support/test-backends';

jest.setTimeout(120_000);

/** Dates no store column holds, and strings that are no date-time at all. */
const BAD_DATES = [
  '+010000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '0999-12-31T23:59:59Z',
  '9999-12-31T23:30:00-01:00',
  '1',
  '2026-11-01T10:00:00',
  '2026-02-30 10:00:00',
];

describe('the boundary instants on every store', () => {
  describe.each(['mysql', 'sqlite'] as const)('%s', (kind) => {
    let orm: PrimaryOrm;
    let db: TestDatabase | undefined;
    let dir: string | undefined;

    beforeAll(async () => {
      if (kind === 'mysql') {
        if (!testBackends().mysqlUrl) throw new Error('MySQL/MariaDB is needed to check its date columns');
        db = await createTestDatabase();
        orm = await openPrimaryOrm(loadConfig(db.env).database);
      } else {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'input-ranges-'));
        orm = await openPrimaryOrm({ kind: 'sqlite', file: path.join(dir, 'sync.sqlite') });
      }
    });
    afterAll(async () => {
      await orm?.close();
      await db?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('stores and reads back the first and last accepted instant, and the largest Odoo id', async () => {
      const writer = orm.em.fork();
      for (const [externalId, date] of [
        ['MIN', MIN_TIMESTAMP],
        ['MAX', MAX_TIMESTAMP],
      ] as const) {
        writer.create(
          ProductSchema,
          newSyncFields(
            {
              externalId,
              odooId: MAX_ODOO_ID,
              data: {},
              changedFields: [],
              processingState: 'processed',
              sourceWriteDate: date,
            },
            new Date(),
          ),
          { persist: true },
        );
      }
      await writer.flush();
      const rows = await orm.em.fork().find(ProductSchema, {}, { orderBy: { externalId: 'asc' } });
      expect(rows.map((r) => [r.externalId, r.odooId, r.sourceWriteDate?.toISOString()])).toEqual([
        ['MAX', MAX_ODOO_ID, '9999-12-31T23:59:59.999Z'],
        ['MIN', MAX_ODOO_ID, '1000-01-01T00:00:00.000Z'],
      ]);
    });
  });
});

describe('odoo ids and dates through the API', () => {
  const run = runId();
  const fixture = useServiceFixture({ withWorker: false, tokens: ['odoo', 'webshop'] });
  const em = () => fixture.service.resources.orm.em.fork() as EntityManager;
  const push = (route: string, body: unknown) =>
    fixture.service.request('POST', `/api/v1/${route}`, { token: fixture.odoo, body });

  /** Every route and a valid record of it; `at` puts a value at a field path inside the record. */
  const routes: { route: string; batchKey: string; record: () => Record<string, unknown> }[] = [
    { route: 'products', batchKey: 'products', record: () => ({ external_id: `PR-${run}` }) },
    { route: 'partners', batchKey: 'partners', record: () => ({ external_id: `P-${run}`, type: 'C' }) },
    {
      route: 'sale-orders',
      batchKey: 'orders',
      record: () => ({ external_id: `SO-${run}`, partner_external_id: `P-${run}` }),
    },
    {
      route: 'stocks',
      batchKey: 'stocks',
      record: () => ({ supplier_external_id: `S-${run}`, product_external_id: `PR-${run}`, quantity: 1 }),
    },
    { route: 'purchase-orders', batchKey: 'purchase_orders', record: () => ({ name: `PO-${run}` }) },
  ];

  /** Sets `value` at a dotted path, creating the lists and objects on the way (`prices.0.date_start`). */
  function at(record: Record<string, unknown>, fieldPath: string, value: unknown): Record<string, unknown> {
    const copy = structuredClone(record);
    const parts = fieldPath.split('.');
    let node: Record<string | number, unknown> = copy;
    parts.slice(0, -1).forEach((part, i) => {
      node[part] ??= /^\d+$/.test(parts[i + 1]!) ? [] : {};
      node = node[part] as Record<string | number, unknown>;
    });
    node[parts[parts.length - 1]!] = value;
    return copy;
  }

  const expectInvalid = async (route: string, batchKey: string, record: object, fieldPath: string) => {
    const single = await push(route, record);
    expect([route, fieldPath, single.status, single.body]).toEqual([
      route,
      fieldPath,
      400,
      {
        error: {
          code: 'validation_failed',
          message: expect.any(String),
          details: [{ path: fieldPath, message: expect.stringMatching(/^must be /) }],
        },
      },
    ]);
    const batch = await push(route, { [batchKey]: [record] });
    expect([route, batch.status, batch.body.success, batch.body.errors[0]?.details]).toEqual([
      route,
      200,
      false,
      [{ path: `${batchKey}.0.${fieldPath}`, message: expect.stringMatching(/^must be /) }],
    ]);
  };

  it('answers 400 with the path for an odoo id above 2,147,483,647 on every route, nested ones included', async () => {
    const cases: [string, string, string][] = [
      ...routes.map((r): [string, string, string] => [r.route, r.batchKey, 'odoo_id']),
      ['products', 'products', 'prices.0.pricelist_id'],
      ['products', 'products', 'purchase_orders.0.odoo_id'],
    ];
    for (const [route, batchKey, fieldPath] of cases) {
      const base = routes.find((r) => r.route === route)!.record();
      const record = fieldPath.startsWith('prices')
        ? at(at(base, 'prices.0.price', 1), fieldPath, MAX_ODOO_ID + 1)
        : fieldPath.startsWith('purchase_orders')
          ? at(at(base, 'purchase_orders.0.name', `EPO-${run}`), fieldPath, MAX_ODOO_ID + 1)
          : at(base, fieldPath, MAX_ODOO_ID + 1);
      await expectInvalid(route, batchKey, record, fieldPath);
    }
    for (const big of [3_000_000_000, Number.MAX_SAFE_INTEGER, 1e20]) {
      await expectInvalid('partners', 'partners', { external_id: `P-${run}`, type: 'C', odoo_id: big }, 'odoo_id');
    }
    const webshop = await fixture.service.request('POST', '/api/v1/webshop/sale-orders', {
      token: fixture.webshop,
      body: {
        external_id: `WS-${run}`,
        partner_external_id: `P-${run}`,
        odoo_id: MAX_ODOO_ID + 1,
        lines: [{ product_external_id: `PR-${run}`, quantity: 1 }],
      },
    });
    expect([webshop.status, webshop.body.error.details.map((d: { path: string }) => d.path)]).toEqual([
      400,
      ['odoo_id'],
    ]);
  });

  it('stores the largest odoo id', async () => {
    const res = await push('partners', { external_id: `PMAX-${run}`, type: 'C', odoo_id: MAX_ODOO_ID });
    expect(res.body).toMatchObject({ success: true, created: 1 });
    expect((await em().findOneOrFail(PartnerSchema, { externalId: `PMAX-${run}` })).odooId).toBe(MAX_ODOO_ID);
  });

  it('answers 400 with the path for a date out of range or not a date-time, on every date field of every route', async () => {
    const cases: [string, string, string][] = [
      ...routes.map((r): [string, string, string] => [r.route, r.batchKey, 'write_date']),
      ['sale-orders', 'orders', 'date_order'],
      ['purchase-orders', 'purchase_orders', 'order_date'],
      ['purchase-orders', 'purchase_orders', 'lines.0.date_planned'],
      ['products', 'products', 'prices.0.date_start'],
      ['products', 'products', 'prices.0.date_end'],
      ['products', 'products', 'purchase_orders.0.order_date'],
    ];
    const complete: Record<string, [string, unknown][]> = {
      'lines.0.date_planned': [
        ['lines.0.product_external_id', `PR-${run}`],
        ['lines.0.quantity', 1],
      ],
      'prices.0.date_start': [
        ['prices.0.pricelist_id', 1],
        ['prices.0.price', 1],
      ],
      'prices.0.date_end': [
        ['prices.0.pricelist_id', 1],
        ['prices.0.price', 1],
      ],
      'purchase_orders.0.order_date': [['purchase_orders.0.name', `EPO-${run}`]],
    };
    for (const [route, batchKey, fieldPath] of cases) {
      let base = routes.find((r) => r.route === route)!.record();
      for (const [p, v] of complete[fieldPath] ?? []) base = at(base, p, v);
      for (const bad of BAD_DATES) await expectInvalid(route, batchKey, at(base, fieldPath, bad), fieldPath);
    }
    const webshop = await fixture.service.request('POST', '/api/v1/webshop/sale-orders', {
      token: fixture.webshop,
      body: {
        external_id: `WS-${run}`,
        partner_external_id: `P-${run}`,
        date_order: '+275760-09-13T00:00:00Z',
        lines: [{ product_external_id: `PR-${run}`, quantity: 1 }],
      },
    });
    expect([webshop.status, webshop.body.error.details.map((d: { path: string }) => d.path)]).toEqual([
      400,
      ['date_order'],
    ]);
  });

  it('stores the boundary dates of every accepted form exactly', async () => {
    const product = `PRD-${run}`;
    const res = await push('products', {
      external_id: product,
      write_date: '9999-12-31T23:59:59.999Z',
      prices: [
        { pricelist_id: 1, price: 1, date_start: '1000-01-01', date_end: '9999-12-31 23:59:59' },
        { pricelist_id: 2, price: 2, date_start: '1000-01-01T01:00:00+01:00', date_end: '2026-11-01T12:00:00+02:00' },
      ],
      purchase_orders: [
        {
          name: `PO-D-${run}`,
          order_date: '1000-01-01 00:00:00',
          lines: [{ product_external_id: product, quantity: 1, date_planned: '9999-12-31T22:59:59.999-01:00' }],
        },
      ],
    });
    expect(res.body).toMatchObject({ success: true, created: 1 });
    const row = await em().findOneOrFail(ProductSchema, { externalId: product });
    expect(row.sourceWriteDate?.toISOString()).toBe('9999-12-31T23:59:59.999Z');
    const items = await em().find(
      PricelistItemSchema,
      { productExternalId: product },
      { orderBy: { pricelistId: 'asc' } },
    );
    expect(items.map((i) => [i.pricelistId, i.dateStart?.toISOString(), i.dateEnd?.toISOString()])).toEqual([
      ['1', '1000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.000Z'],
      ['2', '1000-01-01T00:00:00.000Z', '2026-11-01T10:00:00.000Z'],
    ]);
    const order = await em().findOneOrFail(PurchaseOrderSchema, { externalId: `PO-D-${run}` });
    expect(order.orderDate?.toISOString()).toBe('1000-01-01T00:00:00.000Z');
    const [line] = await em().find(PurchaseOrderLineSchema, { purchaseOrderId: order.id });
    expect(line?.datePlanned?.toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });
});
