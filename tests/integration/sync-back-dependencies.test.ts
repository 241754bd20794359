import { PartnerSchema } from '../../entities/partner';
import { SEARCH_ATTRIBUTES } from '../../workflows/contract';
import type { FakeOdoo } from '../support/fake-odoo';
import { useSyncBackFixture } from '../support/fixtures';
import { insertLegacyRows } from '../support/legacy-rows';
import { eventually, type TestService } from '../support/service-harness';
import {
  odooOrders,
  postOrder,
  pushAndProcess,
  queueStatus,
  recordHistory,
  runId,
  seedPartner,
  seedProducts,
  storedOrder,
  syncBackHandle,
  untilState,
  webshopOrder,
} from '../support/sync-back';

jest.setTimeout(180_000);

describe('webshop orders waiting for their partner and products', () => {
  let fake: FakeOdoo;
  let service: TestService;
  let webshop: string;
  const run = runId();
  const id = (name: string) => `${name}-${run}`;

  useSyncBackFixture({ tokens: ['webshop'], ready: (f) => ({ fake, service, webshop } = f) });

  const attributes = async (number: string) => (await syncBackHandle(service, number).describe()).typedSearchAttributes;

  it('waits for a partner pushed later, and is woken by its arrival', async () => {
    const [partner, mug] = [id('LATE'), id('LMUG')];
    await seedProducts(service, fake, [mug]);
    const number = id('WEB-WAIT');
    await postOrder(service, webshop, webshopOrder(number, partner, [mug]));
    await untilState(service, webshop, number, 'awaiting_dependency');
    await eventually(async () =>
      (await attributes(number)).get(SEARCH_ATTRIBUTES.SyncState) === 'awaiting_dependency' ? true : undefined,
    );
    expect((await attributes(number)).get(SEARCH_ATTRIBUTES.AwaitingOn)).toEqual([`partner:${partner}`]);
    expect(odooOrders(fake, number)).toEqual([]);

    const arrived = Date.now();
    const partnerId = await seedPartner(service, fake, partner);
    await untilState(service, webshop, number, 'synced', 10_000);
    expect(Date.now() - arrived).toBeLessThan(5_000);
    expect(odooOrders(fake, number)).toEqual([expect.objectContaining({ partner_id: partnerId })]);
    const handle = syncBackHandle(service, number);
    await handle.result();
    recordHistory(handle.workflowId, 'sync-back-sale-order-awaited-partner.json');
  });

  it('waits while the partner is known without an Odoo id, and goes on once Odoo pushes the id', async () => {
    const [partner, mug] = [id('NOID'), id('NMUG')];
    await seedProducts(service, fake, [mug]);
    await pushAndProcess(service, 'partners', [{ external_id: partner, type: 'C', name: 'No Odoo id yet' }]);
    const number = id('WEB-NOID');
    await postOrder(service, webshop, webshopOrder(number, partner, [mug]));
    await untilState(service, webshop, number, 'awaiting_dependency');

    const odooId = fake.seed('res.partner', { name: 'Now in Odoo' });
    await pushAndProcess(service, 'partners', [{ external_id: partner, odoo_id: odooId, type: 'C', name: 'In Odoo' }]);
    await untilState(service, webshop, number, 'synced');
    expect(odooOrders(fake, number)).toEqual([expect.objectContaining({ partner_id: odooId })]);
  });

  it('uses a partner stub from the legacy database after the grace period, with the stub’s Odoo id', async () => {
    const [partner, mug] = [id('LEGACY'), id('GMUG')];
    await seedProducts(service, fake, [mug]);
    const legacyOdooId = fake.seed('res.partner', { name: 'Known only to the legacy shop' });
    await insertLegacyRows('partner', [
      { external_id: partner, odoo_id: legacyOdooId, json_data: JSON.stringify({ type: 'B', name: 'Old' }) },
    ]);
    const number = id('WEB-LEGACY');
    await postOrder(service, webshop, webshopOrder(number, partner, [mug]));

    const status = await untilState(service, webshop, number, 'synced', 20_000);
    expect(status.odoo_id).toBe(odooOrders(fake, number)[0]!.id);
    expect(odooOrders(fake, number)).toEqual([expect.objectContaining({ partner_id: legacyOdooId })]);
    const stub = await service.resources.orm.em.fork().findOne(PartnerSchema, { externalId: partner });
    expect(stub).toMatchObject({ processingState: 'stub', odooId: legacyOdooId });
  });

  it('fails, naming what is missing, after the configured checks; a late arrival still completes it', async () => {
    const [partner, mug] = [id('NEVER'), id('NEVERMUG')];
    const number = id('WEB-NEVER');
    await postOrder(service, webshop, webshopOrder(number, partner, [mug]));
    const failed = await untilState(service, webshop, number, 'failed', 30_000);
    expect(failed.last_error).toContain(`partner:${partner}`);
    expect(failed.last_error).toContain(`product:${mug}`);

    await seedProducts(service, fake, [mug]);
    await seedPartner(service, fake, partner);
    await untilState(service, webshop, number, 'synced');
  });

  it('marks the order cancelled when its workflow is cancelled', async () => {
    const number = id('WEB-CANCEL');
    await postOrder(service, webshop, webshopOrder(number, id('CP'), [id('CMUG')]));
    await untilState(service, webshop, number, 'awaiting_dependency');
    await syncBackHandle(service, number).cancel();

    const status = await untilState(service, webshop, number, 'cancelled');
    expect(status).toMatchObject({ cancelled: true, last_error: 'Cancelled by an operator' });
    expect((await storedOrder(service, number))!.syncState).toBe('cancelled');
    await eventually(async () =>
      (await attributes(number)).get(SEARCH_ATTRIBUTES.SyncState) === 'cancelled' ? true : undefined,
    );
    expect((await syncBackHandle(service, number).describe()).status.name).toBe('CANCELLED');
    const repost = await postOrder(service, webshop, webshopOrder(number, id('CP'), [id('CMUG')]));
    expect(repost.body.outcome).toBe('unchanged');
    expect((await queueStatus(service, webshop, number)).cancelled).toBe(true);
  });
});
