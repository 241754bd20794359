import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/knex';
import { loadConfig } from '../../config/config';
import { openPrimaryOrm, type PrimaryOrm } from '../../db/primary-orm';
import { primaryEntities } from '../../entities';
import { ApiTokenSchema } from '../../entities/api-token';
import { DependencyWaitSchema } from '../../entities/dependency-wait';
import { EXACT_KEY_COLUMNS } from '../../entities/exact-keys';
import { PartnerSchema } from '../../entities/partner';
import { PricelistItemSchema } from '../../entities/pricelist-item';
import { ProductSchema } from '../../entities/product';
import { PurchaseOrderLineSchema, PurchaseOrderSchema } from '../../entities/purchase-order';
import { SaleOrderLineSchema, SaleOrderSchema } from '../../entities/sale-order';
import { StockSchema } from '../../entities/stock';
import { newSyncFields } from '../../sync/shared/sync-row-fields';
import { useSyncBackFixture } from '../support/fixtures';
import { createTestDatabase, eventually, type TestDatabase } from '../support/service-harness';
import {
  odooOrders,
  postOrder,
  queueStatus,
  runId,
  seedPartner,
  seedProducts,
  untilState,
  webshopOrder,
} from '../support/sync-back';
import { testBackends } from '../support/test-backends';

jest.setTimeout(240_000);

/** Keys MySQL's default collations take for one: differing only in case, in accents, or two emoji. */
const PAIRS = [
  ['Case-1', 'case-1'],
  ['café', 'cafe'],
  ['😀', '😁'],
] as const;
const ALL_KEYS = PAIRS.flat();

/** Property names that hold identifiers; every string property named so must be an exact key. */
const LOOKS_LIKE_A_KEY = /(externalId|key|workflowId|hash)$|^pricelistId$/i;

describe('exact key columns on every store', () => {
  it('lists every identifier-like string property of the entities', () => {
    const listed = new Set(
      EXACT_KEY_COLUMNS.flatMap(({ entity, properties }) => properties.map((p) => `${entity.meta.className}.${p}`)),
    );
    const keyLike = primaryEntities.flatMap((entity) =>
      Object.entries(entity.meta.properties)
        .filter(([name, prop]) => LOOKS_LIKE_A_KEY.test(name) && prop.type === 'string')
        .map(([name]) => `${entity.meta.className}.${name}`),
    );
    expect(keyLike.length).toBeGreaterThanOrEqual(19);
    expect(keyLike.filter((p) => !listed.has(p))).toEqual([]);
  });

  describe.each(['mysql', 'sqlite'] as const)('%s', (kind) => {
    let orm: PrimaryOrm;
    let db: TestDatabase | undefined;
    let dir: string | undefined;
    const em = () => orm.em.fork() as EntityManager;
    const now = new Date('2026-12-01T10:00:00.000Z');

    beforeAll(async () => {
      if (kind === 'mysql') {
        if (!testBackends().mysqlUrl) throw new Error('MySQL/MariaDB is needed to check its key columns');
        db = await createTestDatabase();
        orm = await openPrimaryOrm(loadConfig(db.env).database);
      } else {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exact-keys-'));
        orm = await openPrimaryOrm({ kind: 'sqlite', file: path.join(dir, 'sync.sqlite') });
      }
    });
    afterAll(async () => {
      await orm?.close();
      await db?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('declares every key column to compare bytes', async () => {
      const columns = EXACT_KEY_COLUMNS.flatMap(({ entity, properties }) => {
        const meta = orm.getMetadata().get(entity.meta.className);
        return properties.map((p) => ({ table: meta.tableName, column: meta.properties[p]!.fieldNames[0]! }));
      });
      expect(columns).toHaveLength(24);
      const conn = orm.em.getConnection();
      if (kind === 'mysql') {
        const rows: { table_name: string; column_name: string; collation_name: string }[] = await conn.execute(
          'select table_name as table_name, column_name as column_name, collation_name as collation_name from information_schema.columns where table_schema = database()',
        );
        const collation = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r.collation_name]));
        expect(columns.map((c) => [c.table, c.column, collation.get(`${c.table}.${c.column}`)])).toEqual(
          columns.map((c) => [c.table, c.column, 'utf8mb4_bin']),
        );
      } else {
        // SQLite compares with BINARY unless a column says otherwise: none may.
        const tables: { name: string; sql: string }[] = await conn.execute(
          "select name, sql from sqlite_master where type = 'table'",
        );
        for (const { table } of columns) {
          const ddl = tables.find((t) => t.name === table)?.sql;
          expect([table, ddl]).toEqual([table, expect.not.stringMatching(/collate/i)]);
        }
      }
    });

    it('keeps records whose keys differ only in case, accents or emoji apart', async () => {
      const writer = em();
      for (const [i, key] of ALL_KEYS.entries()) {
        writer.create(
          ProductSchema,
          {
            ...newSyncFields(
              { externalId: key, odooId: null, data: {}, changedFields: [], processingState: 'processed' },
              now,
            ),
            name: `product ${i}`,
            defaultCode: key,
          },
          { persist: true },
        );
        writer.create(
          StockSchema,
          {
            ...newSyncFields(
              { externalId: `${key}/P`, odooId: null, data: {}, changedFields: [], processingState: 'processed' },
              now,
            ),
            supplierExternalId: key,
            productExternalId: 'P',
            quantity: i,
            quantityChanged: false,
          },
          { persist: true },
        );
        writer.create(
          DependencyWaitSchema,
          { dependencyKey: `product:${key}`, waiterWorkflowId: `sale_order:${key}`, createdAt: now },
          { persist: true },
        );
        writer.create(
          ApiTokenSchema,
          {
            name: `t${i}`,
            tokenHash: `hash-${key}`,
            prefix: 'p',
            scopes: ['odoo'],
            active: true,
            expiresAt: null,
            lastUsedAt: null,
            createdAt: now,
          },
          { persist: true },
        );
      }
      await writer.flush();

      for (const [i, key] of ALL_KEYS.entries()) {
        const reader = em();
        expect(await reader.find(ProductSchema, { externalId: key }, { fields: ['name'] })).toEqual([
          expect.objectContaining({ name: `product ${i}` }),
        ]);
        expect((await reader.find(ProductSchema, { defaultCode: key })).map((p) => p.externalId)).toEqual([key]);
        expect((await reader.find(StockSchema, { supplierExternalId: key })).map((s) => s.quantity)).toEqual([i]);
        expect(
          (await reader.find(DependencyWaitSchema, { dependencyKey: `product:${key}` })).map((w) => w.waiterWorkflowId),
        ).toEqual([`sale_order:${key}`]);
        expect((await reader.find(ApiTokenSchema, { tokenHash: `hash-${key}` })).map((t) => t.name)).toEqual([`t${i}`]);
      }
    });
  });
});

describe('exact keys through the API', () => {
  const run = runId();
  /** The pair's keys, unique to this run (workflow ids live in the suite's shared Temporal namespace). */
  const keyed = (prefix: string) => PAIRS.map(([a, b]) => [`${prefix}${a}-${run}`, `${prefix}${b}-${run}`] as const);

  const fixture = useSyncBackFixture({ tokens: ['odoo', 'webshop'] });
  const em = () => fixture.service.resources.orm.em.fork() as EntityManager;
  const push = (route: string, body: unknown) =>
    fixture.service.request('POST', `/api/v1/${route}`, { token: fixture.odoo, body });
  /** Pushes the two records one after the other: each is created, the second overwrites nothing. */
  const pushPair = async (route: string, first: object, second: object) => {
    for (const record of [first, second]) {
      const res = await push(route, record);
      expect([res.status, res.body]).toEqual([
        200,
        { success: true, processed: 1, created: 1, updated: 0, unchanged: 0, errors: [] },
      ]);
    }
  };
  const processed = <T extends { processingState: string }>(what: string, check: () => Promise<T[]>, count: number) =>
    eventually(
      async () => {
        const rows = await check();
        return rows.length === count && rows.every((r) => r.processingState === 'processed') ? rows : undefined;
      },
      60_000,
      `${what} processed`,
    );

  const products = keyed('PR-');
  const partners = keyed('P-');

  it('creates two products, each processed by its own workflow', async () => {
    for (const [a, b] of products) await pushPair('products', { external_id: a, name: a }, { external_id: b, name: b });
    const all = products.flat();
    const rows = await processed('products', () => em().find(ProductSchema, { externalId: { $in: all } }), 6);
    expect(Object.fromEntries(rows.map((r) => [r.externalId, r.name]))).toEqual(
      Object.fromEntries(all.map((k) => [k, k])),
    );
  });

  it('creates two partners, and a child under each', async () => {
    for (const [a, b] of partners) {
      await pushPair('partners', { external_id: a, type: 'C', name: a }, { external_id: b, type: 'C', name: b });
    }
    for (const [a, b] of partners) {
      await pushPair(
        'partners',
        { external_id: `child-${a}`, type: 'D', parent_external_id: a },
        { external_id: `child-${b}`, type: 'D', parent_external_id: b },
      );
    }
    const all = partners.flat();
    const children = await processed(
      'child partners',
      () => em().find(PartnerSchema, { externalId: { $in: all.map((k) => `child-${k}`) } }),
      6,
    );
    expect(Object.fromEntries(children.map((c) => [c.externalId, c.parentExternalId]))).toEqual(
      Object.fromEntries(all.map((k) => [`child-${k}`, k])),
    );
    for (const key of all) {
      expect((await em().find(PartnerSchema, { parentExternalId: key })).map((p) => p.externalId)).toEqual([
        `child-${key}`,
      ]);
    }
  });

  it('creates two inbound sale orders, each waiting for and then using its own partner and product', async () => {
    const orders = keyed('SO-');
    for (const [i, [a, b]] of orders.entries()) {
      const order = (key: string, j: number) => ({
        external_id: key,
        partner_external_id: partners[i]![j]!,
        lines: [{ product_external_id: products[i]![j]!, quantity: j + 1 }],
      });
      await pushPair('sale-orders', order(a, 0), order(b, 1));
    }
    const rows = await processed(
      'sale orders',
      () => em().find(SaleOrderSchema, { direction: 'inbound', externalId: { $in: orders.flat() } }),
      6,
    );
    for (const [i, pair] of orders.entries()) {
      for (const [j, key] of pair.entries()) {
        const row = rows.find((r) => r.externalId === key)!;
        expect(row.partnerExternalId).toBe(partners[i]![j]);
        const lines = await em().find(SaleOrderLineSchema, { saleOrderId: row.id });
        expect(lines.map((l) => [l.productExternalId, l.quantity])).toEqual([[products[i]![j], j + 1]]);
      }
    }
  });

  it('creates two stocks for suppliers, and two for products, that differ only so', async () => {
    const suppliers = keyed('S-');
    for (const [i, [a, b]] of suppliers.entries()) {
      const product = products[i]![0];
      await pushPair(
        'stocks',
        { supplier_external_id: a, product_external_id: product, quantity: 1 },
        { supplier_external_id: b, product_external_id: product, quantity: 2 },
      );
      await pushPair(
        'stocks',
        { supplier_external_id: a, product_external_id: products[i]![1], quantity: 3 },
        { supplier_external_id: b, product_external_id: products[i]![1], quantity: 4 },
      );
    }
    for (const [i, [a, b]] of suppliers.entries()) {
      const [productA, productB] = products[i]!;
      const bySupplier = (supplier: string) =>
        fixture.service.request('GET', `/api/v1/stocks/by-supplier/${encodeURIComponent(supplier)}`, {
          token: fixture.webshop,
        });
      for (const [supplier, quantities] of [
        [a, [1, 3]],
        [b, [2, 4]],
      ] as const) {
        const res = await bySupplier(supplier);
        expect(res.status).toBe(200);
        expect(
          res.body.items.map((s: { product_external_id: string; quantity: number }) => [
            s.product_external_id,
            s.quantity,
          ]),
        ).toEqual(
          expect.arrayContaining([
            [productA, quantities[0]],
            [productB, quantities[1]],
          ]),
        );
        expect(res.body.items).toHaveLength(2);
      }
      for (const [product, quantities] of [
        [productA, [1, 2]],
        [productB, [3, 4]],
      ] as const) {
        const rows = await em().find(StockSchema, { productExternalId: product }, { orderBy: { quantity: 'asc' } });
        expect(rows.map((r) => [r.supplierExternalId, r.quantity])).toEqual([
          [a, quantities[0]],
          [b, quantities[1]],
        ]);
      }
    }
  });

  it('creates two purchase orders by external id, and two by name', async () => {
    const byId = keyed('PO-');
    const byName = keyed('PO name ');
    for (const [i, [a, b]] of byId.entries()) {
      const line = (j: number) => [{ product_external_id: products[i]![j], quantity: j + 1 }];
      await pushPair(
        'purchase-orders',
        { external_id: a, name: 'same name', vendor_external_id: partners[i]![0], lines: line(0) },
        { external_id: b, name: 'same name', vendor_external_id: partners[i]![1], lines: line(1) },
      );
    }
    for (const [a, b] of byName) {
      await pushPair('purchase-orders', { name: a, state: 'draft' }, { name: b, state: 'purchase' });
    }
    await processed(
      'purchase orders',
      () => em().find(PurchaseOrderSchema, { externalId: { $in: [...byId.flat(), ...byName.flat()] } }),
      12,
    );
    for (const [i, pair] of byId.entries()) {
      for (const [j, key] of pair.entries()) {
        const row = await em().findOneOrFail(PurchaseOrderSchema, { externalId: key });
        expect(row.vendorExternalId).toBe(partners[i]![j]);
        const lines = await em().find(PurchaseOrderLineSchema, { purchaseOrderId: row.id });
        expect(lines.map((l) => [l.productExternalId, l.quantity])).toEqual([[products[i]![j], j + 1]]);
      }
    }
    for (const [a, b] of byName) {
      expect((await em().find(PurchaseOrderSchema, { name: a })).map((r) => [r.externalId, r.state])).toEqual([
        [a, 'draft'],
      ]);
      expect((await em().find(PurchaseOrderSchema, { name: b })).map((r) => [r.externalId, r.state])).toEqual([
        [b, 'purchase'],
      ]);
    }
  });

  it('keeps prices on pricelists whose keys differ only so apart, and serves each pricelist its own', async () => {
    const product = `PL-${run}`;
    const pricelists = PAIRS.flat().map((key) => `${key}-${run}`);
    const res = await push('products', {
      external_id: product,
      prices: pricelists.map((pricelist, i) => ({ pricelist_id: pricelist, price: i + 1 })),
    });
    expect(res.body).toMatchObject({ success: true, created: 1 });
    const items = await em().find(PricelistItemSchema, { productExternalId: product });
    expect(Object.fromEntries(items.map((i) => [i.pricelistId, i.price]))).toEqual(
      Object.fromEntries(pricelists.map((p, i) => [p, i + 1])),
    );
    for (const [i, pricelist] of pricelists.entries()) {
      const served = await fixture.service.request('GET', `/api/v1/pricelists/${encodeURIComponent(pricelist)}/items`, {
        token: fixture.webshop,
      });
      expect(
        served.body.items.map((item: { pricelist_id: string; price: number }) => [item.pricelist_id, item.price]),
      ).toEqual([[pricelist, i + 1]]);
    }

    // A later push of one pricelist's whole list for the product leaves the look-alike pricelists' prices alone.
    const again = await push('products', {
      external_id: product,
      prices: pricelists.map((pricelist, i) => ({ pricelist_id: pricelist, price: i === 0 ? 100 : i + 1 })),
    });
    expect(again.body).toMatchObject({ success: true });
    const after = await em().find(PricelistItemSchema, { productExternalId: product });
    expect(after.filter((i) => i.removedAt !== null)).toEqual([]);
    expect(after.find((i) => i.pricelistId === pricelists[0])?.price).toBe(100);
    expect(after.find((i) => i.pricelistId === pricelists[1])?.price).toBe(2);
  });

  it('creates purchase orders embedded in a product push whose keys differ only so, by external id and by name', async () => {
    const product = `EPO-${run}`;
    const names = PAIRS.flat().map((key) => `EPO name ${key}-${run}`);
    const ids = PAIRS.flat().map((key) => `EPO-${key}-${run}`);
    const res = await push('products', {
      external_id: product,
      purchase_orders: [
        ...names.map((name, i) => ({ name, lines: [{ product_external_id: product, quantity: i + 1 }] })),
        ...ids.map((externalId, i) => ({
          external_id: externalId,
          name: 'embedded',
          lines: [{ product_external_id: product, quantity: 10 + i }],
        })),
      ],
    });
    expect(res.body).toMatchObject({ success: true, created: 1 });
    const rows = await processed(
      'embedded purchase orders',
      () => em().find(PurchaseOrderSchema, { sourceProductExternalId: product }),
      12,
    );
    for (const [i, key] of [...names, ...ids].entries()) {
      const row = rows.find((r) => r.externalId === key);
      expect([key, row?.sourceProductExternalId]).toEqual([key, product]);
      const lines = await em().find(PurchaseOrderLineSchema, { purchaseOrderId: row!.id });
      expect(lines.map((l) => l.quantity)).toEqual([i < names.length ? i + 1 : 10 + i - names.length]);
    }
  });

  it('takes WS-case-1 and WS-CASE-1 as two webshop orders, each with its own lines, status and Odoo order', async () => {
    const { service, webshop, fake } = fixture;
    const partner = `WSP-${run}`;
    const [mug, cup] = [`WSMUG-${run}`, `WSCUP-${run}`];
    await seedPartner(service, fake, partner);
    await seedProducts(service, fake, [mug, cup]);
    const orders = [[`WS-case-1-${run}`, `WS-CASE-1-${run}`], ...keyed('WS-').slice(1)];

    for (const [a, b] of orders) {
      for (const [number, lines] of [
        [a, [mug]],
        [b, [cup, mug]],
      ] as const) {
        const posted = await postOrder(service, webshop, webshopOrder(number, partner, [...lines]));
        expect([posted.status, posted.body]).toEqual([
          202,
          {
            external_id: number,
            workflow_id: `sync:sale_order:${number}`,
            status_url: `/api/v1/queue/status/sale_order/${encodeURIComponent(number)}`,
            outcome: 'created',
          },
        ]);
      }
    }

    for (const [a, b] of orders) {
      const [statusA, statusB] = [
        await untilState(service, webshop, a, 'synced'),
        await untilState(service, webshop, b, 'synced'),
      ];
      expect(statusA).toMatchObject({ external_id: a, workflow_id: `sync:sale_order:${a}` });
      expect(statusB).toMatchObject({ external_id: b, workflow_id: `sync:sale_order:${b}` });
      expect(statusA.odoo_id).not.toBe(statusB.odoo_id);
      expect(odooOrders(fake, a).map((o) => o.id)).toEqual([statusA.odoo_id]);
      expect(odooOrders(fake, b).map((o) => o.id)).toEqual([statusB.odoo_id]);
      expect(fake.records('sale.order.line').filter((l) => l.order_id === statusA.odoo_id)).toHaveLength(1);
      expect(fake.records('sale.order.line').filter((l) => l.order_id === statusB.odoo_id)).toHaveLength(2);

      for (const [number, products] of [
        [a, [mug]],
        [b, [cup, mug]],
      ] as const) {
        const row = await em().findOneOrFail(SaleOrderSchema, { direction: 'outbound', externalId: number });
        const lines = await em().find(SaleOrderLineSchema, { saleOrderId: row.id }, { orderBy: { lineNo: 'asc' } });
        expect(lines.map((l) => l.productExternalId)).toEqual(products);
        expect(await queueStatus(service, webshop, number)).toMatchObject({ external_id: number, odoo_id: row.odooId });
      }
    }
  });
});
