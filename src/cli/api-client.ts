/**
 * A small client of the BPTL API for the command line (`bptl topics`): bearer token, JSON in and out, and API
 * problems as ApiClientError with the problem's detail and field issues.
 */
import { ensureError } from '../errors.ts';

/** Thrown when the API answers with a problem (or not at all). */
export class ApiClientError extends Error {
  override readonly name = 'ApiClientError';
  /** The HTTP status; 0 when the API could not be reached. */
  readonly status: number;
  readonly problem: Record<string, unknown> | undefined;
  constructor(status: number, message: string, problem?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  etag: string | undefined;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(options: { baseUrl: string; token?: string | undefined }) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
  }

  /** A request; resolves for 2xx, throws ApiClientError otherwise. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      const cause = ensureError(error);
      const detail = (cause.cause as Error | undefined)?.message ?? cause.message;
      throw new ApiClientError(0, `cannot reach the API at ${this.baseUrl} (BPTL_API_URL): ${detail}`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    if (!res.ok) {
      const problem =
        typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
      const issues = Array.isArray(problem?.issues)
        ? (problem.issues as Array<{ field?: string; message?: string }>).map(
            (i) => `${i.field}: ${i.message}`,
          )
        : [];
      const detail =
        issues.length > 0 ? issues.join('; ') : String(problem?.detail ?? problem?.title ?? text);
      throw new ApiClientError(res.status, `${res.status} ${detail}`, problem);
    }
    return { status: res.status, body: body as T, etag: res.headers.get('etag') ?? undefined };
  }
}
