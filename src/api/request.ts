/** Reading a request: the JSON body, the query, path parameters, and the body of a PUT. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { ValidationError } from '../store/errors.ts';
import { nulCharacterIssues } from './nul-character.ts';
import { ApiProblem, toProblemIssues } from './problem.ts';

/**
 * The JSON body. 415 when it is not JSON by its content type, 400 when it is not UTF-8, does not parse or a string in it holds
 * a NUL character (which the store cannot keep: nul-character.ts).
 */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new ApiProblem(
      415,
      `send the body as application/json (got ${type ? JSON.stringify(type) : 'no content type'})`,
    );
  }
  let text: string;
  try {
    // Fatal: a byte sequence that is not UTF-8 is refused, not stored as U+FFFD in a name or a description.
    text = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer());
  } catch (error) {
    throw new ApiProblem(400, 'the body is not valid UTF-8', { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ApiProblem(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
  const issues = nulCharacterIssues(body);
  if (issues.length > 0) throw new ValidationError(issues);
  return body;
}

/** The query, parsed by `schema`; 400 naming each bad parameter. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    const issues = toProblemIssues(ValidationError.fromZod(parsed.error).issues);
    throw new ApiProblem(
      400,
      `the query is invalid: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      { extensions: { issues } },
    );
  }
  return parsed.data;
}

/** A path parameter (Hono has decoded it). */
export function param(c: Context, name: string): string {
  const value = c.req.param(name);
  if (value === undefined) throw new Error(`route has no parameter '${name}'`);
  return value;
}

/**
 * The body of a PUT, ready for the store's update schema: a client may send back what GET gave it, so the
 * row's bookkeeping (`version`, `createdAt`, `updatedAt`) is dropped, and the key fields (which come from the
 * URL) are dropped when they equal the URL's and are a 400 when they differ (a rename is create + delete).
 */
export function forUpdate(body: unknown, key: Record<string, string>): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { version: _v, createdAt: _c, updatedAt: _u, ...rest } = body as Record<string, unknown>;
  for (const [field, value] of Object.entries(key)) {
    if (!(field in rest)) continue;
    if (rest[field] !== value) {
      throw new ValidationError([
        {
          path: [field],
          message: `is ${JSON.stringify(value)} in the URL; a ${field} cannot be changed (create a new one and delete this one)`,
          code: 'custom',
        },
      ]);
    }
    delete rest[field];
  }
  return rest;
}
