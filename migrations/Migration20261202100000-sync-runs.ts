import { Migration } from '@mikro-orm/migrations';

const BIN = 'character set utf8mb4 collate utf8mb4_bin';

/**
 * The audit log of sync runs (every pull run from Odoo and every push request), and each entity type's pull
 * watermark. `run_trigger` because `trigger` is a reserved word; the workflow id is an exact key (`utf8mb4_bin`).
 * The list reads newest first within each filter, the overview each entity type's last pull and last success, the
 * retention purge by age.
 */
export class Migration20261202100000_syncRuns extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`sync_runs\` (\`id\` bigint unsigned not null auto_increment primary key, \`kind\` varchar(16) not null, \`entity_type\` varchar(32) not null, \`run_trigger\` varchar(16) not null, \`status\` varchar(16) not null, \`started_at\` datetime(3) not null, \`finished_at\` datetime(3) null, \`pages\` int not null default 0, \`read_count\` int not null default 0, \`created_count\` int not null default 0, \`updated_count\` int not null default 0, \`unchanged_count\` int not null default 0, \`failed_count\` int not null default 0, \`watermark_from_date\` varchar(19) null, \`watermark_from_id\` int null, \`watermark_to_date\` varchar(19) null, \`watermark_to_id\` int null, \`error\` text null, \`failures\` json null, \`workflow_id\` varchar(255) ${BIN} null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql('alter table `sync_runs` add index `sync_runs_entity_type_idx`(`entity_type`, `id`);');
    this.addSql('alter table `sync_runs` add index `sync_runs_kind_idx`(`kind`, `id`);');
    this.addSql('alter table `sync_runs` add index `sync_runs_status_idx`(`status`, `id`);');
    this.addSql('alter table `sync_runs` add index `sync_runs_entity_kind_idx`(`entity_type`, `kind`, `id`);');
    this.addSql('alter table `sync_runs` add index `sync_runs_entity_status_idx`(`entity_type`, `status`, `id`);');
    this.addSql('alter table `sync_runs` add index `sync_runs_started_at_idx`(`started_at`);');

    this.addSql(
      'create table `pull_watermarks` (`entity_type` varchar(32) not null, `write_date` varchar(19) not null, `odoo_id` int not null, `read_up_to` datetime(3) null, `updated_at` datetime(3) not null, primary key (`entity_type`)) default character set utf8mb4 engine = InnoDB;',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `pull_watermarks`;');
    this.addSql('drop table if exists `sync_runs`;');
  }
}
