import { Migration } from '@mikro-orm/migrations';

const TABLES = ['partners', 'products', 'sale_orders', 'stocks', 'purchase_orders', 'pricelist_items'];

/** When a feed last served a record's current version, so an acknowledgement covers only what was seen. */
export class Migration20261122033708_feedServedAt extends Migration {
  override async up(): Promise<void> {
    for (const table of TABLES) this.addSql(`alter table \`${table}\` add \`served_at\` datetime(3) null;`);
  }

  override async down(): Promise<void> {
    for (const table of TABLES) this.addSql(`alter table \`${table}\` drop column \`served_at\`;`);
  }
}
