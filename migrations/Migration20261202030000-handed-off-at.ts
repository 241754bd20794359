import { Migration } from '@mikro-orm/migrations';

const TABLES = ['partners', 'products', 'sale_orders', 'stocks', 'purchase_orders'];

/**
 * When a record's version was handed to its workflow, so the pending sweep skips what Temporal already holds.
 * Rows past their hand-off count as handed off; pending ones are left for the sweep to decide.
 */
export class Migration20261202030000_handedOffAt extends Migration {
  override async up(): Promise<void> {
    for (const table of TABLES) {
      this.addSql(`alter table \`${table}\` add \`handed_off_at\` datetime(3) null;`);
      this.addSql(`update \`${table}\` set \`handed_off_at\` = \`updated_at\` where \`processing_state\` <> 'pending';`);
    }
  }

  override async down(): Promise<void> {
    for (const table of TABLES) this.addSql(`alter table \`${table}\` drop column \`handed_off_at\`;`);
  }
}
