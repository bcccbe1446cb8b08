/**
 * A typed client for the Dutch ZGW APIs (Zaken, Catalogi, Documenten) and the Objects API, over a work unit's
 * service clients (`context.services`: axios instances with the bound service's base URL and credentials — a
 * ZGW JWT for `zgw` auth).
 *
 * - ZGW resources name each other by full URL across APIs (a zaak names its zaaktype on Catalogi): a full URL
 *   goes to the client of the unit's service whose base URL is its longest prefix, with that service's
 *   credentials (a URL of none of them: to the service client, which asks the configuration for the service it
 *   belongs to, or refuses it).
 * - Zaken calls carry `Accept-Crs` and `Content-Crs: EPSG:4326` (the spec requires both, on GET /zaken too);
 *   Objects calls with a body carry `Content-Crs: EPSG:4326` (Objects 2.7.0 requires it on create, update and
 *   search).
 * - `list` follows `next` to the last page.
 * - A problem answer becomes a typed error (zgw-errors.ts): 400 → ZgwValidationError naming the fields of
 *   `invalidParams`; 401/403 → ZgwAuthError naming the service and the client id; 404 → ZgwNotFoundError naming
 *   the URL; 5xx, 429 and no answer → ZgwUnavailableError (retried); other 4xx → ZgwRequestError.
 * - Answers are parsed by lenient schemas (zgw-schemas.ts): real servers deviate from the spec.
 *
 * Each request goes through a service client (service-clients.ts): its credentials, the outbound policy, the
 * attempt's request log; nothing here sees a secret.
 */
import type { AxiosInstance } from 'axios';
import type { z } from 'zod';
import { NonRetryableError } from '../errors.ts';
import { HttpRequestError, toHttpRequestError } from '../http/http-request-error.ts';
import type { Logger } from '../logging/logger.ts';
import { isUnderBaseUrl } from '../work-units/service-clients.ts';
import {
  ZgwAuthError,
  type ZgwInvalidParam,
  ZgwNotFoundError,
  type ZgwProblem,
  ZgwRequestError,
  ZgwResponseError,
  ZgwUnavailableError,
  ZgwValidationError,
} from './zgw-errors.ts';

/** The APIs the client speaks. */
export type ZgwApi = 'zaken' | 'catalogi' | 'documenten' | 'objects';

/**
 * The service alias of each API, as units declare them (`services: ['zrc', 'ztc']`) and topics bind them
 * (`services: { zrc: 'open-zaak-zaken' }`).
 */
export const ZGW_ALIASES = {
  zaken: 'zrc',
  catalogi: 'ztc',
  documenten: 'drc',
  objects: 'objects',
} as const satisfies Record<ZgwApi, string>;

/** Where a request goes: a full URL (of any API), or a path on one API's bound service (`/zaken`). */
export type ZgwTarget = string | { api: ZgwApi; path: string };

/** Query parameters; undefined ones are left out. */
export type ZgwQuery = Readonly<Record<string, string | number | boolean | undefined>>;

export interface ZgwClientOptions {
  /** The unit's service clients by alias (`context.services`). */
  services: Readonly<Record<string, AxiosInstance>>;
  log?: Logger;
  /** The most pages `list` follows before it fails (a server whose `next` never ends). @default 1000 */
  maxPages?: number;
}

/** The most pages `list` follows by default. */
export const DEFAULT_MAX_PAGES = 1000;

/** The coordinate reference system of Zaken's geometries (`Accept-Crs`, `Content-Crs`). */
export const ZAKEN_CRS = 'EPSG:4326';

/** How many schema issues an error names. */
const MAX_ISSUES = 10;

/** The API of each alias. */
const API_OF_ALIAS: Readonly<Record<string, ZgwApi>> = Object.fromEntries(
  Object.entries(ZGW_ALIASES).map(([api, alias]) => [alias, api as ZgwApi]),
);

/** Where a URL goes: the client of the longest matching base URL, and the API it is of (when known). */
interface Route {
  client: AxiosInstance;
  api: ZgwApi | undefined;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export class ZgwClient {
  readonly options: ZgwClientOptions;

  constructor(options: ZgwClientOptions) {
    this.options = options;
  }

  /** A client over a unit's context. */
  static of(context: { services: Readonly<Record<string, AxiosInstance>>; log?: Logger }): ZgwClient {
    return new ZgwClient({ services: context.services, ...(context.log ? { log: context.log } : {}) });
  }

  /** The full URL of a target (`{ api: 'zaken', path: '/zaken' }` → `<zrc base URL>/zaken`). */
  url(target: ZgwTarget): string {
    if (typeof target === 'string') {
      if (/^https?:\/\//i.test(target)) return target;
      throw new NonRetryableError(
        `ZGW target '${withoutQuery(target)}' is not a full URL: give a resource's URL, or { api, path } for a path on an API`,
      );
    }
    const alias = ZGW_ALIASES[target.api];
    const base = this.options.services[alias]?.defaults.baseURL;
    if (!base) {
      throw new NonRetryableError(
        `the ${target.api} API needs service alias '${alias}', which this work unit has no client of: declare it in the unit's services and bind it in the topic`,
      );
    }
    const path = target.path.replace(/^\/+/, '');
    return path === '' ? base : `${base.replace(/\/+$/, '')}/${path}`;
  }

  /** GET one resource, parsed by `schema`. */
  async get<S extends z.ZodType>(target: ZgwTarget, schema: S, query?: ZgwQuery): Promise<z.output<S>> {
    const url = this.url(target);
    const data = await this.send('GET', url, { query });
    return parse(schema, data, 'GET', url);
  }

  /** GET one resource, or null when the server answers 404. */
  async getOrNull<S extends z.ZodType>(target: ZgwTarget, schema: S): Promise<z.output<S> | null> {
    try {
      return await this.get(target, schema);
    } catch (error) {
      if (error instanceof ZgwNotFoundError) return null;
      throw error;
    }
  }

  /**
   * GET a list, every page: a paginated answer (`{ count, next, previous, results }`, `next` followed to the
   * end) or a plain array. Each item parsed by `item`.
   */
  async list<S extends z.ZodType>(target: ZgwTarget, item: S, query?: ZgwQuery): Promise<z.output<S>[]> {
    const maxPages = this.options.maxPages ?? DEFAULT_MAX_PAGES;
    const first = this.url(target);
    const items: z.output<S>[] = [];
    let url = first;
    for (let page = 1; ; page++) {
      const data = await this.send('GET', url, page === 1 ? { query } : {});
      if (Array.isArray(data)) {
        data.forEach((value, index) => {
          items.push(parse(item, value, 'GET', url, [index]));
        });
        return items;
      }
      const results = isRecord(data) ? data.results : undefined;
      if (!isRecord(data) || !Array.isArray(results)) {
        throw new ZgwResponseError(
          'GET',
          withoutQuery(url),
          'the answer is neither a list nor a page of one ({ count, next, results })',
        );
      }
      results.forEach((value, index) => {
        items.push(parse(item, value, 'GET', url, ['results', index]));
      });
      const next = data.next;
      if (typeof next !== 'string' || next === '') return items;
      if (page >= maxPages) {
        throw new ZgwResponseError(
          'GET',
          withoutQuery(first),
          `the list has more than ${maxPages} pages (its next never ends?): not followed further (maxPages)`,
        );
      }
      url = new URL(next, url).href;
      this.options.log?.debug('zgw list: next page', { url: withoutQuery(url), page: page + 1 });
    }
  }

  /** POST a body; the answer parsed by `schema`. */
  async post<S extends z.ZodType>(target: ZgwTarget, body: unknown, schema: S): Promise<z.output<S>> {
    const url = this.url(target);
    return parse(schema, await this.send('POST', url, { body }), 'POST', url);
  }

  /** PATCH a body; the answer parsed by `schema`. */
  async patch<S extends z.ZodType>(target: ZgwTarget, body: unknown, schema: S): Promise<z.output<S>> {
    const url = this.url(target);
    return parse(schema, await this.send('PATCH', url, { body }), 'PATCH', url);
  }

  /** PUT a body; the answer parsed by `schema`. */
  async put<S extends z.ZodType>(target: ZgwTarget, body: unknown, schema: S): Promise<z.output<S>> {
    const url = this.url(target);
    return parse(schema, await this.send('PUT', url, { body }), 'PUT', url);
  }

  /** DELETE a resource (204). */
  async delete(target: ZgwTarget): Promise<void> {
    await this.send('DELETE', this.url(target), {});
  }

  /**
   * POST without parsing the answer: for actions whose answer is empty (a document's `/unlock` → 204) or
   * small (`/lock` → `{ lock }`).
   */
  async action(target: ZgwTarget, body?: unknown): Promise<unknown> {
    const data = await this.send('POST', this.url(target), body === undefined ? {} : { body });
    return data === '' ? undefined : data;
  }

  /**
   * The client a full URL goes to: the unit's service whose base URL is its longest prefix; for a URL under none
   * of them, a client on its origin (else any): that service client asks the configuration for the service the
   * URL belongs to, or refuses it.
   */
  route(url: string): Route {
    let best: { alias: string; client: AxiosInstance; length: number } | undefined;
    let sameOrigin: AxiosInstance | undefined;
    let any: AxiosInstance | undefined;
    const origin = originOf(url);
    for (const [alias, client] of Object.entries(this.options.services)) {
      const base = client.defaults.baseURL;
      any ??= client;
      if (!base) continue;
      if (sameOrigin === undefined && originOf(base) === origin) sameOrigin = client;
      const length = base.replace(/\/+$/, '').length;
      if (isUnderBaseUrl(url, base) && length > (best?.length ?? -1)) best = { alias, client, length };
    }
    if (best) return { client: best.client, api: API_OF_ALIAS[best.alias] };
    const client = sameOrigin ?? any;
    if (!client) {
      throw new NonRetryableError(
        `no service client for ${withoutQuery(url)}: the work unit declares no services (zrc, ztc, drc, objects)`,
      );
    }
    return { client, api: pathOf(url).includes('/zaken/api/') ? 'zaken' : undefined };
  }

  /** Sends one request through the service client of its URL; a failure becomes a ZGW error (zgw-errors.ts). */
  private async send(
    method: Method,
    url: string,
    options: { body?: unknown; query?: ZgwQuery | undefined },
  ): Promise<unknown> {
    const { client, api } = this.route(url);
    const hasBody = 'body' in options && options.body !== undefined;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (api === 'zaken') {
      // Zaken 1.5.1 requires both on every operation with geometry, GET /zaken included.
      headers['Accept-Crs'] = ZAKEN_CRS;
      headers['Content-Crs'] = ZAKEN_CRS;
    } else if (api === 'objects' && hasBody) {
      // Objects 2.7.0 requires it on every request with a record (create, update, search): 412 without.
      headers['Content-Crs'] = ZAKEN_CRS;
    }
    const params = options.query
      ? Object.fromEntries(Object.entries(options.query).filter(([, value]) => value !== undefined))
      : undefined;
    try {
      const response = await client.request({
        method,
        url,
        headers,
        ...(params && Object.keys(params).length > 0 ? { params } : {}),
        ...(hasBody ? { data: options.body } : {}),
      });
      return response.data;
    } catch (error) {
      throw toZgwError(error, method, url);
    }
  }
}

/**
 * The ZGW error of a failed request (zgw-errors.ts); a refusal of the outbound policy, a missing credential and
 * anything else that is not an HTTP failure are passed on as they are.
 */
export function toZgwError(error: unknown, method: string, url: string): unknown {
  const failure = toHttpRequestError(error);
  if (!(failure instanceof HttpRequestError)) return failure;
  const status = failure.status;
  const details = {
    method: failure.method || method,
    url: failure.url || withoutQuery(url),
    status,
    problem: readProblem(failure.responseData),
    cause: failure,
  };
  if (status === undefined) return new ZgwUnavailableError({ ...details, code: failure.code });
  if (status === 400) return new ZgwValidationError(details);
  if (status === 401 || status === 403) {
    return new ZgwAuthError({ ...details, ...(failure.service ? { service: failure.service } : {}) });
  }
  if (status === 404) return new ZgwNotFoundError(details);
  if (status === 408 || status === 429 || status >= 500) {
    return new ZgwUnavailableError({
      ...details,
      retryDelayMs: retryAfterMs(failure.response?.headers['retry-after']),
    });
  }
  return new ZgwRequestError(details);
}

/**
 * A problem body (`application/problem+json`, or `application/json` as Open Zaak 1.30 sometimes sends it), as
 * far as it has the fields of one; undefined for any other body.
 */
export function readProblem(data: unknown): ZgwProblem | undefined {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!isRecord(value)) return undefined;
  const text = (key: string): string | undefined =>
    typeof value[key] === 'string' && value[key] !== '' ? (value[key] as string) : undefined;
  const invalidParams: ZgwInvalidParam[] = Array.isArray(value.invalidParams)
    ? value.invalidParams.filter(isRecord).map((p) => ({
        name: typeof p.name === 'string' ? p.name : '',
        code: typeof p.code === 'string' ? p.code : '',
        reason: typeof p.reason === 'string' ? p.reason : '',
      }))
    : [];
  const problem: ZgwProblem = { invalidParams };
  for (const key of ['type', 'code', 'title', 'detail', 'instance'] as const) {
    const found = text(key);
    if (found !== undefined) problem[key] = found;
  }
  if (typeof value.status === 'number') problem.status = value.status;
  const isProblem =
    problem.title !== undefined ||
    problem.code !== undefined ||
    problem.detail !== undefined ||
    invalidParams.length > 0;
  return isProblem ? problem : undefined;
}

/** `Retry-After` in milliseconds: seconds, or an HTTP date (from now); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Parses an answer by `schema`; one that does not fit is a ZgwResponseError naming the fields' paths. */
function parse<S extends z.ZodType>(
  schema: S,
  data: unknown,
  method: string,
  url: string,
  at: readonly PropertyKey[] = [],
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (issue) => `${formatPath([...at, ...issue.path])}: ${issue.message}`,
  );
  const shown =
    issues.length > MAX_ISSUES
      ? [...issues.slice(0, MAX_ISSUES), `… (${issues.length - MAX_ISSUES} more)`]
      : issues;
  return throwResponseError(method, url, shown);
}

function throwResponseError(method: string, url: string, issues: string[]): never {
  throw new ZgwResponseError(method, withoutQuery(url), 'the answer does not fit the schema', issues);
}

/** `results[2].zaaktype`; the answer itself: `(answer)`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(answer)' : out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/** A URL without query string or fragment (either may hold a token). */
function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.replace(/[?#].*$/s, '');
  }
}
