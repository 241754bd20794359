import type { OdooClient } from '../../odoo/odoo-client';
import { OdooError } from '../../odoo/odoo-errors';
import {
  CreateOutcomePending,
  createSaleOrderOnce,
  saleOrderValues,
  type CreateMarker,
} from '../../sync/sync-back/odoo-sale-order';

/** Just enough of an Odoo client: `search` answers from a list, `create` runs the given behaviour. */
function odooStub(options: { found?: number[][]; create?: () => Promise<number> }) {
  const calls: string[] = [];
  const answers = [...(options.found ?? [])];
  const client = {
    search: async () => {
      calls.push('search');
      return answers.shift() ?? [];
    },
    create: async () => {
      calls.push('create');
      return (options.create ?? (async () => 41))();
    },
  } as unknown as OdooClient;
  return { client, calls };
}

function memoryMarker(startedAt: Date | null = null): CreateMarker & { writes: (Date | null)[] } {
  const writes: (Date | null)[] = [];
  const marker = {
    startedAt,
    writes,
    set: async (at: Date) => void writes.push(at),
    clear: async () => void writes.push(null),
  };
  return marker;
}

const NOW = new Date('2026-11-22T10:00:00Z');
const now = () => NOW;
const unknownOutcome = () => new OdooError('Odoo did not answer within 15000 ms', { kind: 'unknown_outcome' });

describe('createSaleOrderOnce', () => {
  it('takes the order Odoo already has, without creating', async () => {
    const { client, calls } = odooStub({ found: [[7]] });
    const marker = memoryMarker();
    await expect(createSaleOrderOnce(client, 'W-1', {}, marker, 60_000, now)).resolves.toEqual({
      odooId: 7,
      created: false,
    });
    expect(calls).toEqual(['search']);
    expect(marker.writes).toEqual([]);
  });

  it('notes the create before sending it', async () => {
    const { client, calls } = odooStub({});
    const marker = memoryMarker();
    await expect(createSaleOrderOnce(client, 'W-1', {}, marker, 60_000, now)).resolves.toEqual({
      odooId: 41,
      created: true,
    });
    expect(calls).toEqual(['search', 'create']);
    expect(marker.writes).toEqual([NOW]);
  });

  it('searches again at once after an unknown outcome and takes the order that landed', async () => {
    const { client, calls } = odooStub({ found: [[], [9]], create: () => Promise.reject(unknownOutcome()) });
    await expect(createSaleOrderOnce(client, 'W-1', {}, memoryMarker(), 60_000, now)).resolves.toEqual({
      odooId: 9,
      created: true,
    });
    expect(calls).toEqual(['search', 'create', 'search']);
  });

  it('keeps the note when an unknown outcome did not show up yet, so the next attempt waits', async () => {
    const { client } = odooStub({ create: () => Promise.reject(unknownOutcome()) });
    const marker = memoryMarker();
    await expect(createSaleOrderOnce(client, 'W-1', {}, marker, 60_000, now)).rejects.toMatchObject({
      kind: 'unknown_outcome',
    });
    expect(marker.writes).toEqual([NOW]);
  });

  it('clears the note when Odoo surely did not create (refused, or rejected)', async () => {
    for (const kind of ['transient', 'permanent'] as const) {
      const { client } = odooStub({ create: () => Promise.reject(new OdooError('no', { kind })) });
      const marker = memoryMarker();
      await expect(createSaleOrderOnce(client, 'W-1', {}, marker, 60_000, now)).rejects.toMatchObject({ kind });
      expect(marker.writes).toEqual([NOW, null]);
    }
  });

  it('does not create again while an unanswered create may still land, and does once it had time to', async () => {
    const recent = memoryMarker(new Date(NOW.getTime() - 20_000));
    const first = odooStub({});
    const err = await createSaleOrderOnce(first.client, 'W-1', {}, recent, 60_000, now).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CreateOutcomePending);
    expect((err as CreateOutcomePending).retryInMs).toBe(40_000);
    expect(first.calls).toEqual(['search']);

    const old = memoryMarker(new Date(NOW.getTime() - 61_000));
    const second = odooStub({});
    await expect(createSaleOrderOnce(second.client, 'W-1', {}, old, 60_000, now)).resolves.toMatchObject({
      created: true,
    });
    expect(second.calls).toEqual(['search', 'create']);
  });
});

describe('saleOrderValues', () => {
  it('maps lines onto order_line commands, leaving unset prices and discounts to Odoo', () => {
    const lines = [
      { id: 1, saleOrderId: 1, lineNo: 1, productExternalId: 'A', quantity: 2, priceUnit: 5, discount: 10 },
      { id: 2, saleOrderId: 1, lineNo: 2, productExternalId: 'B', quantity: 1, priceUnit: null, discount: null },
    ];
    expect(
      saleOrderValues(
        'W-1',
        3,
        lines,
        new Map([
          ['A', 11],
          ['B', 12],
        ]),
      ),
    ).toEqual({
      partner_id: 3,
      client_order_ref: 'W-1',
      order_line: [
        [0, 0, { product_id: 11, product_uom_qty: 2, price_unit: 5, discount: 10 }],
        [0, 0, { product_id: 12, product_uom_qty: 1 }],
      ],
    });
  });
});
