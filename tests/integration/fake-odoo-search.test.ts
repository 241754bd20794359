import {
  createOdooClient,
  type Domain,
  type OdooClient,
  type OdooClientOptions,
  type OdooRecord,
} from '../../odoo/odoo-client';
import { OdooError } from '../../odoo/odoo-errors';
import { startFakeOdoo, type FakeOdoo } from '../support/fake-odoo';

async function failure(promise: Promise<unknown>): Promise<OdooError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OdooError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

const at = (iso: string) => () => new Date(iso);
const ARCHIVED_TOO = { context: { active_test: false } };
const ODOO_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

interface Cursor {
  writeDate: string;
  id: number;
}

/** The pull's keyset: every record after `(writeDate, id)` in `(write_date, id)` order. */
const after = ({ writeDate, id }: Cursor): Domain => [
  '|',
  ['write_date', '>', writeDate],
  '&',
  ['write_date', '=', writeDate],
  ['id', '>', id],
];

describe.each(['jsonrpc', 'json2'] as const)('the fake Odoo’s search semantics over %s', (protocol) => {
  let fake: FakeOdoo;
  let clients: OdooClient[] = [];

  const connect = (options: OdooClientOptions = {}): OdooClient => {
    const config = { url: fake.url, db: fake.db, login: fake.login, apiKey: fake.apiKey, protocol };
    const client = createOdooClient(config, { breaker: { failureThreshold: 1000 }, ...options });
    clients.push(client);
    return client;
  };
  const count = (odoo: OdooClient, model: string, domain: Domain, kwargs: Record<string, unknown> = {}) =>
    odoo.call<number>(model, 'search_count', [domain], kwargs);

  /** Reads a model page by page as the pull does; returns the pages. */
  async function pages(odoo: OdooClient, model: string, limit: number, order = 'write_date asc, id asc') {
    const read: OdooRecord[][] = [];
    let cursor: Cursor | undefined;
    for (;;) {
      const page = await odoo.searchRead(model, cursor ? after(cursor) : [], ['write_date'], {
        limit,
        order,
        ...ARCHIVED_TOO,
      });
      if (page.length === 0) return read;
      read.push(page);
      const last = page[page.length - 1]!;
      cursor = { writeDate: String(last.write_date), id: last.id };
    }
  }

  beforeAll(async () => {
    fake = await startFakeOdoo();
  });
  afterEach(async () => {
    clients.forEach((c) => c.close());
    clients = [];
    await fake.reset();
  });
  afterAll(() => fake.close());

  it('stamps write_date and create_date with the transaction’s start, as Odoo text, whole seconds', async () => {
    const odoo = connect();
    fake.setClock(at('2026-03-01T10:00:00.250Z'));
    const ann = await odoo.create('res.partner', { name: 'Ann' });
    fake.setClock(at('2026-03-01T10:00:00.900Z'));
    const bob = await odoo.create('res.partner', { name: 'Bob' });
    const mug = await odoo.create('product.product', { name: 'Mug', list_price: 5 });

    // A clock that moves on every reading: one call is one transaction, read once.
    let tick = 0;
    fake.setClock(() => new Date(Date.parse('2026-03-01T11:00:00Z') + 1000 * tick++));
    const order = await odoo.create('sale.order', {
      partner_id: ann,
      order_line: [
        [0, 0, { product_id: mug }],
        [0, 0, { product_id: mug, product_uom_qty: 2 }],
      ],
    });

    const partners = await odoo.searchRead('res.partner', [['id', 'in', [ann, bob]]], ['write_date', 'create_date']);
    expect(partners).toEqual([
      { id: ann, write_date: '2026-03-01 10:00:00', create_date: '2026-03-01 10:00:00' },
      { id: bob, write_date: '2026-03-01 10:00:00', create_date: '2026-03-01 10:00:00' },
    ]);
    const stamps = [
      ...(await odoo.searchRead('sale.order', [], ['write_date', 'create_date', 'date_order'])),
      ...(await odoo.searchRead('sale.order.line', [['order_id', '=', order]], ['write_date', 'create_date'])),
    ];
    expect(stamps).toHaveLength(3);
    for (const row of stamps)
      expect(row).toMatchObject({ write_date: '2026-03-01 11:00:00', create_date: '2026-03-01 11:00:00' });
    expect(stamps[0]!.date_order).toMatch(ODOO_TEXT);

    fake.setClock(at('2026-03-02T08:30:15Z'));
    await odoo.write('res.partner', [ann], { email: 'ann@example.com' });
    const [edited] = await odoo.searchRead('res.partner', [['id', '=', ann]], ['write_date', 'create_date']);
    expect(edited).toEqual({ id: ann, write_date: '2026-03-02 08:30:15', create_date: '2026-03-01 10:00:00' });
    expect(fake.now()).toBe('2026-03-02 08:30:15');
  });

  it('pages by (write_date, id) through runs of equal write_dates, each record exactly once', async () => {
    const odoo = connect();
    // Ids and write_dates disagree on purpose: later ids get earlier seconds.
    const seconds = ['2026-03-01 10:00:02', '2026-03-01 10:00:00', '2026-03-01 10:00:01'];
    const seeded: number[] = [];
    for (let i = 0; i < 23; i++) {
      seeded.push(fake.seed('res.partner', { name: `P${i}`, active: i % 7 !== 3, write_date: seconds[i % 3]! }));
    }

    for (const order of ['write_date asc, id asc', 'write_date, id', 'write_date ASC , id']) {
      const read = await pages(odoo, 'res.partner', 4, order);
      const times = new Map<number, number>();
      for (const row of read.flat()) times.set(row.id, (times.get(row.id) ?? 0) + 1);
      expect(read.flat()).toHaveLength(23);
      expect([...times.keys()].sort((a, b) => a - b)).toEqual(seeded);
      expect([...times.values()].every((n) => n === 1)).toBe(true);
      expect(read.slice(0, -1).every((page) => page.length === 4)).toBe(true);
      const keys = read.flat().map((r) => [String(r.write_date), r.id] as const);
      keys.slice(1).forEach(([w, id], i) => {
        const [pw, pid] = keys[i]!;
        expect(w > pw || (w === pw && id > pid)).toBe(true);
      });
    }
    await expect(count(odoo, 'res.partner', [], ARCHIVED_TOO)).resolves.toBe(23);
    await expect(count(odoo, 'res.partner', [])).resolves.toBe(20);
    await expect(
      count(odoo, 'res.partner', after({ writeDate: '2026-03-01 10:00:01', id: 0 }), ARCHIVED_TOO),
    ).resolves.toBe(15);

    const newest = await odoo.searchRead('res.partner', [], ['write_date'], {
      order: 'write_date desc, id desc',
      limit: 1,
      ...ARCHIVED_TOO,
    });
    expect(newest).toEqual([{ id: 22, write_date: '2026-03-01 10:00:02' }]);
  });

  it('keeps at 10,000 records with a few write_dates every record once, page after page', async () => {
    const odoo = connect();
    for (let i = 0; i < 10_000; i++) {
      fake.seed('product.product', { name: `P${i}`, write_date: `2026-03-01 10:00:0${(i * 7) % 5}` });
    }
    const read = await pages(odoo, 'product.product', 500);
    const times = new Map<number, number>();
    for (const row of read.flat()) times.set(row.id, (times.get(row.id) ?? 0) + 1);
    expect(read).toHaveLength(20);
    expect(times.size).toBe(10_000);
    expect([...times.values()].every((n) => n === 1)).toBe(true);
  });

  it('hides archived records unless the domain names active or the context sets active_test false', async () => {
    const odoo = connect();
    const live = fake.seed('res.partner', { name: 'Live' });
    const gone = fake.seed('res.partner', { name: 'Gone', active: false });
    const ids = (rows: OdooRecord[]) => rows.map((r) => r.id).sort((a, b) => a - b);

    expect(ids(await odoo.searchRead('res.partner', [], ['name']))).toEqual([live]);
    expect(ids(await odoo.searchRead('res.partner', [], ['name'], ARCHIVED_TOO))).toEqual([live, gone]);
    expect(ids(await odoo.searchRead('res.partner', [['active', '=', false]], ['name']))).toEqual([gone]);
    const either: Domain = ['|', ['active', '=', true], ['active', '=', false]];
    expect(ids(await odoo.searchRead('res.partner', either, ['name']))).toEqual([live, gone]);
    await expect(odoo.search('res.partner', [['name', 'in', ['Live', 'Gone']]])).resolves.toEqual([live]);
    await expect(odoo.search('res.partner', [], { ...ARCHIVED_TOO, order: 'id' })).resolves.toEqual([live, gone]);
    await expect(count(odoo, 'res.partner', [])).resolves.toBe(1);
    await expect(count(odoo, 'res.partner', [], ARCHIVED_TOO)).resolves.toBe(2);
    await expect(odoo.searchRead('res.partner', [['id', '=', gone]], ['active'])).resolves.toEqual([]);
    // Any falsy active_test counts, as in Python.
    await expect(count(odoo, 'res.partner', [], { context: { active_test: 0 } })).resolves.toBe(2);

    // A many2one still reads an archived record; a pricelist item has no active field at all.
    const currencies = await odoo.searchRead('res.currency', [], ['name'], { order: 'name', ...ARCHIVED_TOO });
    expect(currencies.map((c) => c.name)).toEqual(['EUR', 'GBP', 'USD']);
    const err = await failure(odoo.searchRead('product.pricelist.item', [['active', '=', true]], ['id']));
    expect(err).toMatchObject({ kind: 'permanent', odooName: 'builtins.ValueError' });
    expect(err.message).toBe("Invalid field product.pricelist.item.active in condition ('active', '=', True)");
  });

  it('evaluates nested |, & and ! as Odoo does, false and dates included', async () => {
    const odoo = connect();
    const seed = (name: string, values: Record<string, unknown>, writeDate: string) =>
      fake.seed('product.product', { name, ...values, write_date: writeDate });
    const a = seed('A', { default_code: 'A', list_price: 10, sale_ok: true }, '2026-03-01 09:00:00');
    const b = seed('B', { default_code: 'B', list_price: 3, sale_ok: true, barcode: '123' }, '2026-03-01 23:59:59');
    const c = seed('C', { list_price: 7, sale_ok: false }, '2026-03-02 00:00:00');
    const d = seed('D', { default_code: 'D', list_price: 12, sale_ok: false }, '2026-03-02 12:00:00');
    const find = (domain: Domain) => odoo.search('product.product', domain, { order: 'id' });

    // (price > 5 and sale_ok) or not (code in [A, B])
    await expect(
      find(['|', '&', ['list_price', '>', 5], ['sale_ok', '=', true], '!', ['default_code', 'in', ['A', 'B']]]),
    ).resolves.toEqual([a, c, d]);
    // Top-level terms are AND-ed around an OR.
    await expect(
      find([['list_price', '<', 11], '|', ['sale_ok', '=', false], ['barcode', '!=', false]]),
    ).resolves.toEqual([b, c]);
    await expect(find(['!', '|', ['default_code', '=', 'A'], ['default_code', '=', false]])).resolves.toEqual([b, d]);
    await expect(find([['barcode', '=', false]])).resolves.toEqual([a, c, d]);
    await expect(find([['default_code', 'in', ['D', false]]])).resolves.toEqual([c, d]);
    await expect(find([['id', 'in', []]])).resolves.toEqual([]);
    await expect(find([['id', 'not in', [a, b]]])).resolves.toEqual([c, d]);
    // Comparing a datetime to False matches nothing.
    await expect(find([['write_date', '>', false]])).resolves.toEqual([]);
    // A date alone: '>' means from the next day on, '<=' up to its end, '=' its midnight.
    await expect(find([['write_date', '>', '2026-03-01']])).resolves.toEqual([c, d]);
    await expect(find([['write_date', '<=', '2026-03-01']])).resolves.toEqual([a, b]);
    await expect(find([['write_date', '=', '2026-03-02']])).resolves.toEqual([c]);
    await expect(find([['write_date', '>=', '2026-03-02T02:00:00+02:00']])).resolves.toEqual([c, d]);
    await expect(find([['default_code', '=?', false]])).resolves.toEqual([a, b, c, d]);
    await expect(
      find([
        ['name', 'ilike', 'b'],
        ['list_price', '>=', 3],
      ]),
    ).resolves.toEqual([b]);

    const err = await failure(find([['write_date', '>', 'yesterday']]));
    expect(err).toMatchObject({ odooName: 'builtins.ValueError', message: "Invalid isoformat string: 'yesterday'" });
    const malformed = await failure(find(['|', ['name', '=', 'A']]));
    expect(malformed.message).toMatch(/^Domain\(\) malformed domain/);
  });

  it('counts with and without a limit', async () => {
    const odoo = connect();
    for (let i = 0; i < 7; i++) fake.seed('res.partner', { name: `Buyer ${i}`, customer_rank: 1 });
    fake.seed('res.partner', { name: 'Seller' });
    const buyers: Domain = [['customer_rank', '>', 0]];
    await expect(count(odoo, 'res.partner', buyers)).resolves.toBe(7);
    await expect(count(odoo, 'res.partner', buyers, { limit: 3 })).resolves.toBe(3);
    await expect(count(odoo, 'res.partner', buyers, { limit: 100 })).resolves.toBe(7);
    await expect(count(odoo, 'res.partner', [])).resolves.toBe(8);
  });

  it('reads many2one as [id, display_name], one2many as ids, unset as false or 0, only the fields asked', async () => {
    const odoo = connect();
    const belgium = (await odoo.searchRead('res.country', [['code', '=', 'BE']], ['name']))[0]!;
    const acme = fake.seed('res.partner', { name: 'Acme', is_company: true, country_id: belgium.id });
    const ann = fake.seed('res.partner', { name: 'Ann', parent_id: acme, type: 'invoice', email: 'ann@acme.test' });
    const mug = fake.seed('product.product', { name: 'Mug', default_code: 'MUG', list_price: 7.5 });
    const order = fake.seed('sale.order', {
      partner_id: ann,
      order_line: [
        [0, 0, { product_id: mug, product_uom_qty: 2, discount: 10 }],
        [0, 0, { product_id: mug }],
      ],
    });
    const lines = fake.records('sale.order.line').map((l) => l.id);

    await expect(
      odoo.searchRead(
        'res.partner',
        [['id', '=', ann]],
        ['name', 'parent_id', 'country_id', 'child_ids', 'vat', 'display_name'],
      ),
    ).resolves.toEqual([
      {
        id: ann,
        name: 'Ann',
        parent_id: [acme, 'Acme'],
        country_id: false,
        child_ids: [],
        vat: false,
        display_name: 'Acme, Ann',
      },
    ]);
    await expect(odoo.searchRead('res.partner', [['id', '=', acme]], ['country_id', 'child_ids'])).resolves.toEqual([
      { id: acme, country_id: [belgium.id, 'Belgium'], child_ids: [ann] },
    ]);
    await expect(
      odoo.searchRead(
        'sale.order',
        [['id', '=', order]],
        ['partner_id', 'currency_id', 'order_line', 'amount_total', 'state'],
      ),
    ).resolves.toEqual([
      {
        id: order,
        partner_id: [ann, 'Acme, Ann'],
        currency_id: [1, 'EUR'],
        order_line: lines,
        amount_total: 21,
        state: 'draft',
      },
    ]);
    await expect(
      odoo.searchRead('sale.order.line', [['order_id', '=', order]], ['product_id', 'discount', 'price_subtotal'], {
        order: 'id',
      }),
    ).resolves.toEqual([
      { id: lines[0], product_id: [mug, '[MUG] Mug'], discount: 10, price_subtotal: 13.5 },
      { id: lines[1], product_id: [mug, '[MUG] Mug'], discount: 0, price_subtotal: 7.5 },
    ]);
    const po = fake.seed('purchase.order', {
      partner_id: acme,
      order_line: [[0, 0, { product_id: mug, product_qty: 4, price_unit: 2 }]],
    });
    const [purchase] = await odoo.searchRead('purchase.order', [['id', '=', po]], ['user_id', 'state', 'order_line']);
    expect(purchase).toEqual({ id: po, user_id: [2, 'Sync Bot'], state: 'draft', order_line: [expect.any(Number)] });
    const pricelistId = fake.seed('product.pricelist', { name: 'Retail' });
    const item = fake.seed('product.pricelist.item', {
      pricelist_id: pricelistId,
      product_id: mug,
      applied_on: '0_product_variant',
      fixed_price: 6,
      date_end: '2026-12-31 23:59:59',
    });
    await expect(
      odoo.searchRead(
        'product.pricelist.item',
        [['id', '=', item]],
        ['pricelist_id', 'product_id', 'date_start', 'date_end', 'min_quantity'],
      ),
    ).resolves.toEqual([
      {
        id: item,
        pricelist_id: [pricelistId, 'Retail (EUR)'],
        product_id: [mug, '[MUG] Mug'],
        date_start: false,
        date_end: '2026-12-31 23:59:59',
        min_quantity: 0,
      },
    ]);
  });

  it('answers an unknown field or order with Odoo’s ValueError', async () => {
    const odoo = connect();
    fake.seed('res.partner', { name: 'Ann' });
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => odoo.searchRead('res.partner', [], ['name', 'nope']), "Invalid field 'nope' on model 'res.partner'"],
      [
        () => odoo.searchRead('res.partner', [['name', '=', 'nobody']], ['nope']),
        "Invalid field 'nope' on model 'res.partner'",
      ],
      [
        () => odoo.searchRead('res.partner', [], ['name'], { order: 'nope desc' }),
        "Invalid field 'nope' on model 'res.partner'",
      ],
      [
        () => odoo.search('res.partner', [], { order: 'write_date ascending' }),
        "Invalid field 'write_date ascending' on model 'res.partner'",
      ],
      [
        () => odoo.search('res.partner', [['nope', '=', 1]]),
        "Invalid field res.partner.nope in condition ('nope', '=', 1)",
      ],
      [
        () => odoo.search('res.partner', [['name', 'between', 1]]),
        "Invalid operator in condition ('name', 'between', 1)",
      ],
      [() => odoo.create('res.partner', { name: 'Bob', nope: 1 }), "Invalid field 'nope' in 'res.partner'"],
      [() => odoo.create('res.partner', { name: 'Bob', type: 'boss' }), "Wrong value for res.partner.type: 'boss'"],
    ];
    for (const [call, message] of cases) {
      const err = await failure(call());
      expect(err).toMatchObject({ kind: 'permanent', odooName: 'builtins.ValueError', message });
    }
    expect(fake.records('res.partner')).toHaveLength(1);
  });

  it('shows a late commit with its old write_date, behind a cursor already past it', async () => {
    const odoo = connect();
    fake.setClock(at('2026-03-01T10:00:00Z'));
    const old = fake.seed('res.partner', { name: 'Old', write_date: '2026-03-01 09:00:00' });
    for (const name of ['A', 'B', 'C']) fake.seed('res.partner', { name });
    const first = (await pages(odoo, 'res.partner', 10)).flat();
    const cursor = { writeDate: String(first.at(-1)!.write_date), id: first.at(-1)!.id };
    expect(cursor.writeDate).toBe('2026-03-01 10:00:00');

    // A transaction that began at 09:58 commits at 10:05: a new record, and a write to an older one.
    fake.setClock(at('2026-03-01T10:05:00Z'));
    const late = fake.commitLate('res.partner', { name: 'Late' }, '2026-03-01 09:58:00');
    expect(
      fake.commitLate('res.partner', { id: old, values: { email: 'old@example.com' } }, '2026-03-01 09:58:00'),
    ).toBe(old);

    await expect(odoo.searchRead('res.partner', after(cursor), ['name'])).resolves.toEqual([]);
    const lookback = await odoo.searchRead(
      'res.partner',
      after({ writeDate: '2026-03-01 09:55:00', id: 0 }),
      ['name', 'write_date', 'create_date'],
      {
        order: 'write_date asc, id asc',
      },
    );
    expect(lookback.slice(0, 2)).toEqual([
      { id: old, name: 'Old', write_date: '2026-03-01 09:58:00', create_date: '2026-03-01 09:00:00' },
      { id: late, name: 'Late', write_date: '2026-03-01 09:58:00', create_date: '2026-03-01 09:58:00' },
    ]);
    expect(lookback).toHaveLength(5);

    // An edit made now moves a record after the cursor.
    fake.update('res.partner', first[0]!.id, { name: 'Renamed' });
    await expect(odoo.searchRead('res.partner', after(cursor), ['name', 'write_date'])).resolves.toEqual([
      { id: first[0]!.id, name: 'Renamed', write_date: '2026-03-01 10:05:00' },
    ]);
  });

  it('moves an order’s write_date when its lines are written through it, or change its total', async () => {
    const odoo = connect();
    const stamp = async (model: string, id: number) =>
      (await odoo.searchRead(model, [['id', '=', id]], ['write_date']))[0]!.write_date;
    fake.setClock(at('2026-03-01T10:00:00Z'));
    const partner = fake.seed('res.partner', { name: 'Ann' });
    const mug = fake.seed('product.product', { name: 'Mug', list_price: 5 });
    const order = await odoo.create('sale.order', { partner_id: partner, order_line: [[0, 0, { product_id: mug }]] });
    const [line] = fake.records('sale.order.line').map((l) => l.id);

    fake.setClock(at('2026-03-01T11:00:00Z'));
    await odoo.write('sale.order', [order], { order_line: [[1, line, { product_uom_qty: 3 }]] });
    expect(await stamp('sale.order', order)).toBe('2026-03-01 11:00:00');
    expect(await stamp('sale.order.line', line!)).toBe('2026-03-01 11:00:00');
    await expect(odoo.searchRead('sale.order', [['id', '=', order]], ['amount_total'])).resolves.toEqual([
      { id: order, amount_total: 15 },
    ]);

    // Written on its own, a line moves the order only when the order's stored total changes.
    fake.setClock(at('2026-03-01T12:00:00Z'));
    await odoo.write('sale.order.line', [line!], { name: 'Big mug' });
    expect(await stamp('sale.order', order)).toBe('2026-03-01 11:00:00');
    fake.setClock(at('2026-03-01T13:00:00Z'));
    await odoo.write('sale.order.line', [line!], { price_unit: 4 });
    expect(await stamp('sale.order', order)).toBe('2026-03-01 13:00:00');

    fake.setClock(at('2026-03-01T14:00:00Z'));
    const po = await odoo.create('purchase.order', { partner_id: partner });
    fake.setClock(at('2026-03-01T15:00:00Z'));
    await odoo.write('purchase.order', [po], {
      order_line: [[0, 0, { product_id: mug, product_qty: 2, price_unit: 1 }]],
    });
    expect(await stamp('purchase.order', po)).toBe('2026-03-01 15:00:00');
  });

  it('applies the failure switches to search_read and counts calls per method', async () => {
    const odoo = connect({ timeoutMs: 300 });
    fake.seed('res.partner', { name: 'Ann' });
    const read = () => odoo.searchRead('res.partner', [], ['name']);

    fake.failNext(2, 503, { method: 'search_read' });
    await expect(odoo.search('res.partner', [])).resolves.toHaveLength(1);
    for (let i = 0; i < 2; i++) expect(await failure(read())).toMatchObject({ kind: 'transient', status: 503 });
    await expect(read()).resolves.toHaveLength(1);
    expect(fake.callCount({ method: 'search_read' })).toBe(3);
    expect(fake.callCount({ method: 'search_read', outcome: 'http_error' })).toBe(2);
    expect(fake.callCount({ model: 'res.partner', method: 'search' })).toBe(1);

    fake.failWith('odoo.exceptions.AccessError', 'You are not allowed to access Contact records.', {
      method: 'search_read',
    });
    expect(await failure(read())).toMatchObject({ kind: 'permanent', odooName: 'odoo.exceptions.AccessError' });

    fake.hang(600, { method: 'search_read', times: 1 });
    expect((await failure(read())).kind).toBe('unknown_outcome');
    fake.dropResponseAfterCommit(1, { method: 'search_read' });
    expect((await failure(read())).kind).toBe('unknown_outcome');

    // Odoo goes down after two more reads, other calls keep working until the switches are cleared.
    fake.failAfter(2, 502, Infinity, { model: 'res.partner', method: 'search_read' });
    await expect(read()).resolves.toHaveLength(1);
    await expect(read()).resolves.toHaveLength(1);
    for (let i = 0; i < 3; i++) expect(await failure(read())).toMatchObject({ kind: 'transient', status: 502 });
    await expect(count(odoo, 'res.partner', [])).resolves.toBe(1);
    fake.clearSwitches();
    await expect(read()).resolves.toHaveLength(1);

    fake.refuseConnectionsAfter(1, { method: 'search_read' });
    await expect(read()).resolves.toHaveLength(1);
    const refused = await failure(read());
    expect((refused.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await fake.acceptConnections();
    await expect(read()).resolves.toHaveLength(1);
  });
});
