import { CircuitBreaker, type BreakerState } from '../../odoo/circuit-breaker';
import { OdooError, type OdooErrorKind } from '../../odoo/odoo-errors';

const OPEN_MS = 10_000;

function setup(failureThreshold = 3) {
  let time = 0;
  const changes: Array<[BreakerState, BreakerState]> = [];
  const breaker = new CircuitBreaker({
    failureThreshold,
    openMs: OPEN_MS,
    now: () => time,
    onStateChange: (to, from) => changes.push([from, to]),
  });
  const calls = { count: 0 };
  const succeed = () =>
    breaker.run(async () => {
      calls.count++;
      return 'ok';
    });
  const fail = (kind: OdooErrorKind = 'transient') =>
    breaker.run(async () => {
      calls.count++;
      throw new OdooError(`${kind} failure`, { kind });
    });
  return { breaker, changes, calls, succeed, fail, advance: (ms: number) => (time += ms) };
}

async function failTimes(n: number, fail: () => Promise<unknown>) {
  for (let i = 0; i < n; i++) await expect(fail()).rejects.toBeInstanceOf(OdooError);
}

describe('CircuitBreaker', () => {
  it('passes results and errors through while closed', async () => {
    const { breaker, succeed, fail } = setup();
    await expect(succeed()).resolves.toBe('ok');
    await expect(fail()).rejects.toThrow('transient failure');
    expect(breaker.state).toBe('closed');
  });

  it('opens after N consecutive transient or unknown-outcome failures and then fails fast', async () => {
    const { breaker, calls, fail, succeed, changes } = setup(3);
    await failTimes(2, () => fail('transient'));
    expect(breaker.state).toBe('closed');
    await failTimes(1, () => fail('unknown_outcome'));
    expect(breaker.state).toBe('open');
    expect(changes).toEqual([['closed', 'open']]);

    const before = calls.count;
    const rejection = succeed();
    await expect(rejection).rejects.toBeInstanceOf(OdooError);
    await expect(rejection).rejects.toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(/circuit open/),
    });
    expect(calls.count).toBe(before);
  });

  it('counts errors that are not OdooErrors as failures', async () => {
    const { breaker } = setup(2);
    for (let i = 0; i < 2; i++) {
      await expect(breaker.run(() => Promise.reject(new TypeError('bug')))).rejects.toThrow('bug');
    }
    expect(breaker.state).toBe('open');
  });

  it('does not count permanent errors, and they break a run of failures', async () => {
    const { breaker, fail } = setup(3);
    await failTimes(2, () => fail('transient'));
    await failTimes(5, () => fail('permanent'));
    await failTimes(2, () => fail('transient'));
    expect(breaker.state).toBe('closed');
  });

  it('resets the count of consecutive failures on success', async () => {
    const { breaker, fail, succeed } = setup(3);
    await failTimes(2, fail);
    await succeed();
    await failTimes(2, fail);
    expect(breaker.state).toBe('closed');
  });

  it('lets one probe through after openMs and closes when it succeeds', async () => {
    const { breaker, calls, fail, succeed, advance, changes } = setup(2);
    await failTimes(2, fail);
    advance(OPEN_MS - 1);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half_open');

    let releaseProbe!: () => void;
    const probe = breaker.run(
      () =>
        new Promise<string>((resolve) => {
          calls.count++;
          releaseProbe = () => resolve('probe ok');
        }),
    );
    const before = calls.count;
    await expect(succeed()).rejects.toThrow(/circuit open/);
    expect(calls.count).toBe(before);

    releaseProbe();
    await expect(probe).resolves.toBe('probe ok');
    expect(breaker.state).toBe('closed');
    await expect(succeed()).resolves.toBe('ok');
    expect(changes).toEqual([
      ['closed', 'open'],
      ['open', 'half_open'],
      ['half_open', 'closed'],
    ]);
  });

  it('reopens for another openMs when the probe fails', async () => {
    const { breaker, fail, succeed, advance, changes } = setup(2);
    await failTimes(2, fail);
    advance(OPEN_MS);
    await expect(fail('unknown_outcome')).rejects.toThrow('unknown_outcome failure');
    expect(breaker.state).toBe('open');
    advance(OPEN_MS - 1);
    await expect(succeed()).rejects.toThrow(/circuit open/);
    advance(1);
    await expect(succeed()).resolves.toBe('ok');
    expect(changes.map(([, to]) => to)).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('closes when the probe gets a permanent error, since Odoo answered', async () => {
    const { breaker, fail, advance } = setup(2);
    await failTimes(2, fail);
    advance(OPEN_MS);
    await expect(fail('permanent')).rejects.toThrow('permanent failure');
    expect(breaker.state).toBe('closed');
  });

  it('ignores late answers to calls let through before the circuit opened', async () => {
    const { breaker, fail, advance } = setup(2);
    let finishSlowCall!: () => void;
    const slow = breaker.run(() => new Promise<void>((resolve) => (finishSlowCall = resolve)));
    await failTimes(2, fail);
    expect(breaker.state).toBe('open');
    finishSlowCall();
    await slow;
    expect(breaker.state).toBe('open');
    advance(OPEN_MS);
    expect(breaker.state).toBe('half_open');
  });

  it('rejects a threshold below 1', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, openMs: 1 })).toThrow(RangeError);
  });
});
