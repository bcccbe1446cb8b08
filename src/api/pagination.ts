/**
 * Pages of the list routes: `?limit=` (default 100, at most 1000) and a cursor, the last key of the page before
 * (`?after=`; the audit log's `beforeId`, the tasks' `pageToken`). The body stays a JSON array; while rows
 * follow, an RFC 8288 `Link: <…>; rel="next"` header gives the next page's path with the same filters. Clients
 * follow it until there is none (the CLI's ApiClient.list does).
 */
import type { Context } from 'hono';
import { z } from 'zod';
import type { Page } from '../store/page.ts';
import type { ApiEnv } from './auth.ts';

/** The most rows one page holds. */
export const MAX_PAGE_LIMIT = 1_000;
/** The rows of a page when `limit` is left out. */
export const DEFAULT_PAGE_LIMIT = 100;
/** The longest cursor (a key: a topic's is `<engine>/<topic>`, at most 40 + 1 + 255 characters). */
const MAX_CURSOR_LENGTH = 512;

/** The `limit` query parameter. */
export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_LIMIT)
  .default(DEFAULT_PAGE_LIMIT)
  .describe(`at most this many (1–${MAX_PAGE_LIMIT}, default ${DEFAULT_PAGE_LIMIT})`);

/** The `after` query parameter: the last key of the page before, as the Link header gives it. */
export function afterParam(key: string) {
  return z
    .string()
    .min(1)
    .max(MAX_CURSOR_LENGTH)
    .optional()
    .describe(`the next page: the rows after this ${key} (the Link header's rel="next" gives it)`);
}

/** The query of a list keyed by name: `limit` and `after`. */
export const pageQuery = z.object({ limit: limitParam, after: afterParam('name') });

/**
 * Answers `items` as a JSON array, with `Link: <path?…&cursor…&limit=…>; rel="next"` when `next` is given (rows
 * follow): the request's own path and query with the cursor parameters of `next` and the limit set.
 */
export function sendPage<T>(
  c: Context<ApiEnv>,
  items: T[],
  next: Record<string, string> | undefined,
  limit: number,
): Response {
  if (next !== undefined) c.header('link', `<${nextPath(c, next, limit)}>; rel="next"`);
  return c.json(items);
}

/** The request's path and query with `cursor` and `limit` set. */
function nextPath(c: Context<ApiEnv>, cursor: Record<string, string>, limit: number): string {
  const url = new URL(c.req.url);
  for (const [name, value] of Object.entries(cursor)) url.searchParams.set(name, value);
  url.searchParams.set('limit', String(limit));
  return `${url.pathname}${url.search}`;
}

/** The next page's `after` cursor: the key of the page's last row, or undefined when no rows follow. */
export function afterCursor<T>(page: Page<T>, keyOf: (row: T) => string): Record<string, string> | undefined {
  const last = page.items.at(-1);
  return page.more && last !== undefined ? { after: keyOf(last) } : undefined;
}

/** A list route's answer for a store page keyed by `keyOf`. */
export function sendStorePage<T>(
  c: Context<ApiEnv>,
  page: Page<T>,
  limit: number,
  keyOf: (row: T) => string,
): Response {
  return sendPage(c, page.items, afterCursor(page, keyOf), limit);
}
