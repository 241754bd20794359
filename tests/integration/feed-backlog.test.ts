import { useServiceFixture } from '../support/fixtures';
import { eventually, type TestService } from '../support/service-harness';

jest.setTimeout(120_000);

/** Operators see how far behind the webshop is on each feed: in /metrics and in the admin overview. */
describe('feed backlog', () => {
  let service: TestService;
  let odoo: string;
  let webshop: string;
  let admin: string;

  useServiceFixture({
    env: { DEPENDENCY_GRACE_PERIOD: '1h' },
    tokens: ['odoo', 'webshop', 'admin'],
    ready: (f) => ({ service, odoo, webshop, admin } = f),
  });

  const backlogMetric = async (feed: string) => {
    const text: string = (await service.request('GET', '/metrics')).body;
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`feed_oldest_unacknowledged_change_seconds{feed="${feed}"}`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  const overviewFeeds = async () =>
    (await service.request('GET', '/api/v1/admin/overview', { token: admin })).body.feeds as Record<
      string,
      { oldest_unacknowledged_at: string | null; backlog_seconds: number }
    >;

  it('reports the oldest unacknowledged change per feed, leaves out records not served, and clears on acknowledgement', async () => {
    expect(await backlogMetric('updated-partners')).toBe(0);
    await service.request('POST', '/api/v1/partners', {
      token: odoo,
      body: {
        partners: [
          { external_id: 'FB-1', type: 'C', name: 'Served' },
          { external_id: 'FB-2', type: 'D', parent_external_id: 'FB-NOWHERE' },
        ],
      },
    });
    const item = await eventually(async () => {
      const items = (await service.request('GET', '/api/v1/updated-partners', { token: webshop })).body.items;
      return items.length === 1 ? items[0] : undefined;
    });
    expect(item.external_id).toBe('FB-1');

    await new Promise((r) => setTimeout(r, 1_100));
    expect(await backlogMetric('updated-partners')).toBeGreaterThanOrEqual(1);
    expect(await backlogMetric('updated-products')).toBe(0);
    const feeds = await overviewFeeds();
    expect(feeds['updated-partners']!.oldest_unacknowledged_at).toBe(item.updated_at);
    expect(feeds['updated-partners']!.backlog_seconds).toBeGreaterThanOrEqual(1);
    expect(feeds['pricelists/updated']).toEqual({ oldest_unacknowledged_at: null, backlog_seconds: 0 });

    await service.request('POST', '/api/v1/updated-partners/batch-delete', {
      token: webshop,
      body: { ids: [item.id] },
    });
    // FB-2 still awaits its parent: the webshop cannot be served it, so it is no backlog of the webshop's.
    expect(await backlogMetric('updated-partners')).toBe(0);
    expect((await overviewFeeds())['updated-partners']).toEqual({ oldest_unacknowledged_at: null, backlog_seconds: 0 });
  });
});
