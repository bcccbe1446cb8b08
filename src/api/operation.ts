/**
 * An API operation, declared once: method, path, who may call it, its input and output schemas, and its
 * handler. The app registers the handlers from this list and the OpenAPI document is generated from the same
 * list, so the document cannot leave a route out (test/unit/openapi.test.ts checks it against the app's routes).
 * The app also checks the declared `body` and `query` before the handler runs (operation-input.ts) and hands the
 * handler the parsed values, so what the document says is what is enforced.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Access, ApiEnv } from './auth.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/** A response an operation gives on success. */
export interface SuccessResponse {
  description: string;
  /** The JSON body's schema (output form); none for an empty body. */
  schema?: z.ZodType;
  /** Another media type than application/json, e.g. text/html. */
  contentType?: string;
  /** Whether the response carries an ETag header. */
  etag?: boolean;
  /** Whether it is a page of a list, with a `Link: <…>; rel="next"` header while rows follow (pagination.ts). */
  link?: boolean;
}

/** What the app parsed for a handler: its declared body and query (defaults applied), else undefined. */
export interface OperationInput<B extends z.ZodType, Q extends z.ZodObject> {
  body: z.output<B>;
  query: z.output<Q>;
}

export interface Operation<B extends z.ZodType = z.ZodType, Q extends z.ZodObject = z.ZodObject> {
  method: HttpMethod;
  /** The path in OpenAPI form: `/topics/{engine}/{topic}`. */
  path: string;
  operationId: string;
  /** Groups operations in the document and on the docs page. */
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /**
   * Whether a console session (its cookie, src/console/session.ts) is accepted instead of a bearer token. Only
   * for operations without side effects that a browser calls from another origin with credentials (the codec
   * server for the Temporal UI): the browser sends the cookie on its own, so a write would be open to CSRF.
   */
  sessionCookie?: boolean;
  /** Descriptions of the path parameters, by name. */
  params?: Record<string, string>;
  /** The query parameters (an object of optional/coercing fields); a bad one is a 400 naming it. */
  query?: Q;
  /** The JSON request body (input form); a body it rejects is a 400 with the issues, before If-Match is read. */
  body?: B;
  /**
   * Turns the JSON body into what `body` parses, e.g. a PUT's `forUpdate` (request.ts): what GET gave may be
   * sent back, its bookkeeping dropped and its key fields checked against the URL.
   */
  prepareBody?: (body: unknown, c: Context<ApiEnv>) => unknown;
  /** Whether the operation reads If-Match (PUT, DELETE). */
  ifMatch?: boolean;
  /** Success responses by status. */
  responses: Record<number, SuccessResponse>;
  /**
   * Problem statuses it may answer besides 401/403 (added from `access`), 400 (added when it has path or query
   * parameters), 413 and 500 (always possible).
   */
  problems: number[];
  /** Declared as a method so that a typed operation fits in an `Operation[]` (see `operation`). */
  handler(c: Context<ApiEnv>, input: OperationInput<B, Q>): Response | Promise<Response>;
}

/**
 * An operation whose handler gets the types of its declared `body` and `query`. Without it a literal in an
 * `Operation[]` would see them as `unknown`.
 */
export function operation<B extends z.ZodType, Q extends z.ZodObject>(op: Operation<B, Q>): Operation {
  return op as unknown as Operation;
}

/** The Hono form of an OpenAPI path: `/topics/{engine}/{topic}` → `/topics/:engine/:topic`. */
export function honoPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}
