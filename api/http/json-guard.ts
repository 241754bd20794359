import type { Context, Next } from 'koa';
import { ApiError, type ErrorDetail } from './errors';

/** Deeper bodies are refused before any record is built from them (MariaDB's JSON check stops at 32). */
export const MAX_JSON_DEPTH = 32;
const MAX_REPORTED = 20;
/** With the `u` flag a surrogate pair is one code point, so this matches only a surrogate standing alone. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Finds what no record may hold: nesting deeper than `maxDepth`, and text that is not valid Unicode (a lone
 * surrogate such as "\ud800", which no UTF-8 column stores), in keys and values alike. Walks without
 * recursion, so a body nested 100,000 deep costs a loop, not the stack.
 */
export function unsafeJsonProblems(body: unknown, maxDepth = MAX_JSON_DEPTH): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const stack: Array<{ value: unknown; path: string[] }> = [{ value: body, path: [] }];
  while (stack.length > 0 && problems.length < MAX_REPORTED) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) problems.push({ path: path.join('.'), message: 'invalid text: lone surrogate' });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (path.length >= maxDepth) {
      problems.push({ path: path.join('.'), message: `nested deeper than ${maxDepth} levels` });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) {
        problems.push({ path: [...path, '(key)'].join('.'), message: 'invalid text in a key: lone surrogate' });
        continue;
      }
      stack.push({ value: child, path: [...path, key] });
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
