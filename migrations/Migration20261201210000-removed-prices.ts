import { Migration } from '@mikro-orm/migrations';

/** A price a product's full price list no longer carries stays as a removal until the webshop acknowledges it. */
export class Migration20261201210000_removedPrices extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `pricelist_items` add `removed_at` datetime(3) null;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table `pricelist_items` drop column `removed_at`;');
  }
}
