import { matchesDomain } from './domain';
import { missingError, userError, validationError, valueError } from './odoo-exception';

export type Row = { id: number } & Record<string, unknown>;
type Values = Record<string, unknown>;

interface ModelSpec {
  required: string[];
  many2one: Record<string, string>;
  one2many: Record<string, { model: string; inverse: string }>;
  defaults: (store: FakeStore, values: Values, id: number) => Values;
  computed: (store: FakeStore, row: Row) => Values;
}

const MODELS: Record<string, ModelSpec> = {
  'res.partner': {
    required: ['name'],
    many2one: { parent_id: 'res.partner' },
    one2many: {},
    defaults: () => ({ active: true, is_company: false }),
    computed: (_, row) => ({ display_name: row.name }),
  },
  'product.product': {
    required: ['name'],
    many2one: {},
    one2many: {},
    defaults: () => ({ active: true, list_price: 0, type: 'consu', sale_ok: true }),
    computed: (_, row) => ({ display_name: row.default_code ? `[${row.default_code}] ${row.name}` : row.name }),
  },
  'sale.order': {
    required: ['partner_id'],
    many2one: { partner_id: 'res.partner' },
    one2many: { order_line: { model: 'sale.order.line', inverse: 'order_id' } },
    defaults: (_, __, id) => ({ name: `S${String(id).padStart(5, '0')}`, state: 'draft' }),
    computed: (store, row) => {
      const lines = store.rowsWhere('sale.order.line', (line) => line.order_id === row.id);
      const total = lines.reduce((sum, line) => sum + subtotal(line), 0);
      return { display_name: row.name, amount_untaxed: total, amount_total: total };
    },
  },
  'sale.order.line': {
    required: ['order_id', 'product_id'],
    many2one: { order_id: 'sale.order', product_id: 'product.product' },
    one2many: {},
    defaults: (store, values) => {
      const product =
        typeof values.product_id === 'number' ? store.row('product.product', values.product_id) : undefined;
      return { product_uom_qty: 1, price_unit: product?.list_price ?? 0, name: product?.name ?? false };
    },
    computed: (_, row) => ({ display_name: row.name, price_subtotal: subtotal(row) }),
  },
};

function subtotal(line: Row): number {
  return Number(line.product_uom_qty ?? 0) * Number(line.price_unit ?? 0);
}

function parseOrder(order: string): Array<{ field: string; desc: boolean }> {
  return order.split(',').map((part) => {
    const [field = 'id', direction = 'asc'] = part.trim().split(/\s+/);
    return { field, desc: direction.toLowerCase() === 'desc' };
  });
}

/** In-memory records of the few models the sync uses, with Odoo's create/write/search semantics. */
export class FakeStore {
  private tables = new Map<string, Map<number, Row>>();
  private nextIds = new Map<string, number>();
  /** Undo steps of the running transaction, newest last; each restores one row as it was. */
  private undo: (() => void)[] | undefined;

  static knowsModel(model: string): boolean {
    return model in MODELS;
  }

  /** Runs `fn` as one transaction: nothing it changed survives an exception. */
  transaction<T>(fn: () => T): T {
    const outer = this.undo;
    const undo: (() => void)[] = [];
    const nextIds = new Map(this.nextIds);
    this.undo = undo;
    try {
      const result = fn();
      outer?.push(...undo);
      return result;
    } catch (err) {
      for (const step of undo.reverse()) step();
      this.nextIds = nextIds;
      throw err;
    } finally {
      this.undo = outer;
    }
  }

  /** Notes how a row is before a change, so a failing transaction can put it back (or remove it if new). */
  private remember(model: string, id: number): void {
    if (!this.undo) return;
    const table = this.table(model);
    const before = table.get(id);
    const copy = before === undefined ? undefined : structuredClone(before);
    this.undo.push(() => (copy === undefined ? table.delete(id) : table.set(id, copy)));
  }

  row(model: string, id: number): Row | undefined {
    return this.table(model).get(id);
  }

  rowsWhere(model: string, predicate: (row: Row) => boolean): Row[] {
    return [...this.table(model).values()].filter(predicate);
  }

  create(model: string, values: Values): number {
    const spec = this.spec(model);
    const id = this.nextIds.get(model) ?? 1;
    this.nextIds.set(model, id + 1);
    const { plain, commands } = this.split(spec, values);
    const row: Row = { ...spec.defaults(this, plain, id), ...plain, id };
    this.check(model, spec, row);
    this.remember(model, id);
    this.table(model).set(id, row);
    for (const [field, list] of Object.entries(commands)) this.applyCommands(spec, field, id, list);
    return id;
  }

  write(model: string, ids: number[], values: Values): void {
    const spec = this.spec(model);
    const { plain, commands } = this.split(spec, values);
    for (const id of ids) {
      const row = this.existing(model, id);
      this.remember(model, id);
      Object.assign(row, plain);
      this.check(model, spec, row);
      for (const [field, list] of Object.entries(commands)) this.applyCommands(spec, field, id, list);
    }
  }

  unlink(model: string, ids: number[]): void {
    for (const id of ids) {
      this.existing(model, id);
      const spec = this.spec(model);
      for (const { model: child, inverse } of Object.values(spec.one2many)) {
        for (const line of this.rowsWhere(child, (r) => r[inverse] === id)) {
          this.remember(child, line.id);
          this.table(child).delete(line.id);
        }
      }
      this.remember(model, id);
      this.table(model).delete(id);
    }
  }

  search(
    model: string,
    domain: unknown[],
    options: { offset?: number; limit?: number; order?: string } = {},
  ): number[] {
    this.spec(model);
    const keys = parseOrder(options.order || 'id');
    // Like Odoo, archived records are hidden unless the domain mentions `active`.
    const withArchived = domain.some((term) => Array.isArray(term) && term[0] === 'active');
    const rows = [...this.table(model).values()]
      .filter((row) => withArchived || row.active !== false)
      .filter((row) => matchesDomain(row, domain))
      .sort((a, b) => {
        for (const { field, desc } of keys) {
          const [x, y] = [a[field] as number | string, b[field] as number | string];
          if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
        }
        return 0;
      });
    const offset = options.offset ?? 0;
    return rows.slice(offset, options.limit ? offset + options.limit : undefined).map((row) => row.id);
  }

  /** Reads like Odoo: many2one as `[id, display_name]`, one2many as ids, unset as `false`. */
  read(model: string, ids: number[], fields?: string[]): Row[] {
    const spec = this.spec(model);
    return ids.map((id) => {
      const row = this.existing(model, id);
      const full: Record<string, unknown> = { ...row, ...spec.computed(this, row) };
      for (const [field, { model: child, inverse }] of Object.entries(spec.one2many)) {
        full[field] = this.rowsWhere(child, (r) => r[inverse] === id).map((r) => r.id);
      }
      const wanted = fields && fields.length > 0 ? fields : Object.keys(full);
      const out: Row = { id };
      for (const field of wanted) {
        const value = full[field];
        const comodel = spec.many2one[field];
        if (comodel && typeof value === 'number') {
          const target = this.row(comodel, value);
          out[field] = [value, target ? this.spec(comodel).computed(this, target).display_name : false];
        } else {
          out[field] = value === undefined || value === null ? false : value;
        }
      }
      return out;
    });
  }

  actionConfirm(ids: number[]): void {
    for (const id of ids) {
      const order = this.existing('sale.order', id);
      if (order.state !== 'draft' && order.state !== 'sent') {
        throw userError(`The following orders are not in a state requiring confirmation: ${String(order.name)}`);
      }
      this.remember('sale.order', id);
      order.state = 'sale';
      order.date_order = new Date().toISOString().slice(0, 19).replace('T', ' ');
    }
  }

  private table(model: string): Map<number, Row> {
    let table = this.tables.get(model);
    if (!table) this.tables.set(model, (table = new Map()));
    return table;
  }

  private spec(model: string): ModelSpec {
    const spec = MODELS[model];
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

  private split(spec: ModelSpec, values: Values): { plain: Values; commands: Record<string, unknown[]> } {
    const plain: Values = {};
    const commands: Record<string, unknown[]> = {};
    for (const [field, value] of Object.entries(values)) {
      if (field === 'id') continue;
      if (spec.one2many[field]) {
        if (!Array.isArray(value)) throw valueError(`Wrong value for ${field}: ${JSON.stringify(value)}`);
        commands[field] = value;
      } else {
        plain[field] = value;
      }
    }
    return { plain, commands };
  }

  private check(model: string, spec: ModelSpec, row: Row): void {
    for (const field of spec.required) {
      if (row[field] === undefined || row[field] === null || row[field] === false || row[field] === '') {
        throw validationError(
          `The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n\nModel: ${model}\nField: ${field}`,
        );
      }
    }
    for (const [field, comodel] of Object.entries(spec.many2one)) {
      const value = row[field];
      if (value === undefined || value === false || value === null) continue;
      if (typeof value !== 'number' || !this.row(comodel, value)) {
        throw validationError(
          `The operation cannot be completed: the record referenced by ${model}.${field} (${JSON.stringify(value)}) does not exist.`,
        );
      }
    }
  }

  /** One2many commands: (0, 0, vals) create, (1, id, vals) update, (2, id) delete, (5,) delete all. */
  private applyCommands(spec: ModelSpec, field: string, parentId: number, list: unknown[]): void {
    const { model: child, inverse } = spec.one2many[field]!;
    for (const command of list) {
      if (!Array.isArray(command)) throw valueError(`Invalid command for ${field}: ${JSON.stringify(command)}`);
      const [code, id, values] = command as [unknown, unknown, unknown];
      const lineValues = (values ?? {}) as Values;
      if (code === 0) {
        this.create(child, { ...lineValues, [inverse]: parentId });
      } else if (code === 1 && typeof id === 'number') {
        this.write(child, [id], lineValues);
      } else if (code === 2 && typeof id === 'number') {
        this.unlink(child, [id]);
      } else if (code === 5) {
        this.unlink(
          child,
          this.rowsWhere(child, (r) => r[inverse] === parentId).map((r) => r.id),
        );
      } else {
        throw valueError(`Unsupported command for ${field}: ${JSON.stringify(command)}`);
      }
    }
  }
}
