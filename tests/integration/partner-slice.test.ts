import { PartnerSchema } from '../../entities/partner';
import { SEARCH_ATTRIBUTES } from '../../workflows/contract';
import { useServiceFixture } from '../support/fixtures';
import { eventually, type TestService } from '../support/service-harness';

jest.setTimeout(120_000);

describe('partner push -> workflow -> feed', () => {
  let service: TestService;
  let odoo: string;
  let webshop: string;

  useServiceFixture({ tokens: ['odoo', 'webshop'], ready: (f) => ({ service, odoo, webshop } = f) });

  const feed = async () => (await service.request('GET', '/api/v1/updated-partners', { token: webshop })).body;

  it('stores a pushed partner, processes it in its own workflow and serves it with its changed fields', async () => {
    const push = await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: {
        external_id: 'P-100',
        type: 'C',
        name: 'Acme',
        email: 'info@acme.test',
        write_date: '2026-11-01T10:00:00+00:00',
        x_custom: 7,
      },
    });
    expect(push.status).toBe(200);
    expect(push.body).toEqual({ success: true, processed: 1, created: 1, updated: 0, unchanged: 0, errors: [] });

    const handle = service.resources.temporal.client.workflow.getHandle('partner:P-100');
    await handle.result();
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.EntityType)).toBe('partner');
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.ExternalId)).toBe('P-100');
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.ProcessingState)).toBe('processed');

    const page = await eventually(async () => {
      const body = await feed();
      return body.items.length === 1 ? body : undefined;
    });
    expect(page.next_cursor).toBeNull();
    expect(page.items[0]).toMatchObject({
      external_id: 'P-100',
      processing_state: 'processed',
      is_new: true,
      changed_fields: ['email', 'external_id', 'name', 'type', 'x_custom'],
      data: { name: 'Acme', x_custom: 7 },
    });
  });

  it('answers an unchanged re-push with `unchanged` and starts no workflow', async () => {
    const before = await service.resources.temporal.client.workflow.getHandle('partner:P-100').describe();
    const push = await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: {
        partners: [
          {
            external_id: 'P-100',
            type: 'C',
            name: 'Acme',
            email: 'info@acme.test',
            write_date: '2026-11-02T10:00:00+00:00',
            x_custom: 7,
          },
        ],
      },
    });
    expect(push.body).toMatchObject({ success: true, processed: 1, created: 0, updated: 0, unchanged: 1 });
    const after = await service.resources.temporal.client.workflow.getHandle('partner:P-100').describe();
    expect(after.runId).toBe(before.runId);
    expect(after.historyLength).toBe(before.historyLength);
  });

  it('acknowledges with DELETE, and a later change brings the record back with the new changed fields', async () => {
    const [item] = (await feed()).items;
    const ack = await service.request('DELETE', `/api/v1/updated-partners/${item.id}`, { token: webshop });
    expect(ack.status).toBe(200);
    expect(ack.body).toEqual({ acknowledged: [item.id], not_found: [], changed_since_read: [] });
    expect((await feed()).items).toEqual([]);
    const again = await service.request('DELETE', `/api/v1/updated-partners/${item.id}`, { token: webshop });
    expect(again.body).toEqual({ acknowledged: [], not_found: [], changed_since_read: [] });

    await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: {
        external_id: 'P-100',
        type: 'C',
        name: 'Acme NV',
        email: 'info@acme.test',
        write_date: '2026-11-03T10:00:00+00:00',
        x_custom: 7,
      },
    });
    const back = await eventually(async () => {
      const items = (await feed()).items;
      return items.length === 1 && items[0].processing_state === 'processed' ? items[0] : undefined;
    });
    expect(back).toMatchObject({ id: item.id, changed_fields: ['name'], is_new: false, data: { name: 'Acme NV' } });
    await service.request('DELETE', `/api/v1/updated-partners/${item.id}`, { token: webshop });
  });

  it('ignores a push older than the stored write_date', async () => {
    const push = await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: { external_id: 'P-100', type: 'B', name: 'Stale name', write_date: '2026-10-01T00:00:00+00:00' },
    });
    expect(push.body).toMatchObject({ unchanged: 1, updated: 0 });
    const row = await service.resources.orm.em.fork().findOneOrFail(PartnerSchema, { externalId: 'P-100' });
    expect(row.name).toBe('Acme NV');
  });

  it('accepts the valid records of a batch and lists the invalid ones by index', async () => {
    const push = await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: {
        partners: [
          { external_id: 'P-200', type: 'B', name: 'Parent' },
          { external_id: 'P-201', type: 'Z' },
          { type: 'C' },
          { external_id: 'P-202', type: 'D', parent_external_id: 'P-200' },
        ],
      },
    });
    expect(push.status).toBe(200);
    expect(push.body.success).toBe(false);
    expect(push.body).toMatchObject({ processed: 2, created: 2 });
    expect(push.body.errors.map((e: { index: number }) => e.index)).toEqual([1, 2]);
    expect(push.body.errors[0]).toMatchObject({ external_id: 'P-201', details: [{ path: 'partners.1.type' }] });
    expect(push.body.errors[1].details[0].path).toBe('partners.2.external_id');
    await eventually(async () => ((await feed()).items.length === 2 ? true : undefined));
  });

  it('pages the feed with an opaque cursor and acknowledges a batch', async () => {
    const first = await service.request('GET', '/api/v1/updated-partners?limit=1', { token: webshop });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await service.request('GET', `/api/v1/updated-partners?limit=1&cursor=${first.body.next_cursor}`, {
      token: webshop,
    });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect(second.body.next_cursor).toBeNull();

    const ids = [first.body.items[0].id, second.body.items[0].id];
    const ack = await service.request('POST', '/api/v1/updated-partners/batch-delete', {
      token: webshop,
      body: { ids: [...ids, 999999] },
    });
    expect(ack.body).toEqual({
      acknowledged: expect.arrayContaining(ids),
      not_found: [999999],
      changed_since_read: [],
    });
    expect((await feed()).items).toEqual([]);
  });
});
