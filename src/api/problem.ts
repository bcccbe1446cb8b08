/**
 * RFC 9457 problem+json responses: the one shape of every API error. Handlers throw (ApiProblem, or the store's
 * errors) and `onError` turns what they threw into a response whose status says whose mistake it was:
 *
 * | thrown                                   | status |
 * |------------------------------------------|--------|
 * | ValidationError (zod issues, with paths)  | 400    |
 * | NotFoundError                            | 404    |
 * | DuplicateError, InUseError               | 409    |
 * | StaleWriteError (a stale If-Match)       | 412    |
 * | InvalidReferenceError (no such engine …) | 422    |
 * | ApiProblem                               | its own |
 * | anything else                            | 500, details only in the log |
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { formatPath } from '../config/format-issues.ts';
import { ensureError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import {
  DuplicateError,
  InUseError,
  InvalidReferenceError,
  NotFoundError,
  StaleWriteError,
  ValidationError,
  type ValidationIssue,
} from '../store/errors.ts';

/** One problem with the input, as the API reports it. */
export interface ProblemIssue {
  /** Where, as a list of keys: `["auth", "password"]`. */
  path: Array<string | number>;
  /** Where, as text: `auth.password`, `topics[0].workUnit`, `(root)`. */
  field: string;
  message: string;
  code?: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  issues?: ProblemIssue[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The standard title of a status. */
export function titleOf(status: number): string {
  return TITLES[status] ?? 'Error';
}

/**
 * Thrown by a handler (or middleware) to answer with a problem. `extensions` are extra members of the problem
 * (e.g. `field`, `currentVersion`); `headers` go on the response (e.g. WWW-Authenticate).
 */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly status: ContentfulStatusCode;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(
    status: ContentfulStatusCode,
    detail: string,
    options: {
      title?: string;
      extensions?: Record<string, unknown>;
      headers?: Record<string, string>;
      /** What caused it (kept for the log; never sent). */
      cause?: unknown;
    } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.title = options.title ?? titleOf(status);
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

/** A problem+json response. */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  title: string = titleOf(status),
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
) {
  return c.json({ type: 'about:blank', title, status, ...extra } satisfies Problem, status, {
    ...headers,
    'content-type': 'application/problem+json',
  });
}

/** Issues in the API's form. */
export function toProblemIssues(issues: readonly ValidationIssue[]): ProblemIssue[] {
  return issues.map((issue) => {
    const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
    return {
      path,
      field: formatPath(path),
      message: issue.message,
      ...(issue.code ? { code: issue.code } : {}),
    };
  });
}

/** A 400 for input that does not fit its schema, naming each field. */
export function validationProblem(c: Context, error: ValidationError, where?: 'body' | 'query') {
  const issues = toProblemIssues(error.issues);
  return problem(c, 400, 'Bad Request', {
    detail: `${where === 'query' ? 'the query' : 'the input'} is invalid: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    issues,
  });
}

/** Hono's onError: maps what a handler threw to a problem. Unexpected errors are logged, never shown. */
export function createErrorHandler(log: Logger) {
  return function onError(err: unknown, c: Context) {
    if (err instanceof ApiProblem) {
      return problem(c, err.status, err.title, { detail: err.message, ...err.extensions }, err.headers);
    }
    if (err instanceof ValidationError) return validationProblem(c, err);
    if (err instanceof NotFoundError) {
      return problem(c, 404, 'Not Found', { detail: err.message });
    }
    if (err instanceof DuplicateError) return problem(c, 409, 'Conflict', { detail: err.message });
    if (err instanceof InUseError) {
      return problem(c, 409, 'Conflict', { detail: err.message, usedBy: [...err.usedBy] });
    }
    if (err instanceof StaleWriteError) {
      return problem(
        c,
        412,
        'Precondition Failed',
        { detail: err.message, currentVersion: err.currentVersion },
        { etag: `"${err.currentVersion}"` },
      );
    }
    if (err instanceof InvalidReferenceError) {
      return problem(c, 422, 'Unprocessable Content', { detail: err.message, field: err.field });
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      return problem(c, status, titleOf(status), err.message ? { detail: err.message } : {});
    }
    const error = ensureError(err);
    log.error('request failed', { method: c.req.method, path: c.req.path, error });
    return problem(c, 500, 'Internal Server Error', { detail: 'see the server log' });
  };
}
