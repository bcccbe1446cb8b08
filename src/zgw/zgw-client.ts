/**
 * A typed client for the Dutch ZGW APIs (Zaken, Catalogi, Documenten) and the Objects API, over a work unit's
 * service clients (`context.services`: axios instances with the bound service's base URL and credentials — a
 * ZGW JWT for `zgw` auth).
 *
 * - ZGW resources name each other by full URL across APIs (a zaak names its zaaktype on Catalogi): a full URL
 *   goes to the client of the unit's service whose base URL is its longest prefix, with that service's
 *   credentials (a URL of none of them: to the service client, which asks the configuration for the service it
 *   belongs to, or refuses it).
 * - Zaken calls carry `Accept-Crs: EPSG:4326` (and `Content-Crs` with a body).
 * - `list` follows `next` to the last page.
 * - A problem answer becomes a typed error (zgw-errors.ts): 400 → ZgwValidationError naming the fields of
 *   `invalidParams`; 401/403 → ZgwAuthError naming the service and the client id; 404 → ZgwNotFoundError naming
 *   the URL; 5xx, 429 and no answer → ZgwUnavailableError (retried); other 4xx → ZgwRequestError.
 * - Answers are parsed by lenient schemas (zgw-schemas.ts): real servers deviate from the spec.
 *
 * STATUS: interface fixed; implementation in progress (issue 16). Do not change signatures without telling.
 */
import type { AxiosInstance } from 'axios';
import type { z } from 'zod';
import type { Logger } from '../logging/logger.ts';

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
    throw new Error(`not implemented: ${String(target)}`);
  }

  /** GET one resource, parsed by `schema`. */
  async get<S extends z.ZodType>(target: ZgwTarget, schema: S, query?: ZgwQuery): Promise<z.output<S>> {
    throw new Error(`not implemented: ${String(target)} ${String(schema)} ${String(query)}`);
  }

  /** GET one resource, or null when the server answers 404. */
  async getOrNull<S extends z.ZodType>(target: ZgwTarget, schema: S): Promise<z.output<S> | null> {
    throw new Error(`not implemented: ${String(target)} ${String(schema)}`);
  }

  /**
   * GET a list, every page: a paginated answer (`{ count, next, previous, results }`, `next` followed to the
   * end) or a plain array. Each item parsed by `item`.
   */
  async list<S extends z.ZodType>(target: ZgwTarget, item: S, query?: ZgwQuery): Promise<z.output<S>[]> {
    throw new Error(`not implemented: ${String(target)} ${String(item)} ${String(query)}`);
  }

  /** POST a body; the answer parsed by `schema`. */
  async post<S extends z.ZodType>(target: ZgwTarget, body: unknown, schema: S): Promise<z.output<S>> {
    throw new Error(`not implemented: ${String(target)} ${String(body)} ${String(schema)}`);
  }

  /** PATCH a body; the answer parsed by `schema`. */
  async patch<S extends z.ZodType>(target: ZgwTarget, body: unknown, schema: S): Promise<z.output<S>> {
    throw new Error(`not implemented: ${String(target)} ${String(body)} ${String(schema)}`);
  }

  /** PUT a body; the answer parsed by `schema`. */
  async put<S extends z.ZodType>(target: ZgwTarget, body: unknown, schema: S): Promise<z.output<S>> {
    throw new Error(`not implemented: ${String(target)} ${String(body)} ${String(schema)}`);
  }

  /** DELETE a resource (204). */
  async delete(target: ZgwTarget): Promise<void> {
    throw new Error(`not implemented: ${String(target)}`);
  }

  /**
   * POST without parsing the answer: for actions whose answer is empty (a document's `/unlock` → 204) or
   * small (`/lock` → `{ lock }`).
   */
  async action(target: ZgwTarget, body?: unknown): Promise<unknown> {
    throw new Error(`not implemented: ${String(target)} ${String(body)}`);
  }
}
