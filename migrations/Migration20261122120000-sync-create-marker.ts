import { Migration } from '@mikro-orm/migrations';

/** When the sync-back last sent a create to Odoo whose outcome is not known yet. */
export class Migration20261122120000_syncCreateMarker extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `sale_orders` add `sync_create_started_at` datetime(3) null;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table `sale_orders` drop column `sync_create_started_at`;');
  }
}
