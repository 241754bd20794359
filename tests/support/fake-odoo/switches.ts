/** Which model calls a switch applies to; an omitted field matches anything. */
export interface CallTarget {
  model?: string;
  method?: string;
}

export type Switch =
  | { kind: 'fail'; status: number }
  | { kind: 'hang'; ms: number }
  | { kind: 'drop' }
  | { kind: 'failWith'; name: string; message: string };

type Armed = Switch & CallTarget & { remaining: number };

/** Failure switches armed by a test, each good for a number of matching calls. */
export class Switches {
  private armed: Armed[] = [];

  arm(value: Switch, times: number, target: CallTarget): void {
    this.armed.push({ ...value, ...target, remaining: times });
  }

  /** Uses up one turn of the first armed switch of this kind that matches the call. */
  take<K extends Switch['kind']>(kind: K, call: CallTarget): Extract<Switch, { kind: K }> | undefined {
    const found = this.armed.find(
      (s): s is Armed & Extract<Switch, { kind: K }> =>
        s.kind === kind &&
        s.remaining > 0 &&
        (s.model === undefined || s.model === call.model) &&
        (s.method === undefined || s.method === call.method),
    );
    if (found) found.remaining--;
    return found;
  }

  clear(): void {
    this.armed = [];
  }
}
