/**
 * A failed outbound HTTP call, without its credentials. An AxiosError holds the request's config (headers with
 * the Authorization or API-key header, basic-auth password, URL with its query string) and the request itself,
 * so printing it (`console.error`, `util.inspect`, a log line) prints the secrets. HttpRequestError keeps what
 * an operator needs — method, URL without query or userinfo, status, error code, a small part of the answer
 * and the stack — and nothing else. Used by the Camunda client and the service clients of work units.
 */
import axios, { type AxiosError, isAxiosError } from 'axios';

/** The most of an answer's body an HttpRequestError keeps, in characters. */
export const MAX_RESPONSE_DATA_CHARS = 2048;

/** How deep the causes under an AxiosError are copied (by name, message and stack only). */
const MAX_CAUSE_DEPTH = 5;

/** What an HttpRequestError is made of. */
export interface HttpRequestErrorDetails {
  /** The HTTP method, upper case. */
  method: string;
  /** Origin and path: no query string, no userinfo. */
  url: string;
  /** The answer's status; undefined when there was no answer. */
  status?: number | undefined;
  /** The client's or the system's error code, e.g. `ECONNREFUSED`, `ECONNABORTED`, `ERR_BAD_RESPONSE`. */
  code?: string | undefined;
  /** The answer's body, at most MAX_RESPONSE_DATA_CHARS (longer ones are cut to text). */
  responseData?: unknown;
  /** The underlying error (a network error); it must hold no secrets. */
  cause?: unknown;
  /** The answer's headers that hold no secret and that a caller may need: see SAFE_RESPONSE_HEADERS. */
  responseHeaders?: Readonly<Record<string, string>> | undefined;
}

/**
 * The answer's headers an HttpRequestError keeps (never `set-cookie` or another that may carry a secret): what
 * the caller needs to read the body and to know when to try again.
 */
export const SAFE_RESPONSE_HEADERS = ['content-type', 'retry-after'] as const;

/** The service a service client's request went to and whose credentials it carried: no secret. */
export interface HttpServiceIdentity {
  /** The configured service's name. */
  name: string;
  baseUrl: string;
  /** The kind of auth sent: `zgw`, `bearer`, `api-key`, `basic`, `none`. */
  authType: string;
  /** The ZGW client id (auth `zgw`) or the basic user name; never a secret. */
  clientId?: string | undefined;
}

/**
 * Thrown when an outbound HTTP call failed: the server answered with an error status, or did not answer.
 * Carries no headers, config or request, so it is safe to print and to log.
 */
export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';
  /** The HTTP method, upper case. */
  readonly method: string;
  /** Origin and path of the request, without query string or userinfo (either may hold a secret). */
  readonly url: string;
  /** The answer's status; undefined when the server could not be reached, or timed out. */
  readonly status: number | undefined;
  /** The client's or the system's error code, e.g. `ECONNREFUSED`, `ECONNABORTED`, `ERR_BAD_RESPONSE`. */
  readonly code: string | undefined;
  /** The answer's body when it is small; cut to its first MAX_RESPONSE_DATA_CHARS characters otherwise. */
  readonly responseData: unknown;
  /**
   * The answer's status and (small) body, in the place an AxiosError has them, so that a work unit written
   * against axios (`error.response?.status`) keeps working. Undefined when there was no answer.
   */
  readonly response:
    | {
        readonly status: number;
        readonly data: unknown;
        /** Only the SAFE_RESPONSE_HEADERS the answer had, by lower-case name. */
        readonly headers: Readonly<Record<string, string>>;
      }
    | undefined;
  /**
   * The service and credentials of a service client's request (service-clients.ts sets it): who answered, and
   * whose client id it refused. Absent for other clients.
   */
  declare service?: HttpServiceIdentity;

  constructor(message: string, details: HttpRequestErrorDetails) {
    super(message, details.cause === undefined ? {} : { cause: details.cause });
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.code = details.code;
    this.responseData = limitResponseData(details.responseData);
    this.response =
      details.status === undefined
        ? undefined
        : { status: details.status, data: this.responseData, headers: { ...details.responseHeaders } };
  }
}

/** Origin and path of a URL; a URL that does not parse loses everything from `?` or `#` on. */
function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.replace(/[?#].*$/s, '');
  }
}

/** The URL axios called (base URL and URL joined as axios joins them), without query or userinfo. */
function requestUrl(error: AxiosError): string {
  const config = error.config;
  if (!config) return '';
  try {
    return withoutQuery(axios.getUri(config));
  } catch {
    return withoutQuery(config.url ?? '');
  }
}

/** Small bodies as they are; a longer or binary body as (cut) text; a stream not at all. */
function limitResponseData(data: unknown): unknown {
  if (data === undefined || data === null || typeof data === 'number' || typeof data === 'boolean') {
    return data;
  }
  let text: string;
  if (typeof data === 'string') text = data;
  else if (data instanceof ArrayBuffer) text = Buffer.from(data).toString('utf8');
  else if (ArrayBuffer.isView(data)) {
    text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  } else if (typeof data === 'object' && typeof (data as { pipe?: unknown }).pipe !== 'function') {
    try {
      text = JSON.stringify(data) ?? '';
    } catch {
      return undefined;
    }
    if (text.length <= MAX_RESPONSE_DATA_CHARS) return data;
  } else {
    return undefined;
  }
  return text.length <= MAX_RESPONSE_DATA_CHARS
    ? text
    : `${text.slice(0, MAX_RESPONSE_DATA_CHARS)}… (${text.length} characters in all)`;
}

/** A copy of an error by name, message and stack (and an AggregateError's errors): none of its own fields. */
function bareCopy(error: unknown, depth: number): unknown {
  if (!(error instanceof Error)) return typeof error === 'object' && error !== null ? undefined : error;
  if (isAxiosError(error)) return toHttpRequestError(error);
  const cause = depth < MAX_CAUSE_DEPTH ? bareCopy(error.cause, depth + 1) : undefined;
  const options = cause === undefined ? {} : { cause };
  const copy =
    error instanceof AggregateError
      ? new AggregateError(
          // The first few only, without their causes: enough to say why each connection attempt failed.
          (error.errors as unknown[]).slice(0, 10).map((e) => bareCopy(e, MAX_CAUSE_DEPTH)),
          error.message,
          options,
        )
      : new Error(error.message, options);
  copy.name = error.name;
  if (typeof error.stack === 'string') copy.stack = error.stack;
  return copy;
}

/**
 * The AxiosError's stack under this error's name and message: its frames kept (with the caller's frames axios
 * adds), the section axios inlines for the cause (`Caused by: …`) left to the cause itself.
 */
function restack(target: HttpRequestError, source: AxiosError): void {
  if (typeof source.stack !== 'string') return;
  let stack = source.stack;
  const causeStack = (source.cause as Error | undefined)?.stack;
  if (typeof causeStack === 'string' && stack.endsWith(`\nCaused by: ${causeStack}`)) {
    stack = stack.slice(0, stack.length - `\nCaused by: ${causeStack}`.length);
  }
  const frames = stack.search(/\n\s+at /);
  target.stack = `${target.name}: ${target.message}${frames === -1 ? '' : stack.slice(frames)}`;
}

/** The SAFE_RESPONSE_HEADERS of an axios answer. */
function safeHeaders(headers: unknown): Record<string, string> {
  const safe: Record<string, string> = {};
  if (!headers || typeof headers !== 'object') return safe;
  const get = (name: string): unknown => {
    const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
    return typeof h.get === 'function' ? h.get(name) : (h[name] ?? h[name.toLowerCase()]);
  };
  for (const name of SAFE_RESPONSE_HEADERS) {
    const value = get(name);
    if (typeof value === 'string' || typeof value === 'number') safe[name] = String(value).slice(0, 200);
  }
  return safe;
}

/**
 * Turns an AxiosError into an HttpRequestError (keeping its stack; its cause copied without own fields);
 * returns anything else unchanged. Use it wherever an axios error could reach a log, an incident or a failure.
 */
export function toHttpRequestError(error: unknown): unknown {
  if (!isAxiosError(error)) return error;
  const method = (error.config?.method ?? 'get').toUpperCase();
  const url = requestUrl(error);
  const status = error.response?.status;
  const what = url ? `${method} ${url}` : method;
  const statusText = error.response?.statusText;
  const message =
    status === undefined
      ? `${what}: ${error.message || 'no answer'}`
      : `${what}: HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  const cause = bareCopy(error.cause, 1);
  const converted = new HttpRequestError(message, {
    method,
    url,
    status,
    code: error.code,
    responseData: error.response?.data,
    responseHeaders: safeHeaders(error.response?.headers),
    cause,
  });
  restack(converted, error);
  return converted;
}
