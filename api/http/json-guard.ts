import type { Context, Next } from 'koa';
import { ApiError, type ErrorDetail } from './errors';

/** Deeper bodies are refused before any record is built from them (MariaDB's JSON check stops at 32). */
export const MAX_JSON_DEPTH = 32;
const MAX_REPORTED = 20;
/** With the `u` flag a surrogate pair is one code point, so this matches only a surrogate standing alone. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A value still to visit, with the key it hangs under; its path is spelled out only for a problem. */
interface Visit {
  value: unknown;
  key: string;
  parent: Visit | undefined;
  depth: number;
}

function pathOf(visit: Visit, extra?: string): string {
  const keys: string[] = extra === undefined ? [] : [extra];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}

/**
 * Finds what no record may hold: nesting deeper than `maxDepth`, and text that is not valid Unicode (a lone
 * surrogate such as "\ud800", which no UTF-8 column stores), in keys and values alike. Walks without
 * recursion, so a body nested 100,000 deep costs a loop, not the stack; paths are built only for problems.
 */
export function unsafeJsonProblems(body: unknown, maxDepth = MAX_JSON_DEPTH): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const stack: Visit[] = [{ value: body, key: '', parent: undefined, depth: 0 }];
  while (stack.length > 0 && problems.length < MAX_REPORTED) {
    const visit = stack.pop()!;
    const value = visit.value;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) problems.push({ path: pathOf(visit), message: 'invalid text: lone surrogate' });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (visit.depth >= maxDepth) {
      problems.push({ path: pathOf(visit), message: `nested deeper than ${maxDepth} levels` });
      continue;
    }
    const depth = visit.depth + 1;
    for (const key of Object.keys(value)) {
      if (LONE_SURROGATE.test(key)) {
        problems.push({ path: pathOf(visit, '(key)'), message: 'invalid text in a key: lone surrogate' });
        continue;
      }
      const child = (value as Record<string, unknown>)[key];
      // Only strings and containers can hold a problem: numbers, booleans and nulls are not visited.
      if (typeof child === 'string' || (typeof child === 'object' && child !== null))
        stack.push({ value: child, key, parent: visit, depth });
    }
  }
  return problems;
}

/** Refuses a parsed JSON body that is nested too deep or carries invalid text, with the path of each problem. */
export async function jsonGuard(ctx: Context, next: Next): Promise<void> {
  const problems = unsafeJsonProblems((ctx.request as { body?: unknown }).body);
  if (problems.length > 0) throw new ApiError(400, 'validation_failed', 'The request is not valid', problems);
  await next();
}
