import { randomBytes } from 'node:crypto';
import { PartnerSchema } from '../../entities/partner';
import { SEARCH_ATTRIBUTES, retrySignal } from '../../workflows/contract';
import { useServiceFixture } from '../support/fixtures';
import { insertLegacyRows } from '../support/legacy-rows';
import { eventually, type TestService } from '../support/service-harness';

jest.setTimeout(180_000);

const run = randomBytes(3).toString('hex');
const id = (name: string) => `${name}-${run}`;

describe('partners waiting for their parent', () => {
  let service: TestService;
  let odoo: string;

  useServiceFixture({
    env: {
      DEPENDENCY_GRACE_PERIOD: '1s',
      LEGACY_LOOKUP_ATTEMPTS: '2',
      LEGACY_LOOKUP_MAX_INTERVAL: '2s',
      STUB_STALE_AFTER: '2s',
    },
    tokens: ['odoo'],
    ready: (f) => ({ service, odoo } = f),
  });

  const push = (partners: object[]) => service.request('POST', '/api/v1/partners', { token: odoo, body: { partners } });
  const row = (externalId: string) => service.resources.orm.em.fork().findOne(PartnerSchema, { externalId });
  const stateOf = async (externalId: string) => (await row(externalId))?.processingState;
  const until = (externalId: string, state: string, timeoutMs = 30_000) =>
    eventually(
      async () => ((await stateOf(externalId)) === state ? true : undefined),
      timeoutMs,
      `${externalId} ${state}`,
    );
  const attributes = async (externalId: string) =>
    (await service.resources.temporal.client.workflow.getHandle(`partner:${externalId}`).describe())
      .typedSearchAttributes;

  it('keeps a child awaiting its parent, visible by search attributes, and wakes it when the parent arrives', async () => {
    const child = id('CHILD');
    const parent = id('PARENT');
    await push([{ external_id: child, type: 'D', parent_external_id: parent }]);
    await until(child, 'awaiting_dependency');
    await eventually(async () =>
      (await attributes(child)).get(SEARCH_ATTRIBUTES.ProcessingState) === 'awaiting_dependency' ? true : undefined,
    );
    expect((await attributes(child)).get(SEARCH_ATTRIBUTES.AwaitingOn)).toEqual([`partner:${parent}`]);

    const pushedAt = Date.now();
    await push([{ external_id: parent, type: 'B', name: 'Parent' }]);
    await until(child, 'processed', 5_000);
    expect(Date.now() - pushedAt).toBeLessThan(3_000);
    expect(await stateOf(parent)).toBe('processed');
  });

  it('wakes every waiting child of a parent, and a three-level tree pushed leaves first', async () => {
    const root = id('ROOT');
    const mid = id('MID');
    const leaves = [id('LEAF1'), id('LEAF2')];
    await push(leaves.map((leaf) => ({ external_id: leaf, type: 'D', parent_external_id: mid })));
    await push([{ external_id: mid, type: 'C', parent_external_id: root }]);
    for (const leaf of leaves) await until(leaf, 'awaiting_dependency');
    await until(mid, 'awaiting_dependency');
    await push([{ external_id: root, type: 'B' }]);
    for (const externalId of [root, mid, ...leaves]) await until(externalId, 'processed', 10_000);
  });

  it('stubs a parent from the legacy database after the grace period, then upgrades the stub in place', async () => {
    const parent = id('LEGACY');
    const child = id('LEGACYCHILD');
    await insertLegacyRows('partner', [
      { external_id: parent, odoo_id: 4711, json_data: JSON.stringify({ type: 'B', name: 'Old' }) },
    ]);
    await push([{ external_id: child, type: 'C', parent_external_id: parent }]);
    await until(child, 'processed');
    const stub = await row(parent);
    expect(stub).toMatchObject({ processingState: 'stub', odooId: 4711, type: 'B' });
    expect(stub!.data).toEqual({ external_id: parent, odoo_id: 4711, type: 'B' });
    await eventually(async () =>
      (await attributes(parent)).get(SEARCH_ATTRIBUTES.IsStub) === true ? true : undefined,
    );

    const feed = await service.request('GET', '/api/v1/updated-partners?limit=500', {
      token: await service.token(['webshop']),
    });
    expect(feed.body.items.find((i: { external_id: string }) => i.external_id === parent)).toMatchObject({
      processing_state: 'stub',
    });

    const upgrade = await push([{ external_id: parent, odoo_id: 4711, type: 'B', name: 'Full record' }]);
    expect(upgrade.body).toMatchObject({ created: 0, updated: 1 });
    await until(parent, 'processed');
    const upgraded = await row(parent);
    expect(upgraded!.id).toBe(stub!.id);
    expect(upgraded!.name).toBe('Full record');
    expect(await service.resources.orm.em.fork().count(PartnerSchema, { externalId: parent })).toBe(1);
    const histogram = await service.resources.metrics.stubUpgradeAge.get();
    expect(histogram.values.some((v) => v.metricName === 'stub_upgrade_age_seconds_count' && v.value >= 1)).toBe(true);
  });

  it('makes a stub without the optional fields when json_data is malformed', async () => {
    const parent = id('MALFORMED');
    const child = id('MALFORMEDCHILD');
    await insertLegacyRows('partner', [{ external_id: parent, odoo_id: 99, json_data: null }]);
    // jsonb cannot hold malformed text, so the product table (text) covers that; here json_data is null.
    await push([{ external_id: child, type: 'C', parent_external_id: parent }]);
    await until(child, 'processed');
    expect(await row(parent)).toMatchObject({ processingState: 'stub', odooId: 99, type: null });
  });

  it('reports a stub never upgraded as stale', async () => {
    const parent = id('STALE');
    await insertLegacyRows('partner', [{ external_id: parent, odoo_id: 5, json_data: '{"type": "C"}' }]);
    await push([{ external_id: id('STALECHILD'), type: 'D', parent_external_id: parent }]);
    await until(parent, 'stub');
    await eventually(
      async () => ((await attributes(parent)).get(SEARCH_ATTRIBUTES.StaleStub) === true ? true : undefined),
      20_000,
      'stale',
    );
  });

  it('keeps waiting when the legacy database misses, resumes when the parent arrives, fails after the limit and retries', async () => {
    const parent = id('NOWHERE');
    const child = id('ORPHAN');
    await push([{ external_id: child, type: 'D', parent_external_id: parent }]);
    // Grace 1s, then lookups after 1s and 2s find nothing: failed, naming what is missing.
    await until(child, 'failed', 30_000);
    expect((await row(child))!.errorMessage).toContain(`partner:${parent}`);
    await eventually(async () =>
      (await attributes(child)).get(SEARCH_ATTRIBUTES.ProcessingState) === 'failed' ? true : undefined,
    );

    // A late parent wakes the failed record too.
    await push([{ external_id: parent, type: 'B' }]);
    await until(child, 'processed', 10_000);
  });

  it('lets an operator retry a failed record with the retry signal', async () => {
    const parent = id('LATE');
    const child = id('RETRIED');
    await push([{ external_id: child, type: 'D', parent_external_id: parent }]);
    await until(child, 'failed', 30_000);
    // The parent lands in the legacy database; a retry looks it up at once.
    await insertLegacyRows('partner', [{ external_id: parent, odoo_id: 77, json_data: '{"type": "O"}' }]);
    await service.resources.temporal.client.workflow.getHandle(`partner:${child}`).signal(retrySignal);
    await until(child, 'processed', 10_000);
    expect(await row(parent)).toMatchObject({ processingState: 'stub', type: 'O' });
  });

  it('applies the same record pushed twice concurrently once, without duplicates', async () => {
    const externalId = id('TWICE');
    const [a, b] = await Promise.all([
      push([{ external_id: externalId, type: 'C', name: 'A' }]),
      push([{ external_id: externalId, type: 'C', name: 'B' }]),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.created + b.body.created).toBe(1);
    await until(externalId, 'processed');
    expect(await service.resources.orm.em.fork().count(PartnerSchema, { externalId })).toBe(1);
  });
});

describe('legacy database unavailable', () => {
  let service: TestService;
  useServiceFixture({
    env: {
      DEPENDENCY_GRACE_PERIOD: '500ms',
      LEGACY_LOOKUP_ATTEMPTS: '1',
      LEGACY_LOOKUP_MAX_INTERVAL: '1s',
      LEGACY_DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/legacy',
    },
    ready: (f) => ({ service } = f),
  });

  it('keeps the dependent waiting instead of failing, and it resumes when the dependency arrives', async () => {
    const odoo = await service.token(['odoo']);
    const child = id('DOWNCHILD');
    const parent = id('DOWNPARENT');
    await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: { external_id: child, type: 'D', parent_external_id: parent },
    });
    // Several lookups fail for the outage; with one allowed miss, a counted miss would already have failed it.
    await new Promise((r) => setTimeout(r, 6_000));
    const em = service.resources.orm.em.fork();
    expect((await em.findOneOrFail(PartnerSchema, { externalId: child })).processingState).toBe('awaiting_dependency');
    await service.request('POST', '/api/v1/partners', { token: odoo, body: { external_id: parent, type: 'B' } });
    await eventually(async () =>
      (await service.resources.orm.em.fork().findOneOrFail(PartnerSchema, { externalId: child })).processingState ===
      'processed'
        ? true
        : undefined,
    );
  });
});
