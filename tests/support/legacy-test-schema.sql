-- The legacy tables as the contract describes them. json_data is jsonb in partner and text in product,
-- so both storage forms are exercised.
create table partner (
  id serial primary key,
  external_id varchar(191) unique not null,
  odoo_id integer,
  json_data jsonb
);
create table product (
  id serial primary key,
  external_id varchar(191) unique not null,
  odoo_id integer,
  json_data text,
  context varchar(64)
);
