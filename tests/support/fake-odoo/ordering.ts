import { MODELS, type Row } from './models';
import { typeError, valueError } from './odoo-exception';

export interface OrderTerm {
  field: string;
  desc: boolean;
  nullsFirst: boolean;
}

const TERM = /^(.*?)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$/i;

/** Parses an `order` the way Odoo 19 does; an unknown field raises Odoo's ValueError. */
export function parseOrder(model: string, order: string): OrderTerm[] {
  const fields = MODELS[model]!.fields;
  return order.split(',').map((part) => {
    const match = TERM.exec(part.trim())!;
    const expression = match[1]!;
    if (!expression) throw valueError('Invalid empty field expression');
    const name = expression.split(/[.:]/)[0]!;
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (!field) throw valueError(`Invalid field '${name}' on model '${model}'`);
    if (expression !== name || field.type === 'one2many') {
      throw typeError(`The fake Odoo cannot order ${model} by ${expression}`);
    }
    const desc = match[2]?.toLowerCase() === 'desc';
    const nulls = match[3]?.toLowerCase();
    // PostgreSQL puts NULLs last ascending and first descending.
    return { field: name, desc, nullsFirst: nulls ? nulls === 'first' : desc };
  });
}

/** How the rows of a model are read for ordering. */
export interface OrderSource {
  row(model: string, id: number): Row | undefined;
  value(model: string, row: Row, field: string): unknown;
}

type Compare = (a: Row, b: Row) => number;

/** Compares rows as `ORDER BY` would; a many2one orders by its comodel's own `_order`, as Odoo does. */
export function comparator(source: OrderSource, model: string, terms: OrderTerm[]): Compare {
  const fields = MODELS[model]!.fields;
  const parts = terms.map(({ field: name, desc, nullsFirst }) => {
    const field = fields[name]!;
    let key: (row: Row) => unknown = (row) => source.value(model, row, name);
    let compare = (x: unknown, y: unknown): number =>
      (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
    if (field.type === 'many2one') {
      const comodel = field.comodel!;
      key = (row) => {
        const id = source.value(model, row, name);
        return typeof id === 'number' ? source.row(comodel, id) : undefined;
      };
      let inner: Compare | undefined;
      compare = (x, y) =>
        (inner ??= comparator(source, comodel, parseOrder(comodel, MODELS[comodel]!.order)))(x as Row, y as Row);
    } else if (field.type === 'boolean') {
      const plain = key;
      key = (row) => (plain(row) ? 1 : 0);
    } else if (field.type === 'integer' || field.type === 'float' || field.type === 'monetary') {
      const plain = key;
      key = (row) => {
        const v = plain(row);
        return typeof v === 'number' ? v : 0;
      };
    }
    return { key, compare, desc, nullsFirst };
  });
  return (a, b) => {
    for (const { key, compare, desc, nullsFirst } of parts) {
      const [x, y] = [key(a), key(b)];
      const [xNull, yNull] = [
        x === undefined || x === null || x === false,
        y === undefined || y === null || y === false,
      ];
      if (xNull || yNull) {
        if (xNull && yNull) continue;
        return xNull === nullsFirst ? -1 : 1;
      }
      const c = compare(x, y);
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  };
}
