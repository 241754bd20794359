import { ConfigError, loadConfig } from '../../config/config';

describe('sync-back and Odoo client configuration', () => {
  it('has defaults that protect Odoo and retry for a week', () => {
    const config = loadConfig({});
    expect(config.odooClient).toEqual({
      timeoutMs: 15_000,
      maxConcurrent: 4,
      breakerFailures: 5,
      breakerOpenMs: 30_000,
    });
    expect(config.syncBack).toEqual({
      deadlineMs: 7 * 86_400_000,
      retryInitialMs: 1_000,
      retryMaxMs: 300_000,
      attemptTimeoutMs: 120_000,
      heartbeatTimeoutMs: 10_000,
      unknownOutcomeSettleMs: 120_000,
      confirm: true,
    });
  });

  it('reads SYNC_BACK_CONFIRM as a boolean', () => {
    expect(loadConfig({ SYNC_BACK_CONFIRM: 'false' }).syncBack.confirm).toBe(false);
    expect(loadConfig({ SYNC_BACK_CONFIRM: 'TRUE' }).syncBack.confirm).toBe(true);
    expect(loadConfig({ SYNC_BACK_CONFIRM: '0' }).syncBack.confirm).toBe(false);
  });

  it('takes durations and limits from the environment', () => {
    const config = loadConfig({
      SYNC_BACK_DEADLINE: '2d',
      SYNC_BACK_RETRY_MAX: '10m',
      ODOO_MAX_CONCURRENT: '8',
      ODOO_BREAKER_OPEN: '1m',
    });
    expect(config.syncBack.deadlineMs).toBe(2 * 86_400_000);
    expect(config.syncBack.retryMaxMs).toBe(600_000);
    expect(config.odooClient).toMatchObject({ maxConcurrent: 8, breakerOpenMs: 60_000 });
  });

  it.each([
    ['SYNC_BACK_DEADLINE', 'forever'],
    ['ODOO_MAX_CONCURRENT', '0'],
    ['ODOO_TIMEOUT', '15 seconds'],
    ['SYNC_BACK_CONFIRM', 'maybe'],
  ])('stops on a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
