import { Client } from 'pg';
import { testBackends } from './test-backends';

/** Writes rows into the legacy test database (which the service itself can only read). */
export async function insertLegacyRows(
  table: 'partner' | 'product',
  rows: { external_id: string; odoo_id: number | null; json_data: string | null; context?: string | null }[],
): Promise<void> {
  const url = testBackends().legacyUrl;
  if (!url) throw new Error('PostgreSQL is not reachable: legacy tests need it');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const row of rows) {
      if (table === 'partner') {
        await client.query('insert into partner (external_id, odoo_id, json_data) values ($1, $2, $3::jsonb)', [
          row.external_id,
          row.odoo_id,
          row.json_data,
        ]);
      } else {
        await client.query('insert into product (external_id, odoo_id, json_data, context) values ($1, $2, $3, $4)', [
          row.external_id,
          row.odoo_id,
          row.json_data,
          row.context ?? null,
        ]);
      }
    }
  } finally {
    await client.end();
  }
}
