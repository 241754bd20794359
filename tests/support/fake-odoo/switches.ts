/** Which model calls a switch applies to; an omitted field matches anything. */
export interface CallTarget {
  model?: string;
  method?: string;
}

export type Switch =
  | { kind: 'fail'; status: number }
  | { kind: 'hang'; ms: number }
  | { kind: 'drop' }
  | { kind: 'failWith'; name: string; message: string }
  /** Checked once a call has been run and answered: the server then stops accepting connections. */
  | { kind: 'refuse' };

type Armed = Switch & CallTarget & { remaining: number; after: number };

/** Failure switches armed by a test, each good for a number of matching calls, optionally after letting some through. */
export class Switches {
  private armed: Armed[] = [];

  arm(value: Switch, times: number, target: CallTarget, after = 0): void {
    this.armed.push({ ...value, ...target, remaining: times, after });
  }

  /**
   * Uses up one turn of the first armed switch of this kind that matches the call. Every matching switch
   * still letting calls through counts this call, whether or not another switch fires.
   */
  take<K extends Switch['kind']>(kind: K, call: CallTarget): Extract<Switch, { kind: K }> | undefined {
    let found: (Armed & Extract<Switch, { kind: K }>) | undefined;
    for (const s of this.armed) {
      if (
        s.kind !== kind ||
        s.remaining <= 0 ||
        (s.model !== undefined && s.model !== call.model) ||
        (s.method !== undefined && s.method !== call.method)
      ) {
        continue;
      }
      if (s.after > 0) s.after--;
      else found ??= s as Armed & Extract<Switch, { kind: K }>;
    }
    if (found) found.remaining--;
    return found;
  }

  clear(): void {
    this.armed = [];
  }
}
