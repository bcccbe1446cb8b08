/**
 * An API operation, declared once: method, path, who may call it, its input and output schemas, and its
 * handler. The app registers the handlers from this list and the OpenAPI document is generated from the same
 * list, so the document cannot leave a route out (test/unit/openapi.test.ts checks it against the app's routes).
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
}

export interface Operation {
  method: HttpMethod;
  /** The path in OpenAPI form: `/topics/{engine}/{topic}`. */
  path: string;
  operationId: string;
  /** Groups operations in the document and on the docs page. */
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /** Descriptions of the path parameters, by name. */
  params?: Record<string, string>;
  /** The query parameters (an object of optional/coercing fields). */
  query?: z.ZodObject;
  /** The JSON request body (input form). */
  body?: z.ZodType;
  /** Whether the operation reads If-Match (PUT, DELETE). */
  ifMatch?: boolean;
  /** Success responses by status. */
  responses: Record<number, SuccessResponse>;
  /**
   * Problem statuses it may answer besides 401/403 (added from `access`), 400 (added when it has path or query
   * parameters), 413 and 500 (always possible).
   */
  problems: number[];
  handler: (c: Context<ApiEnv>) => Response | Promise<Response>;
}

/** The Hono form of an OpenAPI path: `/topics/{engine}/{topic}` → `/topics/:engine/:topic`. */
export function honoPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}
