import { OdooError } from './odoo-errors';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive transient or unknown-outcome failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe call is let through. */
  openMs: number;
  onStateChange?: (to: BreakerState, from: BreakerState) => void;
  now?: () => number;
}

/** Permanent errors prove Odoo is up and answering, so they do not count against it. */
function isOutageFailure(err: unknown): boolean {
  return !(err instanceof OdooError && err.kind === 'permanent');
}

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (options.failureThreshold < 1) throw new RangeError('failureThreshold must be at least 1');
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.openMs) this.transition('half_open');
    return this.current;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half_open' && this.probeInFlight)) {
      throw new OdooError('circuit open: Odoo calls are suspended after repeated failures', { kind: 'transient' });
    }
    const isProbe = state === 'half_open';
    if (isProbe) this.probeInFlight = true;
    try {
      const result = await fn();
      this.settle(isProbe, false);
      return result;
    } catch (err) {
      this.settle(isProbe, isOutageFailure(err));
      throw err;
    } finally {
      if (isProbe) this.probeInFlight = false;
    }
  }

  // Answers to calls let through before the circuit opened are ignored while it is open or probing.
  private settle(isProbe: boolean, failed: boolean): void {
    if (isProbe) {
      if (failed) this.open();
      else this.close();
      return;
    }
    if (this.current !== 'closed') return;
    if (!failed) {
      this.failures = 0;
    } else if (++this.failures >= this.options.failureThreshold) {
      this.open();
    }
  }

  private open(): void {
    this.openedAt = this.now();
    this.transition('open');
  }

  private close(): void {
    this.failures = 0;
    this.transition('closed');
  }

  private transition(to: BreakerState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.options.onStateChange?.(to, from);
  }
}
