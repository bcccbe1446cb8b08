/** RFC 9457 problem+json responses: the one shape of every API error. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ensureError } from '../errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  extra: Partial<Problem> = {},
) {
  return c.json({ type: 'about:blank', title, status, ...extra } satisfies Problem, status, {
    'content-type': 'application/problem+json',
  });
}

/** Hono's onError: an HTTPException keeps its status; anything else is a 500 that hides its details. */
export function onError(err: unknown, c: Context) {
  if (err instanceof HTTPException)
    return problem(c, err.status as ContentfulStatusCode, err.message || 'Error');
  console.error(ensureError(err));
  return problem(c, 500, 'Internal Server Error');
}
