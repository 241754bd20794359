import { Migration } from '@mikro-orm/migrations';

const BIN = 'character set utf8mb4 collate utf8mb4_bin';

/**
 * External ids, order numbers, pricelist, supplier and purchase-order keys, dependency keys, workflow ids and
 * token hashes compare bytes: `utf8mb4_bin` (on MySQL 8 and MariaDB alike) instead of the server's case- and
 * accent-insensitive default, under which `Case-1` and `case-1`, `café` and `cafe` or two emoji were one key.
 * Each column keeps its type and nullability; its indexes are kept (and rebuilt). Nothing can collide on the
 * way up, as the binary collation only tells more values apart; the way down fails on rows that differ only in
 * case, accents or emoji.
 */
export class Migration20261202020000_exactKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`api_tokens\` modify \`token_hash\` varchar(64) ${BIN} not null;`);
    this.addSql(
      `alter table \`dependency_waits\` modify \`dependency_key\` varchar(255) ${BIN} not null, modify \`waiter_workflow_id\` varchar(255) ${BIN} not null;`,
    );
    this.addSql(
      `alter table \`partners\` modify \`external_id\` varchar(191) ${BIN} not null, modify \`parent_external_id\` varchar(191) ${BIN} null;`,
    );
    this.addSql(
      `alter table \`pricelist_items\` modify \`item_key\` varchar(255) ${BIN} not null, modify \`pricelist_id\` varchar(64) ${BIN} not null, modify \`product_external_id\` varchar(191) ${BIN} not null;`,
    );
    this.addSql(
      `alter table \`products\` modify \`external_id\` varchar(191) ${BIN} not null, modify \`default_code\` varchar(128) ${BIN} null;`,
    );
    this.addSql(
      `alter table \`purchase_orders\` modify \`external_id\` varchar(191) ${BIN} not null, modify \`name\` varchar(191) ${BIN} not null, modify \`vendor_external_id\` varchar(191) ${BIN} null, modify \`source_product_external_id\` varchar(191) ${BIN} null;`,
    );
    this.addSql(`alter table \`purchase_order_lines\` modify \`product_external_id\` varchar(191) ${BIN} not null;`);
    this.addSql(
      `alter table \`sale_orders\` modify \`external_id\` varchar(191) ${BIN} not null, modify \`partner_external_id\` varchar(191) ${BIN} not null;`,
    );
    this.addSql(`alter table \`sale_order_lines\` modify \`product_external_id\` varchar(191) ${BIN} not null;`);
    this.addSql(
      `alter table \`stocks\` modify \`external_id\` varchar(191) ${BIN} not null, modify \`supplier_external_id\` varchar(191) ${BIN} not null, modify \`product_external_id\` varchar(191) ${BIN} not null;`,
    );
  }

  override async down(): Promise<void> {
    // Without a character set or collation, a column takes its table's defaults again, as the initial migration made it.
    this.addSql('alter table `api_tokens` modify `token_hash` varchar(64) not null;');
    this.addSql(
      'alter table `dependency_waits` modify `dependency_key` varchar(255) not null, modify `waiter_workflow_id` varchar(255) not null;',
    );
    this.addSql(
      'alter table `partners` modify `external_id` varchar(191) not null, modify `parent_external_id` varchar(191) null;',
    );
    this.addSql(
      'alter table `pricelist_items` modify `item_key` varchar(255) not null, modify `pricelist_id` varchar(64) not null, modify `product_external_id` varchar(191) not null;',
    );
    this.addSql(
      'alter table `products` modify `external_id` varchar(191) not null, modify `default_code` varchar(128) null;',
    );
    this.addSql(
      'alter table `purchase_orders` modify `external_id` varchar(191) not null, modify `name` varchar(191) not null, modify `vendor_external_id` varchar(191) null, modify `source_product_external_id` varchar(191) null;',
    );
    this.addSql('alter table `purchase_order_lines` modify `product_external_id` varchar(191) not null;');
    this.addSql(
      'alter table `sale_orders` modify `external_id` varchar(191) not null, modify `partner_external_id` varchar(191) not null;',
    );
    this.addSql('alter table `sale_order_lines` modify `product_external_id` varchar(191) not null;');
    this.addSql(
      'alter table `stocks` modify `external_id` varchar(191) not null, modify `supplier_external_id` varchar(191) not null, modify `product_external_id` varchar(191) not null;',
    );
  }
}
