/**
 * The outbound requests of one attempt of a work unit, as the console's task detail shows them: method, origin
 * (scheme://host:port, never a user or password), path (never a query string or fragment), status or error code,
 * duration and time. Never a header or a body. The runner creates one log per attempt, hands it to the service
 * clients and the unit's context, and puts its entries into the attempt's result or failure details.
 */

/** One request a work unit made through a client BPTL made for it. */
export interface OutboundRequest {
  method: string;
  /** scheme://host[:port], without credentials. */
  origin: string;
  /** The path, without query string or fragment. */
  path: string;
  /** The answer's HTTP status, when there was an answer. */
  status?: number;
  /** The error code when there was no answer (ECONNREFUSED, ECONNABORTED, ETIMEDOUT, …). */
  code?: string;
  durationMs: number;
  /** When the request was sent (epoch ms). */
  at: number;
}

/** How many requests an attempt keeps; more are counted in `dropped`. */
export const OUTBOUND_LOG_LIMIT = 100;

/** Origin and path of a URL (absolute, or relative to `baseUrl`), without credentials, query or fragment. */
export function urlParts(url: string, baseUrl?: string): { origin: string; path: string } {
  try {
    if (baseUrl && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      // axios joins baseURL and url by concatenation, not by URL resolution.
      const base = new URL(baseUrl);
      const relative = stripQuery(url).replace(/^\/+/, '');
      const basePath = base.pathname.replace(/\/+$/, '');
      return { origin: base.origin, path: relative === '' ? base.pathname : `${basePath}/${relative}` };
    }
    const parsed = new URL(url);
    return { origin: parsed.origin, path: parsed.pathname };
  } catch {
    return { origin: '', path: stripQuery(url) };
  }
}

function stripQuery(path: string): string {
  return path.split(/[?#]/)[0] ?? '';
}

export class OutboundLog {
  readonly #entries: OutboundRequest[] = [];
  #dropped = 0;

  readonly limit: number;

  constructor(limit = OUTBOUND_LOG_LIMIT) {
    this.limit = limit;
  }

  /** Records a request; `url` may carry a query string or credentials: neither is kept. */
  record(request: {
    method: string;
    url: string;
    baseUrl?: string;
    status?: number | undefined;
    code?: string | undefined;
    durationMs: number;
    at: number;
  }): void {
    if (this.#entries.length >= this.limit) {
      this.#dropped++;
      return;
    }
    const { origin, path } = urlParts(request.url, request.baseUrl);
    this.#entries.push({
      method: request.method.toUpperCase(),
      origin,
      path,
      ...(request.status !== undefined ? { status: request.status } : {}),
      ...(request.code !== undefined ? { code: request.code } : {}),
      durationMs: Math.max(0, Math.round(request.durationMs)),
      at: request.at,
    });
  }

  entries(): OutboundRequest[] {
    return [...this.#entries];
  }

  /** How many requests were not kept (beyond the limit). */
  get dropped(): number {
    return this.#dropped;
  }

  /** The fields an attempt's result or failure details carry: none when there were no requests. */
  summary(): { requests?: OutboundRequest[]; requestsDropped?: number } {
    if (this.#entries.length === 0) return {};
    return { requests: this.entries(), ...(this.#dropped > 0 ? { requestsDropped: this.#dropped } : {}) };
  }
}
