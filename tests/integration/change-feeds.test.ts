import type { EntityManager } from '@mikro-orm/knex';
import { PartnerSchema, type Partner } from '../../entities/partner';
import { useServiceFixture } from '../support/fixtures';
import type { TestService } from '../support/service-harness';

jest.setTimeout(120_000);

const SETTLE_MS = 400;

/** A processed partner as the workflow leaves it, written directly so the test controls change times. */
function partnerRow(externalId: string, changedAt: Date, extra: Partial<Partner> = {}) {
  return {
    externalId,
    odooId: null,
    data: { external_id: externalId, type: 'C' },
    previousData: null,
    changedFields: ['external_id', 'type'],
    unackedChangedFields: ['external_id', 'type'],
    processingState: 'processed',
    errorMessage: null,
    retryCount: 0,
    isNew: true,
    sourceWriteDate: null,
    changedAt,
    feedPending: true,
    acknowledgedAt: null,
    servedAt: null,
    stubCreatedAt: null,
    createdAt: changedAt,
    updatedAt: changedAt,
    type: 'C',
    parentExternalId: null,
    name: externalId,
    email: null,
    ...extra,
  } as Partner;
}

describe('change feeds', () => {
  let service: TestService;
  let webshop: string;
  let odoo: string;

  useServiceFixture({
    env: { FEED_SETTLE_WINDOW: `${SETTLE_MS}ms` },
    tokens: ['webshop', 'odoo'],
    ready: (f) => ({ service, webshop, odoo } = f),
  });

  const em = () => service.resources.orm.em.fork() as EntityManager;
  const get = (path: string) => service.request('GET', path, { token: webshop });
  const drainAll = async () => {
    const ids: number[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page: { body: { items: { id: number }[]; next_cursor: string | null } } = await get(
        `/api/v1/updated-partners?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      ids.push(...page.body.items.map((i) => i.id));
      cursor = page.body.next_cursor;
    }
    return ids;
  };
  const ackAll = async () => {
    const ids = await drainAll();
    await service.request('POST', '/api/v1/updated-partners/batch-delete', { token: webshop, body: { ids } });
  };

  it('never skips or repeats an item while changes commit out of order during paging', async () => {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    await ackAll();
    const written: number[] = [];
    let writing = true;
    // Each writer takes its change time, then holds its transaction open before committing: commit order
    // differs from change-time order, as with concurrent workers.
    const writer = async (w: number) => {
      for (let i = 0; writing; i++) {
        await em().transactional(async (tx) => {
          const row = tx.create(PartnerSchema, partnerRow(`PAGE-${w}-${i}`, new Date()));
          await tx.flush();
          await new Promise((r) => setTimeout(r, 20 + ((i * 37 + w * 11) % 120)));
          written.push(row.id);
        });
      }
    };
    const writers = [0, 1, 2].map(writer);
    const seen: number[] = [];
    let cursor: string | null = null;
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      const page: { body: { items: { id: number }[]; next_cursor: string | null } } = await get(
        `/api/v1/updated-partners?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((i) => i.id));
      // At the end of the feed, keep the last position and poll again, as a webshop does.
      if (page.body.next_cursor) cursor = page.body.next_cursor;
      else if (page.body.items.length) cursor = encodePosition(page.body.items[page.body.items.length - 1]!);
      await new Promise((r) => setTimeout(r, 15));
    }
    writing = false;
    await Promise.all(writers);
    await new Promise((r) => setTimeout(r, SETTLE_MS + 100));
    for (;;) {
      const page: { body: { items: { id: number }[]; next_cursor: string | null } } = await get(
        `/api/v1/updated-partners?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((i) => i.id));
      if (!page.body.items.length) break;
      cursor = page.body.next_cursor ?? encodePosition(page.body.items[page.body.items.length - 1]!);
    }
    expect(written.length).toBeGreaterThan(20);
    expect(seen.length).toBe(new Set(seen).size);
    expect([...seen].sort((a, b) => a - b)).toEqual([...written].sort((a, b) => a - b));
  });

  function encodePosition(item: { id: number }) {
    const updatedAt = (item as unknown as { updated_at: string }).updated_at;
    return Buffer.from(JSON.stringify([new Date(updatedAt).getTime(), item.id])).toString('base64url');
  }

  it('does not let an acknowledgement swallow a change made after the read', async () => {
    await ackAll();
    await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: { external_id: 'RACE-1', type: 'C', name: 'v1' },
    });
    const first = await waitForItem('RACE-1', 'v1');
    await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: { external_id: 'RACE-1', type: 'C', name: 'v2' },
    });
    await waitForState('RACE-1', (p) => p.name === 'v2' && p.processingState === 'processed');
    const ack = await service.request('DELETE', `/api/v1/updated-partners/${first.id}`, { token: webshop });
    expect(ack.body).toEqual({ acknowledged: [], not_found: [], changed_since_read: [first.id] });
    const again = await waitForItem('RACE-1', 'v2');
    expect(again).toMatchObject({ id: first.id, changed_fields: ['external_id', 'name', 'type'], is_new: true });
    const ack2 = await service.request('DELETE', `/api/v1/updated-partners/${first.id}`, { token: webshop });
    expect(ack2.body.acknowledged).toEqual([first.id]);
  });

  it('does not count as served a change that was still committing during the read', async () => {
    await ackAll();
    await em().transactional(async (tx) => {
      tx.create(PartnerSchema, partnerRow('LATE-1', new Date(Date.now() - 5_000)));
    });
    const readAt = Date.now();
    const item = (await drainAllItems()).find((i) => i.external_id === 'LATE-1')!;
    expect(item).toBeDefined();
    // A push whose transaction began just before the read and committed after it: its change time is older
    // than the read, but younger than the settle window, so the page above held the previous version.
    await em().nativeUpdate(
      PartnerSchema,
      { id: item.id },
      { name: 'late', changedAt: new Date(readAt - 50), unackedChangedFields: ['name'] },
    );
    const ack = await service.request('POST', '/api/v1/updated-partners/batch-delete', {
      token: webshop,
      body: { ids: [item.id] },
    });
    expect(ack.body).toEqual({ acknowledged: [], not_found: [], changed_since_read: [item.id] });

    // A single read serves exactly the version it returns, not one committed just after it.
    const before = Date.now();
    await em().nativeUpdate(PartnerSchema, { id: item.id }, { changedAt: new Date(before - SETTLE_MS) });
    const one = await get(`/api/v1/updated-partners/${item.id}`);
    await em().nativeUpdate(PartnerSchema, { id: item.id }, { name: 'later', changedAt: new Date(before - 1) });
    const ack2 = await service.request('DELETE', `/api/v1/updated-partners/${one.body.id}`, { token: webshop });
    expect(ack2.body.changed_since_read).toEqual([item.id]);
  });

  async function waitForItem(externalId: string, name: string) {
    for (let i = 0; i < 100; i++) {
      const items = await drainAllItems();
      const item = items.find((x) => x.external_id === externalId && x.data.name === name);
      if (item) return item;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${externalId} ${name} never served`);
  }
  async function drainAllItems() {
    const page = await get('/api/v1/updated-partners?limit=500');
    return page.body.items as { id: number; external_id: string; data: { name: string } }[];
  }
  async function waitForState(externalId: string, ok: (p: Partner) => boolean) {
    for (let i = 0; i < 100; i++) {
      const p = await em().findOne(PartnerSchema, { externalId });
      if (p && ok(p)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${externalId} never reached the state`);
  }

  it('hides records awaiting a dependency or failed, and serves stubs marked as such', async () => {
    const now = new Date(Date.now() - 5_000);
    const tx = em();
    for (const [externalId, state] of [
      ['HIDE-AWAIT', 'awaiting_dependency'],
      ['HIDE-FAIL', 'failed'],
      ['HIDE-PEND', 'pending'],
      ['SHOW-STUB', 'stub'],
    ] as const) {
      tx.create(PartnerSchema, partnerRow(externalId, now, { processingState: state }));
    }
    await tx.flush();
    const externalIds = (await drainAllItems()).map((i) => i.external_id);
    expect(externalIds).toContain('SHOW-STUB');
    expect(externalIds).not.toEqual(expect.arrayContaining(['HIDE-AWAIT']));
    expect(externalIds.filter((x) => x.startsWith('HIDE-'))).toEqual([]);
    const stub = (await get('/api/v1/updated-partners?limit=500')).body.items.find(
      (i: { external_id: string }) => i.external_id === 'SHOW-STUB',
    );
    expect(stub.processing_state).toBe('stub');
  });

  it('serves a three-level hierarchy from any member, and survives a parent cycle', async () => {
    const at = new Date(Date.now() - 5_000);
    const tx = em();
    tx.create(PartnerSchema, partnerRow('H-ROOT', at, { type: 'B' }));
    tx.create(PartnerSchema, partnerRow('H-MID', at, { parentExternalId: 'H-ROOT' }));
    tx.create(PartnerSchema, partnerRow('H-LEAF1', at, { parentExternalId: 'H-MID', type: 'D' }));
    tx.create(PartnerSchema, partnerRow('H-LEAF2', at, { parentExternalId: 'H-MID', type: 'D' }));
    tx.create(PartnerSchema, partnerRow('C-A', at, { parentExternalId: 'C-B' }));
    tx.create(PartnerSchema, partnerRow('C-B', at, { parentExternalId: 'C-A' }));
    await tx.flush();
    const leaf = await em().findOneOrFail(PartnerSchema, { externalId: 'H-LEAF2' });
    const res = await get(`/api/v1/updated-partners/${leaf.id}/hierarchy`);
    expect(res.status).toBe(200);
    expect(res.body.cycle).toBe(false);
    expect(res.body.root).toMatchObject({
      external_id: 'H-ROOT',
      children: [
        {
          external_id: 'H-MID',
          children: [
            { external_id: 'H-LEAF1', children: [] },
            { external_id: 'H-LEAF2', children: [] },
          ],
        },
      ],
    });

    const cyclic = await em().findOneOrFail(PartnerSchema, { externalId: 'C-A' });
    const loop = await get(`/api/v1/updated-partners/${cyclic.id}/hierarchy`);
    expect(loop.status).toBe(200);
    expect(loop.body.cycle).toBe(true);
    const names = JSON.stringify(loop.body.root).match(/"external_id":"C-[AB]"/g);
    expect(names).toHaveLength(2);

    expect((await get('/api/v1/updated-partners/999999/hierarchy')).status).toBe(404);
  });
});
