/**
 * Delta feed benchmark (issue 4): paging /updated-products over 1,000,000 products of which 100,000 are
 * unacknowledged changes, acknowledging 500 ids at once, and pushing / re-pushing a 128,000-item pricelist.
 * Run: npm run bench:feeds   (needs MariaDB: the seed uses its sequence tables)
 */
import { ProductSchema } from '../entities/product';
import type { TestService } from '../tests/support/service-harness';
import { percentile, round, withBenchStack } from './support/bench-stack';

const TOTAL = 1_000_000;
const PENDING = 100_000;
const WARM_UP_PAGES = 20;
const PAGES = 300;
const ACKS = 60;

async function seed(service: TestService) {
  const conn = service.resources.orm.em.getConnection();
  const started = performance.now();
  // Every tenth row is an unacknowledged, processed change; the rest were acknowledged long ago.
  await conn.execute(`
    insert into products (external_id, odoo_id, data, previous_data, changed_fields, unacked_changed_fields,
      processing_state, retry_count, is_new, changed_at, feed_pending, created_at, updated_at, name, list_price)
    select concat('SEED-', seq), seq,
      json_object('external_id', concat('SEED-', seq), 'name', concat('Product ', seq), 'list_price', seq % 500),
      null, '["list_price"]', if(seq % 10 = 0, '["list_price"]', '[]'),
      'processed', 0, 0,
      timestamp('2026-01-01') + interval seq second,
      seq % 10 = 0,
      timestamp('2026-01-01'), timestamp('2026-01-01') + interval seq second,
      concat('Product ', seq), seq % 500
    from seq_1_to_${TOTAL}`);
  return performance.now() - started;
}

async function main() {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  await withBenchStack(
    { withWorker: false, env: { TOKEN_RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'silent' } },
    async (service) => {
      const webshop = await service.token(['webshop']);
      const seedMs = await seed(service);
      const pending = await service.resources.orm.em.fork().count(ProductSchema, { feedPending: true });
      if (pending !== PENDING) throw new Error(`expected ${PENDING} unacknowledged rows, seeded ${pending}`);
      say(
        `seeded ${TOTAL.toLocaleString('en')} products (${pending.toLocaleString('en')} unacknowledged) in ${round(seedMs / 1000)} s`,
      );

      // Paging through the feed, 100 per page, as a webshop does; the first pages warm the process up.
      const pageMs: number[] = [];
      let cursor: string | null = null;
      const served: number[] = [];
      for (let i = 0; i < WARM_UP_PAGES + PAGES; i++) {
        const t0 = performance.now();
        const res = await service.request(
          'GET',
          `/api/v1/updated-products?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
          { token: webshop },
        );
        if (i >= WARM_UP_PAGES) pageMs.push(performance.now() - t0);
        if (res.status !== 200 || res.body.items.length !== 100) throw new Error(`bad page: ${res.status}`);
        served.push(...res.body.items.map((item: { id: number }) => item.id));
        cursor = res.body.next_cursor;
      }
      say(
        `GET /updated-products?limit=100 (${PAGES} consecutive pages after ${WARM_UP_PAGES} warm-up pages): p50 ${round(percentile(pageMs, 50))} ms, p99 ${round(percentile(pageMs, 99))} ms, max ${round(Math.max(...pageMs))} ms`,
      );

      // Acknowledging 500 served ids per request.
      const ackMs: number[] = [];
      for (let i = 0; i < ACKS && served.length >= 500; i++) {
        const ids = served.splice(0, 500);
        const t0 = performance.now();
        const res = await service.request('POST', '/api/v1/updated-products/batch-delete', {
          token: webshop,
          body: { ids },
        });
        ackMs.push(performance.now() - t0);
        if (res.body.acknowledged.length !== 500)
          throw new Error(`acknowledged ${res.body.acknowledged.length} of 500`);
      }
      say(
        `POST /updated-products/batch-delete with 500 ids (${ackMs.length} requests): p50 ${round(percentile(ackMs, 50))} ms, p99 ${round(percentile(ackMs, 99))} ms`,
      );

      // After acknowledging, the first page is still cheap (the keyset scan skips acknowledged rows by index).
      const firstPage: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        await service.request('GET', '/api/v1/updated-products?limit=100', { token: webshop });
        firstPage.push(performance.now() - t0);
      }
      say(
        `GET first page after acknowledgements (50 requests): p50 ${round(percentile(firstPage, 50))} ms, p99 ${round(percentile(firstPage, 99))} ms`,
      );

      // The scrape reads every feed's oldest unacknowledged change: one index seek per feed.
      const scrapes: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        const res = await service.request('GET', '/metrics');
        scrapes.push(performance.now() - t0);
        if (!String(res.body).includes('feed_oldest_unacknowledged_change_seconds{feed="updated-products"}'))
          throw new Error('no feed backlog in /metrics');
      }
      say(
        `GET /metrics with the feed backlogs (20 scrapes): p50 ${round(percentile(scrapes, 50))} ms, p99 ${round(percentile(scrapes, 99))} ms`,
      );

      // A 128,000-item pricelist: 4,000 products x 32 pricelists, pushed in batches of 1,000, then re-pushed unchanged.
      const odoo = await service.token(['odoo']);
      const products = Array.from({ length: 4000 }, (_, p) => ({
        external_id: `PRICE-${p}`,
        name: `Priced ${p}`,
        prices: Array.from({ length: 32 }, (_, l) => ({ pricelist_id: l + 1, price: 10 + ((p * 7 + l) % 97) / 4 })),
      }));
      const countChanged = async () => {
        const rows: { n: number | string }[] = await service.resources.orm.em
          .getConnection()
          .execute('select count(*) as n from pricelist_items where price_changed = 1');
        return Number(rows[0]!.n);
      };
      for (const round_ of ['push', 're-push'] as const) {
        const t0 = performance.now();
        for (let i = 0; i < products.length; i += 1000) {
          const res = await service.request('POST', '/api/v1/products', {
            token: odoo,
            body: { products: products.slice(i, i + 1000) },
          });
          if (res.status !== 200) throw new Error(`push failed: ${res.status}`);
        }
        const ms = performance.now() - t0;
        const changed = await countChanged();
        say(
          `128,000-item pricelist ${round_}: ${round(ms / 1000, 2)} s, price changes in the feed: ${changed.toLocaleString('en')}`,
        );
        if (round_ === 'push') {
          await service.resources.orm.em.getConnection().execute('update pricelist_items set price_changed = 0');
        }
      }
    },
  );
  console.log('\n' + lines.map((l) => `- ${l}`).join('\n'));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
