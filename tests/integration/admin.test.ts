import { PartnerSchema } from '../../entities/partner';
import type { FakeOdoo } from '../support/fake-odoo';
import { useSyncBackFixture } from '../support/fixtures';
import { insertLegacyRows } from '../support/legacy-rows';
import { eventually, type TestService } from '../support/service-harness';
import {
  postOrder,
  pushAndProcess,
  queueStatus,
  runId,
  seedPartner,
  seedProducts,
  untilState,
  webshopOrder,
} from '../support/sync-back';

jest.setTimeout(180_000);

describe('admin API', () => {
  let fake: FakeOdoo;
  let service: TestService;
  let admin: string;
  let webshop: string;
  const run = runId();
  const id = (name: string) => `${name}-${run}`;

  useSyncBackFixture({
    env: { STUB_STALE_AFTER: '1s', LEGACY_LOOKUP_ATTEMPTS: '100' },
    tokens: ['admin', 'webshop'],
    ready: (f) => ({ fake, service, admin, webshop } = f),
  });

  it('counts records by entity and state, stubs and stale stubs, waits, and sync-backs failed or retrying', async () => {
    const odoo = await service.token(['odoo']);
    const [partner, mug] = [id('P'), id('MUG')];
    await seedPartner(service, fake, partner);
    await seedProducts(service, fake, [mug]);
    await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: { external_id: id('ORPHAN'), type: 'D', parent_external_id: id('NOWHERE') },
    });
    await insertLegacyRows('partner', [{ external_id: id('OLD'), odoo_id: 77, json_data: '{"type": "B"}' }]);
    await pushAndProcess(service, 'partners', [{ external_id: id('KID'), type: 'C', parent_external_id: id('OLD') }]);

    await postOrder(service, webshop, webshopOrder(id('SYNCED'), partner, [mug]));
    await untilState(service, webshop, id('SYNCED'), 'synced');
    fake.failWith('odoo.exceptions.UserError', 'Closed fiscal period', { model: 'sale.order', method: 'create' });
    await postOrder(service, webshop, webshopOrder(id('FAILED'), partner, [mug]));
    await untilState(service, webshop, id('FAILED'), 'failed');
    await postOrder(service, webshop, webshopOrder(id('WAITING'), id('UNKNOWN'), [mug]));
    await untilState(service, webshop, id('WAITING'), 'awaiting_dependency');
    fake.failNext(10_000, 503, { model: 'sale.order' });
    await postOrder(service, webshop, webshopOrder(id('RETRYING'), partner, [mug]));
    await eventually(async () => ((await queueStatus(service, webshop, id('RETRYING'))).last_error ? true : undefined));
    await eventually(async () => {
      const orphan = await service.resources.orm.em.fork().findOne(PartnerSchema, { externalId: id('ORPHAN') });
      return orphan?.processingState === 'awaiting_dependency' ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 1_100));

    const res = await service.request('GET', '/api/v1/admin/overview', { token: admin });
    expect(res.status).toBe(200);
    const overview = res.body;
    expect(overview.entities.partner).toMatchObject({ processed: 2, stub: 1, awaiting_dependency: 1, total: 4 });
    expect(overview.entities.product).toMatchObject({ processed: 1, total: 1 });
    expect(overview.entities.sale_order.total).toBe(0);
    expect(overview.stubs).toMatchObject({ total: 1, stale: 1, by_entity: { partner: { total: 1, stale: 1 } } });
    expect(overview.awaiting_dependencies).toMatchObject({ total: 2, by_entity: { partner: 1, sync_back: 1 } });
    expect(overview.sync_back).toMatchObject({
      by_state: { synced: 1, failed: 1, awaiting_dependency: 1, syncing: 1, pending: 0, cancelled: 0, total: 4 },
      failed: 1,
      retrying: 1,
      awaiting_dependencies: 1,
    });
  });

  it('sends the retry signal to an inbound workflow, and answers 404 for an unknown one', async () => {
    const retry = await service.request('POST', `/api/v1/admin/workflows/partner:${id('ORPHAN')}/retry`, {
      token: admin,
    });
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ workflow_id: `partner:${id('ORPHAN')}`, signal: 'retry' });

    const unknown = await service.request('POST', `/api/v1/admin/workflows/partner:${id('NONE')}/retry`, {
      token: admin,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', details: [] });

    const forbidden = await service.request('GET', '/api/v1/admin/overview', { token: webshop });
    expect(forbidden.status).toBe(403);
  });
});
