import { nextDay, parseDomainDatetime } from './clock';
import { MODELS, type FieldSpec, type Row } from './models';
import { pyRepr, typeError, valueError } from './odoo-exception';

/** What evaluating a domain needs from the store. */
export interface DomainSource {
  row(model: string, id: number): Row | undefined;
  rowsPointingAt(model: string, field: string, id: number): Row[];
  displayName(model: string, row: Row): string | false;
  value(model: string, row: Row, field: string): unknown;
}

type Node =
  | { kind: 'const'; value: boolean }
  | { kind: 'not'; child: Node }
  | { kind: 'and' | 'or'; children: Node[] }
  | { kind: 'leaf'; test: (row: Row) => boolean; field?: string; operator?: string; expected?: unknown };

/** A position in `(write_date, id)` order; the id may be ±Infinity (before or after every id of that write_date). */
export type KeysetKey = [writeDate: string, id: number];

export interface CompiledDomain {
  matches(row: Row): boolean;
  /** A `(write_date, id)` position no matching row comes before, when the domain implies one (for index scans). */
  start: KeysetKey | undefined;
  /** Conditions every match meets of the form `field in ids` (or `=`), for index lookups. */
  lookups: Array<{ field: string; ids: number[] }>;
}

const OPERATORS = new Set([
  ...['=', '!=', '<', '>', '<=', '>=', 'in', 'not in', 'any', 'not any'],
  ...['like', 'not like', 'ilike', 'not ilike', '=like', '=ilike', '=?', '<>', '=='],
]);
const NEGATIVE: Record<string, string> = {
  '!=': '=',
  'not in': 'in',
  'not like': 'like',
  'not ilike': 'ilike',
  'not any': 'any',
};
const TRUE: Node = { kind: 'const', value: true };
const FALSE: Node = { kind: 'const', value: false };

/**
 * Compiles an Odoo domain (prefix '&', '|', '!' over conditions, implicitly AND-ed) for one model, with
 * Odoo 19's rules: unknown fields and operators raise ValueError, paths through relations become `any`,
 * and unless `activeTest` is off or the domain names `active`, archived records are left out.
 */
export function compileDomain(
  source: DomainSource,
  model: string,
  domain: unknown,
  activeTest: boolean,
): CompiledDomain {
  if (!Array.isArray(domain)) throw typeError(`Domain() invalid argument type for domain: ${pyRepr(domain)}`);
  let node = parse(domain, (term) => condition(source, model, term, activeTest));
  const mentionsActive = domain.some((item) => Array.isArray(item) && item[0] === 'active');
  if (activeTest && MODELS[model]!.fields.active && !mentionsActive) {
    node = { kind: 'and', children: [node, condition(source, model, ['active', '=', true], activeTest)] };
  }
  const root = node;
  return { matches: (row) => evaluate(root, row), start: lowest(bounds(root)), lookups: lookups(root) };
}

function parse(items: unknown[], leaf: (term: unknown[]) => Node): Node {
  const stack: Node[] = [];
  const pop = () => {
    const node = stack.pop();
    if (!node) throw valueError(`Domain() malformed domain ${pyRepr(items)}`);
    return node;
  };
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (Array.isArray(item) && item.length === 3) stack.push(leaf(item));
    else if (item === '&' || item === '|') stack.push({ kind: item === '&' ? 'and' : 'or', children: [pop(), pop()] });
    else if (item === '!') stack.push({ kind: 'not', child: pop() });
    else throw valueError(`Domain() invalid item in domain: ${pyRepr(item)}`);
  }
  if (stack.length === 0) return TRUE;
  return stack.length === 1 ? stack[0]! : { kind: 'and', children: stack.reverse() };
}

function evaluate(node: Node, row: Row): boolean {
  switch (node.kind) {
    case 'leaf':
      return node.test(row);
    case 'const':
      return node.value;
    case 'not':
      return !evaluate(node.child, row);
    case 'and':
      return node.children.every((child) => evaluate(child, row));
    case 'or':
      return node.children.some((child) => evaluate(child, row));
  }
}

interface Bounds {
  low?: KeysetKey;
  /** The one write_date the node allows, if it pins one. */
  pinned?: string;
  /** The lowest id the node allows. */
  minId?: number;
}

const before = (a: KeysetKey, b: KeysetKey) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
const later = (a: KeysetKey | undefined, b: KeysetKey | undefined) => (!a ? b : !b ? a : before(a, b) ? b : a);

/** Combines a pinned write_date with a lowest id: `write_date = W AND id > I` starts at (W, I + 1). */
function lowest(b: Bounds): KeysetKey | undefined {
  return b.pinned !== undefined && b.minId !== undefined ? later(b.low, [b.pinned, b.minId]) : b.low;
}

/** What a domain implies about where its matches start in `(write_date, id)` order, e.g. a keyset page's domain. */
function bounds(node: Node): Bounds {
  switch (node.kind) {
    case 'leaf': {
      const { field, operator, expected: v } = node;
      if (field === 'write_date') {
        if (typeof v === 'string') {
          if (operator === '>') return { low: [v, Infinity] };
          if (operator === '>=') return { low: [v, -Infinity] };
          if (operator === '=') return { low: [v, -Infinity], pinned: v };
        }
        if (operator === 'in' && Array.isArray(v) && v.every((x) => typeof x === 'string')) {
          return { low: [(v as string[]).reduce((a, b) => (a < b ? a : b)), -Infinity] };
        }
      }
      if (field === 'id' && typeof v === 'number') {
        if (operator === '>') return { minId: Math.floor(v) + 1 };
        if (operator === '>=' || operator === '=') return { minId: Math.ceil(v) };
      }
      return {};
    }
    case 'and': {
      const all = node.children.map(bounds);
      const ids = all.map((b) => b.minId).filter((id) => id !== undefined);
      return {
        low: all.reduce<KeysetKey | undefined>((key, b) => later(key, b.low), undefined),
        pinned: all.find((b) => b.pinned !== undefined)?.pinned,
        minId: ids.length ? Math.max(...ids) : undefined,
      };
    }
    case 'or': {
      const lows = node.children.map((c) => lowest(bounds(c)));
      if (lows.some((low) => low === undefined)) return {};
      return { low: (lows as KeysetKey[]).reduce((a, b) => (before(a, b) ? a : b)) };
    }
    default:
      return {};
  }
}

function lookups(node: Node): CompiledDomain['lookups'] {
  if (node.kind === 'and') return node.children.flatMap(lookups);
  if (node.kind !== 'leaf' || !node.field || (node.operator !== 'in' && node.operator !== '=')) return [];
  const ids = Array.isArray(node.expected) ? node.expected : [node.expected];
  return ids.every((id) => typeof id === 'number') ? [{ field: node.field, ids: ids as number[] }] : [];
}

const tuple = (field: unknown, operator: unknown, value: unknown) =>
  `(${pyRepr(field)}, ${pyRepr(operator)}, ${pyRepr(value)})`;

function condition(source: DomainSource, model: string, term: unknown[], activeTest: boolean): Node {
  const [fieldExpr, op, rawValue] = term;
  if (typeof fieldExpr !== 'string') {
    if (fieldExpr === 1 && op === '=' && rawValue === 1) return TRUE;
    if (fieldExpr === 0 && op === '=' && rawValue === 1) return FALSE;
    throw typeError(`Domain() invalid arguments: ${tuple(fieldExpr, op, rawValue)}`);
  }
  const where = `in condition ${tuple(fieldExpr, op, rawValue)}`;
  if (!fieldExpr) throw typeError(`Empty field name ${where}`);
  let operator = typeof op === 'string' ? op.toLowerCase() : '';
  if (!OPERATORS.has(operator)) throw valueError(`Invalid operator ${where}`);
  let value = rawValue === null || rawValue === undefined ? false : rawValue;
  if (operator === '=?') {
    if (!truthy(value)) return TRUE;
    operator = '=';
  }
  if (operator === '==') operator = '=';
  if (operator === '<>') operator = '!=';

  const [name, ...rest] = fieldExpr.split('.');
  const fields = MODELS[model]!.fields;
  const field = Object.hasOwn(fields, name!) ? fields[name!] : undefined;
  if (!field) throw valueError(`Invalid field ${model}.${name} ${where}`);
  const relational = field.type === 'many2one' || field.type === 'one2many';
  if (rest.length > 0) {
    if (!relational) throw valueError(`Invalid field ${model}.${fieldExpr} ${where}`);
    return condition(source, model, [name, 'any', [[rest.join('.'), operator, value]]], activeTest);
  }
  const ctx: Leaf = { source, model, name: name!, field, where, activeTest };

  if (operator === 'any' || operator === 'not any') return anyCondition(ctx, operator, value);
  if ((operator === '=' || operator === '!=') && Array.isArray(value)) {
    operator = operator === '=' ? 'in' : 'not in';
    if (value.length === 0) value = [false];
  }
  if (operator === 'in' || operator === 'not in') {
    if (!Array.isArray(value)) value = [value];
    if ((value as unknown[]).length === 0) return operator === 'in' ? FALSE : TRUE;
  }
  if (operator.endsWith('like')) {
    if (!truthy(value)) {
      const result = operator in NEGATIVE === operator.includes('=');
      if (relational || operator.includes('='))
        return condition(source, model, [name, result ? '!=' : '=', false], activeTest);
      return result ? TRUE : FALSE;
    }
    if (typeof value !== 'string') {
      if (operator.includes('=')) throw typeError(`The pattern to match must be a string ${where}`);
      value = String(value);
    }
  }
  if (relational) return relationalCondition(ctx, operator, value);
  if (field.type === 'datetime') return datetimeCondition(ctx, operator, value);
  return scalarCondition(ctx, operator, value);
}

interface Leaf {
  source: DomainSource;
  model: string;
  name: string;
  field: FieldSpec;
  where: string;
  activeTest: boolean;
}

const leaf = (ctx: Leaf, test: (row: Row) => boolean, operator?: string, expected?: unknown): Node => ({
  kind: 'leaf',
  test,
  field: ctx.name,
  operator,
  expected,
});

function anyCondition(ctx: Leaf, operator: string, value: unknown): Node {
  const { source, model, name, field } = ctx;
  if (field.type !== 'many2one' && field.type !== 'one2many' && name !== 'id') {
    throw valueError(`Cannot use 'any' with non-relational fields ${ctx.where}`);
  }
  const comodel = field.comodel ?? model;
  // Odoo searches a many2one's comodel with active_test off, an x2many's with the caller's context.
  const sub = compileDomain(source, comodel, value, field.type === 'one2many' && ctx.activeTest);
  const targets = relatedRows(ctx);
  const any = (row: Row) => targets(row).some((target) => sub.matches(target));
  return leaf(ctx, operator === 'any' ? any : (row) => !any(row));
}

/** The rows a relational field points at (the row itself for `id`). */
function relatedRows(ctx: Leaf): (row: Row) => Row[] {
  const { source, model, name, field } = ctx;
  if (field.type === 'one2many') return (row) => source.rowsPointingAt(field.comodel!, field.inverse!, row.id);
  if (field.type === 'many2one') {
    return (row) => {
      const id = source.value(model, row, name);
      const target = typeof id === 'number' ? source.row(field.comodel!, id) : undefined;
      return target ? [target] : [];
    };
  }
  return (row) => [row];
}

function relationalCondition(ctx: Leaf, operator: string, value: unknown): Node {
  const { source, field, where } = ctx;
  const comodel = field.comodel!;
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  if ((operator.startsWith('<') || operator.startsWith('>')) && typeof value === 'string') {
    throw typeError(`Inequality not supported for relational field using a string ${where}`);
  }
  const positive = NEGATIVE[operator] ?? operator;
  const negate = positive !== operator;
  const targets = relatedRows(ctx);
  const byName = operator.endsWith('like') || values.some((v) => typeof v === 'string');
  if (byName) {
    // Odoo searches the comodel by display_name and compares ids.
    const matchesTarget = (target: Row) => {
      const display = source.displayName(comodel, target) || null;
      if (positive.endsWith('like')) return compare(display, positive, value);
      return values.some((v) => (typeof v === 'number' ? target.id === v : display === v));
    };
    const test = (row: Row) => targets(row).some(matchesTarget);
    return leaf(ctx, negate ? (row) => !test(row) : test);
  }
  if (field.type === 'many2one') return scalarCondition(ctx, operator, value);
  const ids = (row: Row) => targets(row).map((t) => t.id);
  let test: (row: Row) => boolean;
  if (positive === '=' || positive === 'in') {
    test = (row) => {
      const linked = ids(row);
      return values.some((v) => (v === false ? linked.length === 0 : linked.includes(v as number)));
    };
  } else {
    throw typeError(`The fake Odoo does not compare the one2many ${ctx.model}.${ctx.name} with ${operator}`);
  }
  return leaf(ctx, negate ? (row) => !test(row) : test);
}

function datetimeCondition(ctx: Leaf, operator: string, value: unknown): Node {
  if (operator.endsWith('like')) return scalarCondition(ctx, operator, value);
  const parse = (v: unknown) => {
    if (v === false) return { text: false as const, day: false };
    if (typeof v !== 'string') throw valueError(`Failed to cast ${pyRepr(v)} into a datetime`);
    return parseDomainDatetime(v);
  };
  if (Array.isArray(value))
    return scalarCondition(
      ctx,
      operator,
      value.map((v) => parse(v).text),
    );
  const { text, day } = parse(value);
  if (text === false) {
    // Odoo: comparing a datetime to False matches nothing.
    if (operator.startsWith('<') || operator.startsWith('>')) return FALSE;
    return scalarCondition(ctx, operator, false);
  }
  if (day && operator === '>') return scalarCondition(ctx, '>=', nextDay(text));
  if (day && operator === '<=') return scalarCondition(ctx, '<', nextDay(text));
  return scalarCondition(ctx, operator, text);
}

/** The value a NULL column compares as: Odoo 19 gives numbers, text and booleans a falsy value. */
function falsyValue(field: FieldSpec): unknown {
  switch (field.type) {
    case 'integer':
    case 'float':
    case 'monetary':
      return 0;
    case 'char':
    case 'text':
      return '';
    case 'boolean':
      return false;
    default:
      return null;
  }
}

function scalarCondition(ctx: Leaf, operator: string, value: unknown): Node {
  const { source, model, name, field } = ctx;
  const falsy = falsyValue(field);
  const normalize =
    field.type === 'boolean'
      ? (v: unknown) => truthy(v)
      : (v: unknown) => (v === false || v === null || v === undefined ? falsy : v);
  const expected = Array.isArray(value) ? value.map(normalize) : normalize(value);
  if (expected === null && /^[<>]/.test(operator)) return FALSE;
  const read = field.compute && !field.stored ? (row: Row) => source.value(model, row, name) : (row: Row) => row[name];
  const operand = Array.isArray(expected) ? new Set(expected) : expected;
  return leaf(ctx, (row) => compare(normalize(read(row)), operator, operand), operator, expected);
}

function compare(actual: unknown, operator: string, value: unknown): boolean {
  switch (operator) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case 'in':
      return (value as Set<unknown>).has(actual);
    case 'not in':
      return !(value as Set<unknown>).has(actual);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (actual === null || value === null) return false;
      const [a, b] = [actual as number | string, value as number | string];
      return operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
    }
    default: {
      const negative = operator.startsWith('not ');
      if (actual === null) return negative;
      const positive = negative ? operator.slice(4) : operator;
      const matched = likePattern(String(value), !positive.startsWith('='), positive.includes('ilike')).test(
        String(actual),
      );
      return negative ? !matched : matched;
    }
  }
}

function likePattern(pattern: string, wrap: boolean, insensitive: boolean): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(wrap ? body : `^${body}$`, insensitive ? 'is' : 's');
}

/** Python's truthiness of a JSON value. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}
