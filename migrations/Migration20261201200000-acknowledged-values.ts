import { Migration } from '@mikro-orm/migrations';

/**
 * The stock quantity and the price the webshop last acknowledged, so a value that returns to it before the
 * webshop saw anything else leaves the feed. Rows acknowledged before this migration take their current value.
 */
export class Migration20261201200000_acknowledgedValues extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `stocks` add `acknowledged_quantity` double null;');
    this.addSql('alter table `pricelist_items` add `acknowledged_price` double null;');
    this.addSql(
      'update `stocks` set `acknowledged_quantity` = `quantity` where `quantity_changed` = 0 and `acknowledged_at` is not null;',
    );
    this.addSql(
      'update `pricelist_items` set `acknowledged_price` = `price` where `price_changed` = 0 and `acknowledged_at` is not null;',
    );
  }

  override async down(): Promise<void> {
    this.addSql('alter table `stocks` drop column `acknowledged_quantity`;');
    this.addSql('alter table `pricelist_items` drop column `acknowledged_price`;');
  }
}
