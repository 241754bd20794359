import { valueError } from './odoo-exception';

type Row = Record<string, unknown>;

const isEmpty = (v: unknown) => v === undefined || v === null || v === false;

function likePattern(pattern: string, wrap: boolean, flags: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(wrap ? body : `^${body}$`, flags);
}

function compare(actual: unknown, operator: string, value: unknown): boolean {
  switch (operator) {
    case '=':
      return isEmpty(value) ? isEmpty(actual) : actual === value;
    case '!=':
      return isEmpty(value) ? !isEmpty(actual) : actual !== value;
    case 'in':
    case 'not in': {
      if (!Array.isArray(value))
        throw valueError(`Invalid domain: "${operator}" needs a list, got ${JSON.stringify(value)}`);
      const found = value.some((v) => (isEmpty(v) ? isEmpty(actual) : v === actual));
      return operator === 'in' ? found : !found;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (isEmpty(actual)) return false;
      const [a, b] = [actual as number | string, value as number | string];
      return operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
    }
    case 'like':
    case 'ilike':
    case 'not like':
    case 'not ilike':
    case '=like':
    case '=ilike': {
      const insensitive = operator.includes('ilike');
      const matched =
        typeof actual === 'string' &&
        likePattern(String(value), !operator.startsWith('='), insensitive ? 'i' : '').test(actual);
      return operator.startsWith('not') ? !matched : matched;
    }
    default:
      throw valueError(`Invalid domain operator ${JSON.stringify(operator)}`);
  }
}

/** Evaluates an Odoo domain (prefix '&', '|', '!' and leaves, implicitly AND-ed) against one row. */
export function matchesDomain(row: Row, domain: unknown[]): boolean {
  let pos = 0;
  const next = (): boolean => {
    if (pos >= domain.length) throw valueError('Invalid domain: an operator is missing operands');
    const term = domain[pos++];
    if (term === '&' || term === '|') {
      const left = next();
      const right = next();
      return term === '&' ? left && right : left || right;
    }
    if (term === '!') return !next();
    if (!Array.isArray(term) || term.length !== 3) throw valueError(`Invalid domain term ${JSON.stringify(term)}`);
    const [field, operator, value] = term as [unknown, unknown, unknown];
    // Odoo's TRUE_LEAF and FALSE_LEAF.
    if (field === 1 || field === 0) return field === 1;
    if (typeof field !== 'string' || typeof operator !== 'string')
      throw valueError(`Invalid domain term ${JSON.stringify(term)}`);
    return compare(row[field], operator, value);
  };
  let result = true;
  while (pos < domain.length) result = next() && result;
  return result;
}
