/**
 * Which real servers the suite runs against. `npm test` decides once (tests/support/global-setup.ts) and
 * passes the answer to every test file through these environment variables.
 */
export interface TestBackends {
  /** Server URL without a database, e.g. `mysql://root@127.0.0.1:3306`; undefined: embedded SQLite. */
  mysqlUrl: string | undefined;
  /** URL of the prepared legacy database; undefined: PostgreSQL not reachable. */
  legacyUrl: string | undefined;
  temporalAddress: string;
}

export function testBackends(): TestBackends {
  const temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  if (!temporalAddress) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run the suite with `npm test`');
  return {
    mysqlUrl: process.env.TEST_MYSQL_URL || undefined,
    legacyUrl: process.env.TEST_LEGACY_URL || undefined,
    temporalAddress,
  };
}
