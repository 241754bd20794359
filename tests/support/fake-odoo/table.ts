import type { Row } from './models';
import { WriteDateIndex } from './write-date-index';

/** One model's rows, with the indexes searches use: `(write_date, id)` order and each stored many2one. */
export class Table {
  readonly rows = new Map<number, Row>();
  readonly byWriteDate = new WriteDateIndex();
  /** For each stored many2one: target id → ids of the rows holding it. */
  readonly pointing = new Map<string, Map<number, Set<number>>>();
  /** False once an id came back below higher ones (an undone unlink): the map's order is no longer id order. */
  idOrdered = true;
  private maxId = 0;

  constructor(many2ones: string[]) {
    for (const field of many2ones) this.pointing.set(field, new Map());
  }

  put(id: number, next: Row | undefined): void {
    const prev = this.rows.get(id);
    if (prev) {
      this.byWriteDate.remove(prev);
      this.link(prev, false);
    }
    if (!next) {
      this.rows.delete(id);
      return;
    }
    if (!prev) {
      if (id < this.maxId) this.idOrdered = false;
      this.maxId = Math.max(this.maxId, id);
    }
    this.rows.set(id, next);
    this.byWriteDate.insert(next);
    this.link(next, true);
  }

  private link(row: Row, add: boolean): void {
    for (const [field, index] of this.pointing) {
      const target = row[field];
      if (typeof target !== 'number') continue;
      let ids = index.get(target);
      if (add) index.set(target, (ids ??= new Set()).add(row.id));
      else ids?.delete(row.id);
    }
  }
}
