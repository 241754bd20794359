import { setTimeout as sleep } from 'node:timers/promises';
import type { BreakerState } from '../../odoo/circuit-breaker';
import { createOdooClient, type OdooClient, type OdooClientOptions, type OdooConfig } from '../../odoo/odoo-client';
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

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe.each(['jsonrpc', 'json2'] as const)('Odoo client over %s', (protocol) => {
  let fake: FakeOdoo;
  let clients: OdooClient[] = [];

  const connect = (options: OdooClientOptions = {}, overrides: Partial<OdooConfig> = {}): OdooClient => {
    const config: OdooConfig = {
      url: fake.url,
      db: fake.db,
      login: fake.login,
      apiKey: fake.apiKey,
      protocol,
      ...overrides,
    };
    const client = createOdooClient(config, options);
    clients.push(client);
    return client;
  };
  const modelCalls = () => fake.requests.filter((r) => r.model !== undefined);

  beforeAll(async () => {
    fake = await startFakeOdoo();
  });
  afterEach(async () => {
    clients.forEach((c) => c.close());
    clients = [];
    await fake.reset();
  });
  afterAll(() => fake.close());

  it('creates a sale order with lines and reads it back', async () => {
    const odoo = connect();
    const partnerId = await odoo.create('res.partner', { name: 'Ann Smith', email: 'ann@example.com' });
    await odoo.create('res.partner', { name: 'Bob', email: 'bob@example.com' });
    const mugId = await odoo.create('product.product', { name: 'Mug', default_code: 'MUG', list_price: 7.5 });
    const orderId = await odoo.create('sale.order', {
      partner_id: partnerId,
      client_order_ref: 'WEB-1001',
      order_line: [
        [0, 0, { product_id: mugId, product_uom_qty: 2 }],
        [0, 0, { product_id: mugId, product_uom_qty: 1, price_unit: 5 }],
      ],
    });
    await expect(odoo.call('sale.order', 'action_confirm', [[orderId]])).resolves.toBe(true);

    const orders = await odoo.searchRead(
      'sale.order',
      [
        ['client_order_ref', '=', 'WEB-1001'],
        ['state', 'in', ['sale', 'done']],
      ],
      ['name', 'partner_id', 'state', 'amount_total', 'order_line'],
    );
    expect(orders).toEqual([
      {
        id: orderId,
        name: expect.stringMatching(/^S\d+$/),
        partner_id: [partnerId, 'Ann Smith'],
        state: 'sale',
        amount_total: 20,
        order_line: [expect.any(Number), expect.any(Number)],
      },
    ]);
    await expect(
      odoo.search('res.partner', [['email', 'in', ['ann@example.com', 'nobody@example.com']]]),
    ).resolves.toEqual([partnerId]);

    await expect(odoo.write('res.partner', [partnerId], { phone: '+32 9 123 45 67' })).resolves.toBe(true);
    const [partner] = await odoo.searchRead('res.partner', [['id', '=', partnerId]], ['phone']);
    expect(partner).toEqual({ id: partnerId, phone: '+32 9 123 45 67' });

    expect(fake.records('sale.order.line')).toHaveLength(2);
    expect(modelCalls().every((r) => r.protocol === protocol && r.outcome === 'ok')).toBe(true);
  });

  it('reports a ValidationError as permanent with Odoo’s message', async () => {
    const odoo = connect();
    fake.failWith('odoo.exceptions.ValidationError', 'The VAT number BE0000 is not valid.', { model: 'res.partner' });

    const err = await failure(odoo.create('res.partner', { name: 'Ann', vat: 'BE0000' }));
    expect(err).toMatchObject({
      kind: 'permanent',
      odooName: 'odoo.exceptions.ValidationError',
      message: 'The VAT number BE0000 is not valid.',
    });
    expect(fake.records('res.partner')).toEqual([]);
  });

  it('rolls back a create that Odoo rejects, order lines included', async () => {
    const odoo = connect();
    const partnerId = await odoo.create('res.partner', { name: 'Ann' });

    const err = await failure(
      odoo.create('sale.order', { partner_id: partnerId, order_line: [[0, 0, { product_uom_qty: 1 }]] }),
    );
    expect(err).toMatchObject({ kind: 'permanent', odooName: 'odoo.exceptions.ValidationError' });
    expect(err.message).toContain('mandatory field');
    expect(fake.records('sale.order')).toEqual([]);
    expect(fake.records('sale.order.line')).toEqual([]);
  });

  it.each([500, 502] as const)('reports HTTP %i as transient without running the call', async (status) => {
    const odoo = connect();
    fake.failNext(1, status);

    const err = await failure(odoo.create('res.partner', { name: 'Ann' }));
    expect(err).toMatchObject({ kind: 'transient', status });
    expect(fake.records('res.partner')).toEqual([]);
    await expect(odoo.create('res.partner', { name: 'Ann' })).resolves.toEqual(expect.any(Number));
  });

  it('reports a call that outlives the timeout as unknown_outcome, though Odoo may still commit it', async () => {
    const odoo = connect({ timeoutMs: 150 });
    fake.hang(500, { method: 'create', times: 1 });

    const err = await failure(odoo.create('res.partner', { name: 'Slow Ann' }));
    expect(err.kind).toBe('unknown_outcome');
    expect(err.message).toMatch(/within 150 ms/);
    await eventually(() => fake.records('res.partner').length === 1);
    expect(modelCalls().at(-1)).toMatchObject({ method: 'create', outcome: 'client_gone' });
  });

  it('reports a response lost after commit as unknown_outcome; the record exists', async () => {
    const odoo = connect();
    fake.dropResponseAfterCommit(1, { method: 'create' });

    const err = await failure(odoo.create('res.partner', { name: 'Ann', ref: 'WEB-C-7' }));
    expect(err.kind).toBe('unknown_outcome');
    expect(fake.records('res.partner')).toEqual([expect.objectContaining({ name: 'Ann', ref: 'WEB-C-7' })]);
    // The caller's way out: search before creating again.
    await expect(odoo.search('res.partner', [['ref', '=', 'WEB-C-7']])).resolves.toHaveLength(1);
  });

  it('reports a refused connection as transient', async () => {
    await fake.refuseConnections();
    const odoo = connect();

    const err = await failure(odoo.search('res.partner', []));
    expect(err.kind).toBe('transient');
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('reports bad credentials as permanent', async () => {
    const odoo = connect({}, { apiKey: 'not-the-key' });

    const err = await failure(odoo.search('res.partner', []));
    expect(err.kind).toBe('permanent');
    if (protocol === 'jsonrpc') {
      expect(err.odooName).toBe('odoo.exceptions.AccessDenied');
      expect(modelCalls()).toEqual([]);
    } else {
      expect(err.status).toBe(401);
    }
  });

  it('opens the breaker after repeated failures, keeps calls away from Odoo, and closes after recovery', async () => {
    const states: BreakerState[] = [];
    const odoo = connect({ breaker: { failureThreshold: 3, openMs: 300, onStateChange: (to) => states.push(to) } });
    fake.failNext(3, 502);

    for (let i = 0; i < 3; i++) expect((await failure(odoo.search('res.partner', []))).kind).toBe('transient');
    expect(odoo.breakerState).toBe('open');
    const reached = modelCalls().length;
    expect(reached).toBe(3);

    for (let i = 0; i < 5; i++) {
      const err = await failure(odoo.create('res.partner', { name: `Blocked ${i}` }));
      expect(err).toMatchObject({ kind: 'transient', message: expect.stringMatching(/circuit open/) });
    }
    expect(modelCalls()).toHaveLength(reached);

    await sleep(350);
    expect(odoo.breakerState).toBe('half_open');
    await expect(odoo.search('res.partner', [])).resolves.toEqual([]);
    expect(odoo.breakerState).toBe('closed');
    expect(modelCalls()).toHaveLength(reached + 1);
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it.each([2, 5])('keeps at most %i calls in flight', async (maxConcurrent) => {
    const odoo = connect({ maxConcurrent });
    await odoo.search('res.partner', []);
    await fake.reset();
    fake.hang(80);

    const results = await Promise.all(Array.from({ length: 12 }, () => odoo.search('res.partner', [])));
    expect(results).toHaveLength(12);
    expect(modelCalls()).toHaveLength(12);
    expect(fake.maxInFlight).toBe(maxConcurrent);
  });
});
