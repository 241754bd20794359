import { ApplicationFailure } from '@temporalio/common';
import { describeDuration, toRetryFailure } from '../../activities/sync-back-retry';
import { OdooError } from '../../odoo/odoo-errors';
import { CreateOutcomePending } from '../../sync/sync-back/odoo-sale-order';

const delayMs = (failure: Error) => {
  const delay = (failure as ApplicationFailure).nextRetryDelay;
  return typeof delay === 'number' ? delay : undefined;
};

describe('how a failed sync-back attempt is retried', () => {
  it('stops on a refusal by Odoo, keeping its exception name and message', () => {
    const err = new OdooError('Closed fiscal period', { kind: 'permanent', odooName: 'odoo.exceptions.UserError' });
    const failure = toRetryFailure(err, 'closed', 30_000) as ApplicationFailure;
    expect(failure).toMatchObject({
      nonRetryable: true,
      type: 'OdooRejected',
      message: 'UserError: Closed fiscal period',
    });
  });

  it('leaves outages to the backoff while the breaker is closed', () => {
    const failure = toRetryFailure(new OdooError('HTTP 502', { kind: 'transient', status: 502 }), 'closed', 30_000);
    expect(failure).toMatchObject({ nonRetryable: false, type: 'OdooUnavailable' });
    expect(delayMs(failure)).toBeUndefined();
  });

  it('retries within about one open period while the breaker is open, and soon during its probe', () => {
    const err = new OdooError('circuit open', { kind: 'transient' });
    for (let i = 0; i < 20; i++) {
      const open = delayMs(toRetryFailure(err, 'open', 30_000))!;
      expect(open).toBeGreaterThanOrEqual(15_000);
      expect(open).toBeLessThanOrEqual(30_000);
      const probing = delayMs(toRetryFailure(err, 'half_open', 30_000))!;
      expect(probing).toBeGreaterThanOrEqual(500);
      expect(probing).toBeLessThanOrEqual(2_000);
    }
  });

  it('waits out an unanswered create before the next attempt may create again', () => {
    const failure = toRetryFailure(new CreateOutcomePending(42_000), 'closed', 30_000);
    expect(failure).toMatchObject({ type: 'OdooCreatePending' });
    expect(delayMs(failure)).toBe(42_000);
  });

  it.each([
    [7 * 86_400_000, '7d'],
    [3_000, '3s'],
    [90_000, '90s'],
    [1_500, '1500ms'],
  ])('describes %i ms as %s', (ms, text) => expect(describeDuration(ms)).toBe(text));
});
