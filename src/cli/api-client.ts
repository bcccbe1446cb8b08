/**
 * A small client of the BPTL API for the command line (`bptl topics`): bearer token, JSON in and out, lists read
 * page by page (following the Link header), and API problems as ApiClientError with the problem's detail and
 * field issues.
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
  /** The `rel="next"` target of the Link header (the next page of a list), if any. */
  next: string | undefined;
}

/** The `rel="next"` target of an RFC 8288 Link header. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /(^|;)\s*rel="?next"?\s*(;|$)/.test(match[2]!)) return match[1];
  }
  return undefined;
}

/** The most pages `list` follows: a Link that never ends (a broken server) must not loop forever. */
const MAX_PAGES = 10_000;

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
    return {
      status: res.status,
      body: body as T,
      etag: res.headers.get('etag') ?? undefined,
      next: nextLink(res.headers.get('link')),
    };
  }

  /**
   * Every row of a list route (`/topics?engine=x`): the first page, then each page its Link header names, so
   * that nothing is cut at a page's limit. Throws ApiClientError as `request` does.
   */
  async list<T>(path: string): Promise<T[]> {
    const rows: T[] = [];
    let next: string | undefined = path;
    for (let pages = 0; next !== undefined; pages++) {
      if (pages === MAX_PAGES) throw new ApiClientError(0, `${path}: more than ${MAX_PAGES} pages`);
      const page: ApiResponse<T[]> = await this.request<T[]>('GET', next);
      if (!Array.isArray(page.body)) throw new ApiClientError(page.status, `${next}: not a JSON array`);
      rows.push(...page.body);
      next = page.next === undefined ? undefined : this.pathOf(page.next);
    }
    return rows;
  }

  /**
   * The path (and query) of a Link target relative to the API's base URL. The API links by absolute path
   * (`/topics?after=…`), as its Location headers do; a base URL with a path prefix (a proxy's) is kept.
   */
  private pathOf(target: string): string {
    const base = new URL(this.baseUrl);
    const url = new URL(target, `${base.origin}/`);
    const prefix = base.pathname.replace(/\/+$/, '');
    const path =
      prefix !== '' && url.pathname.startsWith(`${prefix}/`)
        ? url.pathname.slice(prefix.length)
        : url.pathname;
    return `${path}${url.search}`;
  }
}
