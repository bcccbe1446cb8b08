/**
 * The NUL character (U+0000) in a request. PostgreSQL (and the embedded PGlite) cannot store it in text or jsonb
 * ("invalid byte sequence for encoding UTF8: 0x00"), so a name, a query value or a body string holding one
 * would reach the store and fail there as a 500. The API refuses it first: 400 naming the field. Found by the
 * API fuzzer (chaos/api-fuzz.ts), in path parameters, query values and bodies alike.
 */
import type { MiddlewareHandler } from 'hono';
import type { ValidationIssue } from '../store/errors.ts';
import type { ApiEnv } from './auth.ts';
import { ApiProblem, toProblemIssues } from './problem.ts';

const MESSAGE = 'must not contain the NUL character (U+0000)';

/** Issues for every string in `value` (object keys included) that holds a NUL, with its path. */
export function nulCharacterIssues(value: unknown, at: Array<string | number> = []): ValidationIssue[] {
  if (typeof value === 'string')
    return value.includes('\u0000') ? [{ path: at, message: MESSAGE, code: 'nul_character' }] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nulCharacterIssues(item, [...at, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(key.includes('\u0000')
      ? [{ path: [...at, key], message: `the key ${MESSAGE}`, code: 'nul_character' }]
      : []),
    ...nulCharacterIssues(item, [...at, key]),
  ]);
}

function refuse(where: 'path' | 'query', issues: ValidationIssue[]): never {
  const problemIssues = toProblemIssues(issues);
  throw new ApiProblem(
    400,
    `the ${where} is invalid: ${problemIssues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    { extensions: { issues: problemIssues } },
  );
}

/** Route middleware: 400 when a path parameter or a query parameter (name or value) holds a NUL. */
export function rejectNulCharacters(): MiddlewareHandler<ApiEnv> {
  return async function noNulCharacters(c, next) {
    const inPath = nulCharacterIssues(c.req.param());
    if (inPath.length > 0) refuse('path', inPath);
    const inQuery = nulCharacterIssues(c.req.queries());
    if (inQuery.length > 0)
      refuse(
        'query',
        inQuery.map((issue) => ({ ...issue, path: issue.path.slice(0, 1) })),
      );
    await next();
  };
}
