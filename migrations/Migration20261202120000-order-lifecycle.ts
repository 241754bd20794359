import { Migration } from '@mikro-orm/migrations';

/**
 * The webshop order lifecycle after the create: the Odoo order's state as the sync-back last saw or left it
 * (confirm, cancel), and what the webshop and Odoo disagree on while an order is in `conflict`.
 */
export class Migration20261202120000_orderLifecycle extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `sale_orders` add `odoo_state` varchar(16) null, add `sync_conflicts` json null;');
    // Orders the earlier code created in Odoo were left there as quotations.
    this.addSql(
      "update `sale_orders` set `odoo_state` = 'draft' where `direction` = 'outbound' and `sync_state` = 'synced';",
    );
  }

  override async down(): Promise<void> {
    this.addSql('alter table `sale_orders` drop column `odoo_state`, drop column `sync_conflicts`;');
  }
}
