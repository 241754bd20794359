import type { Row } from './models';

function compare(a: Row, b: Row): number {
  const [x, y] = [a.write_date as string, b.write_date as string];
  return x < y ? -1 : x > y ? 1 : a.id - b.id;
}

/** One model's rows in `(write_date, id)` order, so a keyset page reads a slice instead of sorting the table. */
export class WriteDateIndex {
  private rows: Row[] = [];
  // Changes are cheap and order is restored when the index is next read, so bulk seeding never sorts:
  // a row arriving out of order (a late commit, an explicitly dated seed) marks the array unsorted, and a
  // removed row stays in place, listed as stale, until then.
  private sorted = true;
  private readonly stale = new Set<Row>();

  insert(row: Row): void {
    // Rows are replaced, never changed, so a row put back (an undone write) is still where it was.
    if (this.stale.delete(row)) return;
    const last = this.rows[this.rows.length - 1];
    if (last && compare(last, row) > 0) this.sorted = false;
    this.rows.push(row);
  }

  remove(row: Row): void {
    this.stale.add(row);
  }

  /** Rows from the first at or after `(writeDate, id)` (every row without it). */
  *ascending(from?: [writeDate: string, id: number]): Generator<Row> {
    const rows = this.settle();
    const start =
      from === undefined
        ? 0
        : this.search((r) => (r.write_date as string) < from[0] || (r.write_date === from[0] && r.id < from[1]));
    for (let i = start; i < rows.length; i++) yield rows[i]!;
  }

  *descending(): Generator<Row> {
    const rows = this.settle();
    for (let i = rows.length - 1; i >= 0; i--) yield rows[i]!;
  }

  private settle(): Row[] {
    if (this.stale.size > 0) {
      this.rows = this.rows.filter((row) => !this.stale.has(row));
      this.stale.clear();
    }
    if (!this.sorted) {
      this.rows.sort(compare);
      this.sorted = true;
    }
    return this.rows;
  }

  /** The first position where `before` turns false. */
  private search(before: (row: Row) => boolean): number {
    let [lo, hi] = [0, this.rows.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.rows[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
