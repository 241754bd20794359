import { Migration } from '@mikro-orm/migrations';

export class Migration20261122025658_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`api_tokens\` (\`id\` bigint unsigned not null auto_increment primary key, \`name\` varchar(191) not null, \`token_hash\` varchar(64) not null, \`prefix\` varchar(16) not null, \`scopes\` json not null, \`active\` tinyint(1) not null default true, \`expires_at\` datetime(3) null, \`last_used_at\` datetime(3) null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`api_tokens\` add unique \`api_tokens_token_hash_unique\`(\`token_hash\`);`);

    this.addSql(`create table \`dependency_waits\` (\`id\` bigint unsigned not null auto_increment primary key, \`dependency_key\` varchar(255) not null, \`waiter_workflow_id\` varchar(255) not null, \`created_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`dependency_waits\` add index \`dependency_waits_dependency_key_index\`(\`dependency_key\`);`);
    this.addSql(`alter table \`dependency_waits\` add index \`dependency_waits_waiter_workflow_id_index\`(\`waiter_workflow_id\`);`);
    this.addSql(`alter table \`dependency_waits\` add unique \`dependency_waits_dependency_key_waiter_workflow_id_unique\`(\`dependency_key\`, \`waiter_workflow_id\`);`);

    this.addSql(`create table \`partners\` (\`id\` bigint unsigned not null auto_increment primary key, \`external_id\` varchar(191) not null, \`odoo_id\` int null, \`data\` json not null, \`previous_data\` json null, \`changed_fields\` json not null, \`unacked_changed_fields\` json not null, \`processing_state\` varchar(32) not null, \`error_message\` text null, \`retry_count\` int not null default 0, \`is_new\` tinyint(1) not null default true, \`source_write_date\` datetime(3) null, \`changed_at\` datetime(3) not null, \`feed_pending\` tinyint(1) not null default false, \`acknowledged_at\` datetime(3) null, \`stub_created_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, \`type\` varchar(1) null, \`parent_external_id\` varchar(191) null, \`name\` varchar(255) null, \`email\` varchar(255) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`partners\` add unique \`partners_external_id_unique\`(\`external_id\`);`);
    this.addSql(`alter table \`partners\` add index \`partners_odoo_id_index\`(\`odoo_id\`);`);
    this.addSql(`alter table \`partners\` add index \`partners_processing_state_index\`(\`processing_state\`);`);
    this.addSql(`alter table \`partners\` add index \`partners_parent_external_id_index\`(\`parent_external_id\`);`);
    this.addSql(`alter table \`partners\` add index \`partners_feed_idx\`(\`feed_pending\`, \`changed_at\`, \`id\`);`);

    this.addSql(`create table \`pricelist_items\` (\`id\` bigint unsigned not null auto_increment primary key, \`item_key\` varchar(255) not null, \`pricelist_id\` varchar(64) not null, \`product_external_id\` varchar(191) not null, \`min_quantity\` double not null default 0, \`price\` double not null, \`previous_price\` double null, \`price_changed\` tinyint(1) not null default false, \`is_promo\` tinyint(1) not null default false, \`is_action\` tinyint(1) not null default false, \`date_start\` datetime(3) null, \`date_end\` datetime(3) null, \`data\` json not null, \`changed_at\` datetime(3) not null, \`acknowledged_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`pricelist_items\` add unique \`pricelist_items_item_key_unique\`(\`item_key\`);`);
    this.addSql(`alter table \`pricelist_items\` add index \`pricelist_items_product_external_id_index\`(\`product_external_id\`);`);
    this.addSql(`alter table \`pricelist_items\` add index \`pricelist_items_changed_idx\`(\`price_changed\`, \`changed_at\`, \`id\`);`);
    this.addSql(`alter table \`pricelist_items\` add index \`pricelist_items_pricelist_idx\`(\`pricelist_id\`, \`id\`);`);

    this.addSql(`create table \`products\` (\`id\` bigint unsigned not null auto_increment primary key, \`external_id\` varchar(191) not null, \`odoo_id\` int null, \`data\` json not null, \`previous_data\` json null, \`changed_fields\` json not null, \`unacked_changed_fields\` json not null, \`processing_state\` varchar(32) not null, \`error_message\` text null, \`retry_count\` int not null default 0, \`is_new\` tinyint(1) not null default true, \`source_write_date\` datetime(3) null, \`changed_at\` datetime(3) not null, \`feed_pending\` tinyint(1) not null default false, \`acknowledged_at\` datetime(3) null, \`stub_created_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, \`context\` varchar(64) null, \`name\` varchar(255) null, \`default_code\` varchar(128) null, \`barcode\` varchar(64) null, \`active\` tinyint(1) null, \`list_price\` double null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`products\` add unique \`products_external_id_unique\`(\`external_id\`);`);
    this.addSql(`alter table \`products\` add index \`products_odoo_id_index\`(\`odoo_id\`);`);
    this.addSql(`alter table \`products\` add index \`products_processing_state_index\`(\`processing_state\`);`);
    this.addSql(`alter table \`products\` add index \`products_default_code_index\`(\`default_code\`);`);
    this.addSql(`alter table \`products\` add index \`products_feed_idx\`(\`feed_pending\`, \`changed_at\`, \`id\`);`);

    this.addSql(`create table \`purchase_orders\` (\`id\` bigint unsigned not null auto_increment primary key, \`external_id\` varchar(191) not null, \`odoo_id\` int null, \`data\` json not null, \`previous_data\` json null, \`changed_fields\` json not null, \`unacked_changed_fields\` json not null, \`processing_state\` varchar(32) not null, \`error_message\` text null, \`retry_count\` int not null default 0, \`is_new\` tinyint(1) not null default true, \`source_write_date\` datetime(3) null, \`changed_at\` datetime(3) not null, \`feed_pending\` tinyint(1) not null default false, \`acknowledged_at\` datetime(3) null, \`stub_created_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, \`name\` varchar(191) not null, \`vendor_external_id\` varchar(191) null, \`state\` varchar(32) null, \`created_by\` varchar(191) null, \`order_date\` datetime(3) null, \`source_product_external_id\` varchar(191) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`purchase_orders\` add unique \`purchase_orders_external_id_unique\`(\`external_id\`);`);
    this.addSql(`alter table \`purchase_orders\` add index \`purchase_orders_odoo_id_index\`(\`odoo_id\`);`);
    this.addSql(`alter table \`purchase_orders\` add index \`purchase_orders_processing_state_index\`(\`processing_state\`);`);
    this.addSql(`alter table \`purchase_orders\` add index \`purchase_orders_name_index\`(\`name\`);`);
    this.addSql(`alter table \`purchase_orders\` add index \`purchase_orders_vendor_external_id_index\`(\`vendor_external_id\`);`);
    this.addSql(`alter table \`purchase_orders\` add index \`purchase_orders_feed_idx\`(\`feed_pending\`, \`changed_at\`, \`id\`);`);

    this.addSql(`create table \`purchase_order_lines\` (\`id\` bigint unsigned not null auto_increment primary key, \`purchase_order_id\` bigint not null, \`line_no\` int not null, \`product_external_id\` varchar(191) not null, \`quantity\` double not null, \`qty_received\` double null, \`price_unit\` double null, \`date_planned\` datetime(3) null, \`replied_by_vendor\` tinyint(1) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`purchase_order_lines\` add index \`purchase_order_lines_purchase_order_id_index\`(\`purchase_order_id\`);`);
    this.addSql(`alter table \`purchase_order_lines\` add index \`purchase_order_lines_product_external_id_index\`(\`product_external_id\`);`);
    this.addSql(`alter table \`purchase_order_lines\` add unique \`purchase_order_lines_purchase_order_id_line_no_unique\`(\`purchase_order_id\`, \`line_no\`);`);

    this.addSql(`create table \`sale_orders\` (\`id\` bigint unsigned not null auto_increment primary key, \`external_id\` varchar(191) not null, \`odoo_id\` int null, \`data\` json not null, \`previous_data\` json null, \`changed_fields\` json not null, \`unacked_changed_fields\` json not null, \`processing_state\` varchar(32) not null, \`error_message\` text null, \`retry_count\` int not null default 0, \`is_new\` tinyint(1) not null default true, \`source_write_date\` datetime(3) null, \`changed_at\` datetime(3) not null, \`feed_pending\` tinyint(1) not null default false, \`acknowledged_at\` datetime(3) null, \`stub_created_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, \`direction\` varchar(8) not null, \`name\` varchar(255) null, \`partner_external_id\` varchar(191) not null, \`state\` varchar(32) null, \`date_order\` datetime(3) null, \`currency\` varchar(8) null, \`amount_total\` double null, \`sync_state\` varchar(32) null, \`sync_attempts\` int not null default 0, \`last_sync_error\` text null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`sale_orders\` add index \`sale_orders_odoo_id_index\`(\`odoo_id\`);`);
    this.addSql(`alter table \`sale_orders\` add index \`sale_orders_processing_state_index\`(\`processing_state\`);`);
    this.addSql(`alter table \`sale_orders\` add index \`sale_orders_direction_index\`(\`direction\`);`);
    this.addSql(`alter table \`sale_orders\` add index \`sale_orders_partner_external_id_index\`(\`partner_external_id\`);`);
    this.addSql(`alter table \`sale_orders\` add index \`sale_orders_sync_state_index\`(\`sync_state\`);`);
    this.addSql(`alter table \`sale_orders\` add index \`sale_orders_feed_idx\`(\`feed_pending\`, \`changed_at\`, \`id\`);`);
    this.addSql(`alter table \`sale_orders\` add unique \`sale_orders_direction_external_id_unique\`(\`direction\`, \`external_id\`);`);

    this.addSql(`create table \`sale_order_lines\` (\`id\` bigint unsigned not null auto_increment primary key, \`sale_order_id\` bigint not null, \`line_no\` int not null, \`product_external_id\` varchar(191) not null, \`quantity\` double not null, \`price_unit\` double null, \`discount\` double null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`sale_order_lines\` add index \`sale_order_lines_sale_order_id_index\`(\`sale_order_id\`);`);
    this.addSql(`alter table \`sale_order_lines\` add index \`sale_order_lines_product_external_id_index\`(\`product_external_id\`);`);
    this.addSql(`alter table \`sale_order_lines\` add unique \`sale_order_lines_sale_order_id_line_no_unique\`(\`sale_order_id\`, \`line_no\`);`);

    this.addSql(`create table \`stocks\` (\`id\` bigint unsigned not null auto_increment primary key, \`external_id\` varchar(191) not null, \`odoo_id\` int null, \`data\` json not null, \`previous_data\` json null, \`changed_fields\` json not null, \`unacked_changed_fields\` json not null, \`processing_state\` varchar(32) not null, \`error_message\` text null, \`retry_count\` int not null default 0, \`is_new\` tinyint(1) not null default true, \`source_write_date\` datetime(3) null, \`changed_at\` datetime(3) not null, \`feed_pending\` tinyint(1) not null default false, \`acknowledged_at\` datetime(3) null, \`stub_created_at\` datetime(3) null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, \`supplier_external_id\` varchar(191) not null, \`product_external_id\` varchar(191) not null, \`quantity\` double not null, \`previous_quantity\` double null, \`quantity_changed\` tinyint(1) not null default false, \`purchase_price\` double null, \`sale_price\` double null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`stocks\` add unique \`stocks_external_id_unique\`(\`external_id\`);`);
    this.addSql(`alter table \`stocks\` add index \`stocks_odoo_id_index\`(\`odoo_id\`);`);
    this.addSql(`alter table \`stocks\` add index \`stocks_processing_state_index\`(\`processing_state\`);`);
    this.addSql(`alter table \`stocks\` add index \`stocks_product_external_id_index\`(\`product_external_id\`);`);
    this.addSql(`alter table \`stocks\` add index \`stocks_feed_idx\`(\`feed_pending\`, \`changed_at\`, \`id\`);`);
    this.addSql(`alter table \`stocks\` add index \`stocks_changed_idx\`(\`quantity_changed\`, \`changed_at\`, \`id\`);`);
    this.addSql(`alter table \`stocks\` add unique \`stocks_supplier_product_unique\`(\`supplier_external_id\`, \`product_external_id\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`api_tokens\`;`);

    this.addSql(`drop table if exists \`dependency_waits\`;`);

    this.addSql(`drop table if exists \`partners\`;`);

    this.addSql(`drop table if exists \`pricelist_items\`;`);

    this.addSql(`drop table if exists \`products\`;`);

    this.addSql(`drop table if exists \`purchase_orders\`;`);

    this.addSql(`drop table if exists \`purchase_order_lines\`;`);

    this.addSql(`drop table if exists \`sale_orders\`;`);

    this.addSql(`drop table if exists \`sale_order_lines\`;`);

    this.addSql(`drop table if exists \`stocks\`;`);
  }

}
