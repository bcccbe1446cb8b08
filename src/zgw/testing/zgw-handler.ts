/**
 * What the handlers of the loopback ZGW server receive and answer, and the helpers they share: new resources,
 * references that must resolve, filters and pagination.
 */
import { randomUUID } from 'node:crypto';
import type { ZgwTestApi } from './oas-dir.ts';
import type { OasOperation } from './oas-operations.ts';
import type { ZgwDeviations } from './zgw-deviations.ts';
import { invalid, notFound } from './zgw-problem.ts';
import type { ZgwResource, ZgwStore } from './zgw-store.ts';

/** The base URL of each API of the server (no trailing slash). */
export type ZgwBaseUrls = Record<ZgwTestApi, string>;

/** The server's state that handlers read and change. */
export interface ZgwServerState {
  store: ZgwStore;
  baseUrls: ZgwBaseUrls;
  deviations: ZgwDeviations;
  /** The last number given to a generated zaak identificatie. */
  zaakNumber: number;
  /** The lock of each locked document, by its URL. */
  locks: Map<string, string>;
}

/** One request, as a handler sees it (validated against the spec already). */
export interface ZgwRequestContext {
  state: ZgwServerState;
  api: ZgwTestApi;
  operation: OasOperation;
  /** The path parameters (`uuid`, `zaak_uuid`, ...). */
  params: Record<string, string>;
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are validated by the spec, not by TypeScript
  body: any;
  /** The full URL of the request. */
  url: URL;
  clientId: string | undefined;
}

/** A handler's answer. */
export interface ZgwAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ZgwHandler = (context: ZgwRequestContext) => ZgwAnswer | Promise<ZgwAnswer>;

/** The handlers of one API, by operationId. */
export type ZgwHandlers = Record<string, ZgwHandler>;

/** A new resource's uuid and URL in a collection of an API. */
export function newUrl(context: ZgwRequestContext, collection: string, api: ZgwTestApi = context.api) {
  const uuid = randomUUID();
  return { uuid, url: `${context.state.baseUrls[api]}/${collection}/${uuid}` };
}

/** The URL of the resource a request's path names (`/zaken/{uuid}` → `<base>/zaken/<uuid>`). */
export function selfUrl(context: ZgwRequestContext): string {
  const base = context.state.baseUrls[context.api];
  return `${base}${context.url.pathname.slice(new URL(base).pathname.length).replace(/\/$/, '')}`;
}

/** The resource the request's path names, or a 404. */
export function getSelf(context: ZgwRequestContext, collection: string): ZgwResource {
  const resource = context.state.store.get(selfUrl(context), collection);
  if (!resource) throw notFound();
  return resource;
}

/** Whether a URL is one of this server's. */
export function isOwnUrl(state: ZgwServerState, url: string): boolean {
  return Object.values(state.baseUrls).some((base) => url.startsWith(`${base}/`));
}

/**
 * The resource a body field names: a URL of this server must be of a stored resource of `collection` (else a
 * 400 naming the field); another server's URL is `undefined` when `external` allows it, else a 400 too.
 */
export function reference(
  context: ZgwRequestContext,
  field: string,
  url: unknown,
  collection: string,
  options: { external?: boolean } = {},
): ZgwResource | undefined {
  if (typeof url !== 'string' || url === '') throw invalid(field, 'Dit veld is vereist.', 'required');
  if (!isOwnUrl(context.state, url)) {
    if (options.external) return undefined;
    throw invalid(field, `De URL ${url} hoort niet bij een bekende API.`, 'bad-url');
  }
  const resource = context.state.store.get(url, collection);
  if (!resource) throw invalid(field, `De URL ${url} bestaat niet (geen ${collection}).`, 'bad-url');
  return resource;
}

/** Items whose fields equal the query's values, for each of `fields` present in the query. */
export function filterExact<T extends Record<string, unknown>>(
  items: T[],
  query: URLSearchParams,
  fields: Record<string, (item: T) => unknown>,
): T[] {
  let out = items;
  for (const [name, read] of Object.entries(fields)) {
    const wanted = query.get(name);
    if (wanted === null || wanted === '') continue;
    out = out.filter((item) => String(read(item) ?? '') === wanted);
  }
  return out;
}

/** The paginated answer (`count, next, previous, results`) of `page` (1-based, from the query). */
export function paginate(context: ZgwRequestContext, items: unknown[], pageSize: number): ZgwAnswer {
  const page = Number(context.query.get('page') ?? '1');
  const size = Number(context.query.get('pageSize') ?? pageSize) || pageSize;
  const pages = Math.max(1, Math.ceil(items.length / size));
  if (!Number.isInteger(page) || page < 1 || page > pages) throw notFound('Ongeldige pagina.');
  const link = (n: number) => {
    const url = new URL(context.url);
    url.searchParams.set('page', String(n));
    return url.toString();
  };
  return {
    status: 200,
    body: {
      count: items.length,
      next: page < pages ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: items.slice((page - 1) * size, page * size),
    },
  };
}

/** Today as `YYYY-MM-DD` (UTC). */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** A copy of `body` without the fields the server sets (readOnly ones a client may echo back). */
export function without(body: Record<string, unknown>, ...fields: string[]): Record<string, unknown> {
  const out = { ...body };
  for (const field of fields) delete out[field];
  return out;
}
