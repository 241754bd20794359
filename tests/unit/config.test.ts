import { ConfigError, loadConfig } from '../../config/config';
import { parseDuration } from '../../config/duration';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1500', 1500],
    ['1.5s', 1500],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '5 minutes', '-1s', '5w'])('rejects %p', (text) => expect(parseDuration(text)).toBeNull());
});

describe('loadConfig', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.kind).toBe('sqlite');
    expect(config.temporal).toMatchObject({ address: undefined, namespace: 'default', taskQueue: 'odoo-webshop-sync' });
    expect(config.dependencyGracePeriodMs).toBe(5 * 60_000);
    expect(config.stubStaleAfterMs).toBe(7 * 86_400_000);
    expect(config.legacyDatabaseUrl).toBeUndefined();
    expect(config.odoo).toBeUndefined();
  });

  it('takes MySQL, legacy, Temporal and Odoo settings', () => {
    const config = loadConfig({
      DATABASE_URL: 'mysql://u:p@db:3306/sync',
      LEGACY_DATABASE_URL: 'postgresql://r@legacy/legacy',
      TEMPORAL_ADDRESS: 'temporal:7233',
      DEPENDENCY_GRACE_PERIOD: '90s',
      ODOO_URL: 'https://odoo.example',
      ODOO_DB: 'prod',
      ODOO_LOGIN: 'sync',
      ODOO_API_KEY: 'k',
      ODOO_PROTOCOL: 'json2',
    });
    expect(config.database).toEqual({ kind: 'mysql', url: 'mysql://u:p@db:3306/sync' });
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.dependencyGracePeriodMs).toBe(90_000);
    expect(config.odoo).toEqual({
      url: 'https://odoo.example',
      db: 'prod',
      login: 'sync',
      apiKey: 'k',
      protocol: 'json2',
    });
  });

  it.each([
    ['DEPENDENCY_GRACE_PERIOD', 'soon'],
    ['STUB_STALE_AFTER', '7 days'],
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'postgres://x/y'],
    ['ODOO_PROTOCOL', 'xmlrpc'],
  ])('stops on a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
