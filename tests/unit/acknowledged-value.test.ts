import { isNewsToWebshop } from '../../sync/shared/acknowledged-value';

describe('isNewsToWebshop', () => {
  const ackedAt = new Date('2026-12-01T10:00:00Z');
  const before = new Date('2026-12-01T09:59:00Z');
  const after = new Date('2026-12-01T10:01:00Z');

  it('counts every value as news until the webshop first acknowledges one', () => {
    expect(isNewsToWebshop(5, { acknowledged: null, acknowledgedAt: null, servedAt: null })).toBe(true);
    expect(isNewsToWebshop(5, { acknowledged: null, acknowledgedAt: null, servedAt: after })).toBe(true);
  });

  it('counts a value other than the acknowledged one as news', () => {
    expect(isNewsToWebshop(7, { acknowledged: 5, acknowledgedAt: ackedAt, servedAt: before })).toBe(true);
  });

  it('does not count the acknowledged value (within float tolerance) when nothing was served since', () => {
    expect(isNewsToWebshop(5, { acknowledged: 5, acknowledgedAt: ackedAt, servedAt: before })).toBe(false);
    expect(isNewsToWebshop(5 + 1e-12, { acknowledged: 5, acknowledgedAt: ackedAt, servedAt: ackedAt })).toBe(false);
    expect(isNewsToWebshop(5, { acknowledged: 5, acknowledgedAt: ackedAt, servedAt: null })).toBe(false);
  });

  it('counts the acknowledged value as news once the feed served another value after the acknowledgement', () => {
    expect(isNewsToWebshop(5, { acknowledged: 5, acknowledgedAt: ackedAt, servedAt: after })).toBe(true);
  });
});
