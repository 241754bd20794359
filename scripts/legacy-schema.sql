-- Schema of the legacy PostgreSQL database (read-only source of partners and products).
--
-- Mounted into the legacy-postgres container as /docker-entrypoint-initdb.d/01-schema.sql,
-- so it runs once, as the database owner, when the data volume is first initialised.
-- Safe to run again by hand (psql -f scripts/legacy-schema.sql).

CREATE TABLE IF NOT EXISTS partner (
  id          serial PRIMARY KEY,
  external_id varchar(191) UNIQUE NOT NULL,
  odoo_id     integer,
  json_data   jsonb
);

CREATE TABLE IF NOT EXISTS product (
  id          serial PRIMARY KEY,
  external_id varchar(191) UNIQUE NOT NULL,
  odoo_id     integer,
  json_data   jsonb,
  context     varchar(64)
);

-- Read-only login used by the service (LEGACY_DATABASE_URL).
-- Its password comes from the custom setting sync.reader_password, which docker-compose passes in
-- through PGOPTIONS (-c sync.reader_password=...). When the role is created without it, the
-- development default "sync_reader" is used: change it for anything but local use. Running the
-- script again without the setting leaves an existing password alone.
DO $$
DECLARE
  configured_password text := nullif(current_setting('sync.reader_password', true), '');
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sync_reader') THEN
    EXECUTE format('CREATE ROLE sync_reader LOGIN PASSWORD %L', coalesce(configured_password, 'sync_reader'));
  ELSIF configured_password IS NOT NULL THEN
    EXECUTE format('ALTER ROLE sync_reader PASSWORD %L', configured_password);
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO sync_reader', current_database());
END
$$;

ALTER ROLE sync_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;

-- Every transaction of the role is read-only, on top of it holding no write privileges.
ALTER ROLE sync_reader SET default_transaction_read_only = on;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO sync_reader;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM sync_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO sync_reader;
-- Tables the owner adds later are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO sync_reader;
