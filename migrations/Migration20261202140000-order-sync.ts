import { Migration } from '@mikro-orm/migrations';

const BIN = 'character set utf8mb4 collate utf8mb4_bin';

/**
 * Webshop orders kept in sync both ways after the create: each side's version when last in sync (the merge's
 * base), Odoo's version as last read, and the record of every resolution (by rule or by an operator).
 */
export class Migration20261202140000_orderSync extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table `sale_orders` add `sync_base` json null, add `odoo_data` json null;');
    this.addSql(
      `create table \`sync_resolutions\` (\`id\` bigint unsigned not null auto_increment primary key, \`entity_type\` varchar(32) not null, \`external_id\` varchar(191) ${BIN} not null, \`workflow_id\` varchar(255) ${BIN} not null, \`rule\` varchar(32) not null, \`field\` varchar(255) not null, \`webshop_value\` json null, \`odoo_value\` json null, \`decided_by\` varchar(191) not null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      'alter table `sync_resolutions` add index `sync_resolutions_external_id_idx`(`entity_type`, `external_id`, `id`);',
    );
    this.addSql('alter table `sync_resolutions` add index `sync_resolutions_created_at_idx`(`created_at`);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `sync_resolutions`;');
    this.addSql('alter table `sale_orders` drop column `sync_base`, drop column `odoo_data`;');
  }
}
