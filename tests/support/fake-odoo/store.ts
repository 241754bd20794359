import { odooDatetime, realClock, toStoredDatetime, type Clock } from './clock';
import { compileDomain, type CompiledDomain } from './domain';
import {
  BASE_DATA,
  BASE_DATA_DATE,
  mandatoryFieldError,
  modelSpec,
  type FieldSpec,
  type ModelReader,
  type ModelSpec,
  type Row,
  type Values,
} from './models';
import { missingError, pyRepr, userError, validationError, valueError } from './odoo-exception';
import { comparator, parseOrder, type OrderTerm } from './ordering';
import { Table } from './table';

export type { Row } from './models';

export interface SearchOptions {
  offset?: number;
  limit?: number;
  order?: string;
  /** Odoo's `active_test` context key; default true. */
  activeTest?: boolean;
}

/** Fields Odoo sets itself: values given for them by a caller are dropped. */
const LOG_ACCESS = new Set(['id', 'create_date', 'write_date', 'create_uid', 'write_uid']);

const unset = (value: unknown) => value === undefined || value === null || value === false;

/** A model's fields sorted by what create and write do with them, worked out once per model. */
interface FieldPlan {
  stored: [name: string, compute: NonNullable<FieldSpec['compute']>][];
  required: string[];
  references: [name: string, comodel: string][];
  /** Many2one fields kept in the row, hence indexed. */
  many2ones: string[];
}

const plans = new WeakMap<ModelSpec, FieldPlan>();

function planOf(spec: ModelSpec): FieldPlan {
  let plan = plans.get(spec);
  if (!plan) {
    const fields = Object.entries(spec.fields);
    plan = {
      stored: fields.flatMap(([name, f]) =>
        f.stored && f.compute ? [[name, f.compute] as [string, typeof f.compute]] : [],
      ),
      required: fields.filter(([, f]) => f.required).map(([name]) => name),
      references: fields.flatMap(([name, f]) =>
        f.type === 'many2one' && !f.compute ? [[name, f.comodel!] as [string, string]] : [],
      ),
      many2ones: fields.filter(([, f]) => f.type === 'many2one' && (!f.compute || f.stored)).map(([name]) => name),
    };
    plans.set(spec, plan);
  }
  return plan;
}

/** In-memory Odoo models with Odoo's create/write/search/read semantics, write_date stamping included. */
export class FakeStore implements ModelReader {
  private readonly tables = new Map<string, Table>();
  private readonly nextIds = new Map<string, number>();
  /** Undo steps of the running transaction, newest last. */
  private undo: (() => void)[] | undefined;
  private startedAt: string | undefined;

  constructor(private readonly clock: Clock = realClock) {
    this.transaction(() => BASE_DATA.forEach(([model, values]) => this.create(model, values)), BASE_DATA_DATE);
  }

  static knowsModel(model: string): boolean {
    return modelSpec(model) !== undefined;
  }

  /** The running transaction's start time, which Odoo stamps on every row the transaction writes. */
  get now(): string {
    return this.startedAt ?? odooDatetime(this.clock());
  }

  /**
   * Runs `fn` as one transaction: nothing it changed survives an exception. It starts now, or at `at`
   * (Odoo text) for a transaction that began earlier. Ids are not given back on rollback: like
   * PostgreSQL sequences, a failed create uses up its id.
   */
  transaction<T>(fn: () => T, at?: string): T {
    const outer = this.undo;
    const outerStart = this.startedAt;
    const undo: (() => void)[] = [];
    if (outer === undefined) this.startedAt = at ?? odooDatetime(this.clock());
    this.undo = undo;
    try {
      const result = fn();
      if (outer) for (const step of undo) outer.push(step);
      return result;
    } catch (err) {
      for (const step of undo.reverse()) step();
      throw err;
    } finally {
      this.undo = outer;
      this.startedAt = outerStart;
    }
  }

  row(model: string, id: number): Row | undefined {
    return this.table(model).rows.get(id);
  }

  /** Every row of a model, in id order, as stored (no computed fields besides the stored ones). */
  rows(model: string): Row[] {
    const table = this.table(model);
    const rows = [...table.rows.values()];
    return table.idOrdered ? rows : rows.sort((a, b) => a.id - b.id);
  }

  rowsPointingAt(model: string, field: string, id: number): Row[] {
    const table = this.table(model);
    const index = table.pointing.get(field);
    if (!index) return [...table.rows.values()].filter((row) => row[field] === id);
    return [...(index.get(id) ?? [])].map((childId) => table.rows.get(childId)!);
  }

  displayName(model: string, row: Row): string | false {
    return this.spec(model).displayName(this, row);
  }

  /** A field's value as domains and ordering see it: one2many as ids, computed fields computed. */
  value(model: string, row: Row, name: string): unknown {
    const field = this.spec(model).fields[name]!;
    if (field.type === 'one2many') return this.childIds(field, row.id);
    if (field.compute && !field.stored) return field.compute(this, row);
    return row[name];
  }

  create(model: string, values: Values, createDate?: string): number {
    const spec = this.spec(model);
    const id = this.nextIds.get(model) ?? 1;
    this.nextIds.set(model, id + 1);
    const { plain, commands } = this.split(model, spec, values);
    const now = this.now;
    const row: Row = { id, create_date: createDate ?? now, write_date: now };
    Object.assign(row, spec.defaults?.(this, plain, id, now), plain);
    this.withStored(spec, row);
    this.check(model, spec, row);
    this.put(model, id, row);
    this.applyCommands(spec, id, commands);
    this.recomputeDependents(model, [row]);
    return id;
  }

  /** Like Odoo's write(): every record written gets the transaction's time as write_date, even if nothing changed. */
  write(model: string, ids: number[], values: Values): void {
    const spec = this.spec(model);
    const { plain, commands } = this.split(model, spec, values);
    // Checked before anything is written: Odoo's transaction would roll the whole write back.
    if (model === 'sale.order') for (const id of ids) this.checkOrderLineCommands(id, commands.order_line ?? []);
    for (const id of ids) {
      const before = this.existing(model, id);
      const row = this.withStored(spec, Object.assign({}, before, plain, { write_date: this.now }));
      this.check(model, spec, row);
      this.put(model, id, row);
      this.applyCommands(spec, id, commands);
      this.recomputeDependents(model, [before, row]);
    }
  }

  unlink(model: string, ids: number[]): void {
    const spec = this.spec(model);
    for (const id of ids) {
      const row = this.existing(model, id);
      for (const field of Object.values(spec.fields)) {
        if (field.type !== 'one2many') continue;
        const children = this.rowsPointingAt(field.comodel!, field.inverse!, id);
        if (field.cascade) {
          this.unlink(
            field.comodel!,
            children.map((c) => c.id),
          );
        } else {
          // ON DELETE SET NULL happens in the database: no write_date.
          for (const child of children) this.put(field.comodel!, child.id, { ...child, [field.inverse!]: false });
        }
      }
      this.put(model, id, undefined);
      this.recomputeDependents(model, [row]);
    }
  }

  search(model: string, domain: unknown, options: SearchOptions = {}): number[] {
    const spec = this.spec(model);
    const terms = parseOrder(model, options.order || spec.order);
    const filter = compileDomain(this, model, domain, options.activeTest ?? true);
    const offset = options.offset ?? 0;
    const limit = options.limit || Infinity;
    const table = this.table(model);
    const found = this.lookup(table, filter);
    const ordered = found ? undefined : this.inOrder(table, terms, filter);
    if (!ordered) {
      const rows = [...(found ?? this.candidates(model, filter))]
        .filter(filter.matches)
        .sort(comparator(this, model, terms));
      return rows.slice(offset, offset + limit).map((row) => row.id);
    }
    const ids: number[] = [];
    let skip = offset;
    for (const row of ordered) {
      if (!filter.matches(row)) continue;
      if (skip > 0) skip--;
      else if (ids.push(row.id) >= limit) break;
    }
    return ids;
  }

  count(model: string, domain: unknown, options: { limit?: number; activeTest?: boolean } = {}): number {
    this.spec(model);
    const filter = compileDomain(this, model, domain, options.activeTest ?? true);
    const limit = options.limit || Infinity;
    let count = 0;
    for (const row of this.lookup(this.table(model), filter) ?? this.candidates(model, filter)) {
      if (filter.matches(row) && ++count >= limit) break;
    }
    return count;
  }

  /** Reads like Odoo: many2one as `[id, display_name]`, one2many as ids, unset as `false` (numbers as 0). */
  read(model: string, ids: number[], fields?: string[]): Row[] {
    const spec = this.spec(model);
    const names = fields && fields.length > 0 ? fields : Object.keys(spec.fields);
    for (const name of names) {
      if (typeof name !== 'string' || !Object.hasOwn(spec.fields, name)) {
        throw valueError(`Invalid field ${pyRepr(name)} on model '${model}'`);
      }
    }
    return ids.map((id) => {
      const row = this.existing(model, id);
      const out: Row = { id };
      for (const name of names) out[name] = this.readValue(model, spec.fields[name]!, row, name);
      return out;
    });
  }

  /**
   * Odoo 17's `action_confirm`: only quotations (draft, sent) are confirmed, as one transaction for all `ids`.
   * A line whose product is archived stops it (as the product's own constraints would in Odoo).
   */
  actionConfirm(ids: number[]): void {
    for (const id of ids) {
      const order = this.existing('sale.order', id);
      if (order.state !== 'draft' && order.state !== 'sent') {
        throw userError('Some orders are not in a state requiring confirmation.');
      }
      const archived = this.rowsPointingAt('sale.order.line', 'order_id', id)
        .map((line) => (typeof line.product_id === 'number' ? this.row('product.product', line.product_id) : undefined))
        .filter((product): product is Row => product !== undefined && product.active === false);
      if (archived.length) {
        const names = [...new Set(archived.map((p) => String(this.displayName('product.product', p))))];
        throw userError(
          `You cannot confirm ${String(order.name)}: the following products are archived: ${names.join(', ')}. Restore them or remove their lines first.`,
        );
      }
      this.write('sale.order', [id], { state: 'sale', date_order: this.now });
    }
  }

  /**
   * Odoo's `action_cancel` (with `disable_cancel_warning`, so no wizard): a locked order (`done`) is refused, as
   * are orders delivered (a line with `qty_delivered`) or invoiced; a cancelled order stays cancelled.
   */
  actionCancel(ids: number[]): void {
    for (const id of ids) {
      const order = this.existing('sale.order', id);
      if (order.state === 'done') throw userError('You cannot cancel a locked order. Please unlock it first.');
      if (order.invoice_status === 'invoiced') {
        throw userError(
          `You cannot cancel ${String(order.name)}: it has been invoiced. Cancel or reverse its invoices first.`,
        );
      }
      const delivered = this.rowsPointingAt('sale.order.line', 'order_id', id).some(
        (line) => typeof line.qty_delivered === 'number' && line.qty_delivered > 0,
      );
      if (delivered) {
        throw userError(
          `You cannot cancel ${String(order.name)}: some of its products have been delivered. Return them first.`,
        );
      }
      this.write('sale.order', [id], { state: 'cancel' });
    }
  }

  /** The table's rows already in the order asked for, when an index or the id sequence gives it. */
  private inOrder(table: Table, terms: OrderTerm[], filter: CompiledDomain): Iterable<Row> | undefined {
    const [first, second] = terms;
    if (
      first?.field === 'write_date' &&
      (terms.length === 1 || (terms.length === 2 && second!.field === 'id' && second!.desc === first.desc))
    ) {
      return first.desc ? table.byWriteDate.descending() : table.byWriteDate.ascending(filter.start);
    }
    if (terms.length === 1 && first?.field === 'id' && !first.desc && table.idOrdered) return table.rows.values();
    return undefined;
  }

  /**
   * The rows a domain's `field in ids` condition points to through an index, when that is a small part of
   * the table (a whole-table condition such as `pricelist_id = 1` is better left to a scan).
   */
  private lookup(table: Table, filter: CompiledDomain): Row[] | undefined {
    let best: number[] | undefined;
    for (const { field, ids } of filter.lookups) {
      const index = table.pointing.get(field);
      if (field !== 'id' && !index) continue;
      const found = field === 'id' ? ids : ids.flatMap((id) => [...(index!.get(id) ?? [])]);
      if (!best || found.length < best.length) best = found;
    }
    if (!best || best.length > table.rows.size / 4) return undefined;
    return [...new Set(best)].flatMap((id) => table.rows.get(id) ?? []);
  }

  /** Where to look for matches: from where the domain's `(write_date, id)` bound starts, if it has one. */
  private candidates(model: string, filter: CompiledDomain): Iterable<Row> {
    const table = this.table(model);
    return filter.start ? table.byWriteDate.ascending(filter.start) : table.rows.values();
  }

  private readValue(model: string, field: FieldSpec, row: Row, name: string): unknown {
    const value = this.value(model, row, name);
    switch (field.type) {
      case 'many2one': {
        const target = typeof value === 'number' ? this.row(field.comodel!, value) : undefined;
        return typeof value === 'number' ? [value, target ? this.displayName(field.comodel!, target) : false] : false;
      }
      case 'integer':
      case 'float':
      case 'monetary':
        return typeof value === 'number' ? value : 0;
      case 'boolean':
        return Boolean(value);
      default:
        return unset(value) ? false : value;
    }
  }

  private childIds(field: FieldSpec, parentId: number): number[] {
    const comodel = field.comodel!;
    const order = comparator(this, comodel, parseOrder(comodel, this.spec(comodel).order));
    return this.rowsPointingAt(comodel, field.inverse!, parentId)
      .sort(order)
      .map((row) => row.id);
  }

  private put(model: string, id: number, next: Row | undefined): void {
    const table = this.table(model);
    const prev = table.rows.get(id);
    this.undo?.push(() => table.put(id, prev));
    table.put(id, next);
  }

  private withStored(spec: ModelSpec, row: Row): Row {
    for (const [name, compute] of planOf(spec).stored) row[name] = compute(this, row) ?? false;
    return row;
  }

  /** Recomputes the stored fields of the rows depending on these; a row whose values change is stamped. */
  private recomputeDependents(model: string, rows: Row[]): void {
    const dependents = this.spec(model).dependents;
    if (!dependents) return;
    const done = new Set<string>();
    for (const row of rows) {
      for (const [dependentModel, id] of dependents(this, row)) {
        const key = `${dependentModel}:${id}`;
        if (done.has(key)) continue;
        done.add(key);
        this.recompute(dependentModel, id);
      }
    }
  }

  private recompute(model: string, id: number): void {
    const row = this.row(model, id);
    if (!row) return;
    const spec = this.spec(model);
    const next = this.withStored(spec, { ...row });
    const changed = planOf(spec).stored.some(([name]) => next[name] !== row[name]);
    if (!changed) return;
    next.write_date = this.now;
    this.put(model, id, next);
    this.recomputeDependents(model, [row, next]);
  }

  private table(model: string): Table {
    let table = this.tables.get(model);
    if (!table) this.tables.set(model, (table = new Table(planOf(this.spec(model)).many2ones)));
    return table;
  }

  private spec(model: string): ModelSpec {
    const spec = modelSpec(model);
    if (!spec) throw userError(`Object ${model} doesn't exist`);
    return spec;
  }

  private existing(model: string, id: number): Row {
    const row = this.row(model, id);
    if (!row) {
      throw missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`);
    }
    return row;
  }

  /** Checks and converts the values of a create or write; one2many values are commands, kept apart. */
  private split(model: string, spec: ModelSpec, values: Values) {
    const plain: Values = {};
    const commands: Record<string, unknown[]> = {};
    for (const [name, value] of Object.entries(spec.prepare ? spec.prepare(values) : values)) {
      const field = Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined;
      if (!field) throw valueError(`Invalid field '${name}' in '${model}'`);
      if (LOG_ACCESS.has(name) || field.compute) continue;
      if (field.type === 'one2many') {
        if (!Array.isArray(value)) throw valueError(`Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        commands[name] = value;
      } else if (field.type === 'datetime') {
        plain[name] = toStoredDatetime(value);
      } else if (field.type === 'selection' && !unset(value) && !field.selection!.includes(value as string)) {
        throw valueError(`Wrong value for ${model}.${name}: ${pyRepr(value)}`);
      } else {
        plain[name] = value === null || value === undefined ? false : value;
      }
    }
    return { plain, commands };
  }

  private check(model: string, spec: ModelSpec, row: Row): void {
    const plan = planOf(spec);
    for (const name of plan.required) {
      if (unset(row[name]) || row[name] === '') throw mandatoryFieldError(model, name);
    }
    for (const [name, comodel] of plan.references) {
      const value = row[name];
      if (!unset(value) && (typeof value !== 'number' || !this.row(comodel, value))) {
        throw validationError(
          `The operation cannot be completed: the record referenced by ${model}.${name} (${JSON.stringify(value)}) does not exist.`,
        );
      }
    }
    spec.constrain?.(this, row);
  }

  /** One2many commands: (0, 0, vals) create, (1, id, vals) update, (2, id) delete, (5,) delete all. */
  /**
   * Odoo's rules for changing a sale order's lines: a locked order (`done`) takes no change to its lines, and a line of
   * a confirmed order cannot be deleted (Odoo says to set its quantity to 0 instead).
   */
  private checkOrderLineCommands(orderId: number, commands: unknown[]): void {
    if (!commands.length) return;
    const order = this.existing('sale.order', orderId);
    if (order.state === 'done') {
      throw userError('It is forbidden to modify the following fields in a locked order:\nOrder Lines');
    }
    for (const command of commands) {
      if (!Array.isArray(command) || command[0] !== 2 || typeof command[1] !== 'number') continue;
      const line = this.row('sale.order.line', command[1]);
      if (order.state === 'sale' && line && !line.display_type) {
        throw userError(
          'You can not remove an order line once the sales order is confirmed.\nYou should rather set the quantity to 0.',
        );
      }
    }
  }

  private applyCommands(spec: ModelSpec, parentId: number, commands: Record<string, unknown[]>): void {
    for (const [name, list] of Object.entries(commands)) {
      const { comodel, inverse } = spec.fields[name]! as Required<FieldSpec>;
      for (const command of list) {
        if (!Array.isArray(command)) throw valueError(`Invalid command for ${name}: ${JSON.stringify(command)}`);
        const [code, id, values] = command as [unknown, unknown, unknown];
        const lineValues = (values ?? {}) as Values;
        if (code === 0) this.create(comodel, { ...lineValues, [inverse]: parentId });
        else if (code === 1 && typeof id === 'number') this.write(comodel, [id], lineValues);
        else if (code === 2 && typeof id === 'number') this.unlink(comodel, [id]);
        else if (code === 5) {
          this.unlink(
            comodel,
            this.rowsPointingAt(comodel, inverse, parentId).map((r) => r.id),
          );
        } else throw valueError(`Unsupported command for ${name}: ${JSON.stringify(command)}`);
      }
    }
  }
}
