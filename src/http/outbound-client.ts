/**
 * axios clients under the outbound policy (outbound-policy.ts): every request's URL checked before it is sent,
 * the resolved address checked when the connection is made (own agents, so that no pooled socket opened for
 * another scope is reused), each redirect checked and stripped of credentials when it leaves the origin, the
 * answer's size limited while it is read. A refused call rejects with the OutboundRefusedError; any other failed
 * request with an HttpRequestError (never the AxiosError, whose config holds the headers).
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosRequestConfig, isAxiosError } from 'axios';
import { toHttpRequestError } from './http-request-error.ts';
import {
  findOutboundRefusal,
  MAX_REDIRECTS,
  MAX_RESPONSE_BYTES_VARIABLE,
  OutboundRefusedError,
  type OutboundScope,
} from './outbound-policy.ts';

export interface GuardOptions {
  /** The scope a redirect to another origin is checked against. @default the request's own scope */
  redirectScope?: OutboundScope;
  /** Headers that carry credentials: removed when a redirect leaves the request's origin. */
  credentialHeaders?: readonly string[];
}

/** The URL axios will call for a config: base URL and URL joined as axios joins them, params included. */
export function fullUrl(config: AxiosRequestConfig): string {
  return axios.getUri(config);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/**
 * The connection settings of a scope: its lookup on agents of its own (no keep-alive: a socket is never shared
 * with another scope), the size limit and the redirect check.
 */
export function guardedConfig(scope: OutboundScope, options: GuardOptions = {}): AxiosRequestConfig {
  const lookup = scope.lookup as never;
  const credentialHeaders = new Set(
    ['authorization', 'cookie', 'proxy-authorization', ...(options.credentialHeaders ?? [])].map((h) =>
      h.toLowerCase(),
    ),
  );
  return {
    lookup,
    httpAgent: new http.Agent({ keepAlive: false, lookup } as http.AgentOptions),
    httpsAgent: new https.Agent({ keepAlive: false, lookup } as https.AgentOptions),
    maxContentLength: scope.maxResponseBytes,
    maxRedirects: MAX_REDIRECTS,
    beforeRedirect: (redirect: Record<string, unknown>, _response: unknown, request?: { url?: string }) => {
      const target = String(redirect.href ?? '');
      const from = originOf(request?.url ?? '');
      const sameOrigin = from !== '' && originOf(target) === from;
      if (!sameOrigin) {
        const headers = (redirect.headers ?? {}) as Record<string, unknown>;
        for (const name of Object.keys(headers)) {
          if (credentialHeaders.has(name.toLowerCase())) delete headers[name];
        }
        delete redirect.auth;
      }
      (sameOrigin ? scope : (options.redirectScope ?? scope)).checkUrl(target);
    },
  };
}

/** The error a guarded request rejects with: the refusal, the size limit's refusal, or an HttpRequestError. */
export function toOutboundError(error: unknown, scope: OutboundScope): unknown {
  const refusal = findOutboundRefusal(error);
  if (refusal) return refusal;
  if (isAxiosError(error) && /maxContentLength size of \d+ exceeded/.test(error.message)) {
    const origin = originOf(error.config ? fullUrl(error.config) : '');
    return new OutboundRefusedError(
      `${origin}: the answer is larger than ${scope.maxResponseBytes} bytes: raise ${MAX_RESPONSE_BYTES_VARIABLE} if it must be read`,
      origin,
      MAX_RESPONSE_BYTES_VARIABLE,
    );
  }
  return toHttpRequestError(error);
}

/**
 * Puts an axios instance under a scope: its connection settings, a check of each request's URL before it is
 * sent (unless `check: false`: the caller checks), and its errors turned into OutboundRefusedError or HttpRequestError.
 */
export function guardClient(
  client: AxiosInstance,
  scope: OutboundScope,
  options: GuardOptions & { check?: false } = {},
): AxiosInstance {
  Object.assign(client.defaults, guardedConfig(scope, options));
  if (options.check !== false) {
    client.interceptors.request.use((config) => {
      scope.checkUrl(fullUrl(config));
      return config;
    });
  }
  return client;
}

/** Where a client records its requests (an attempt's OutboundLog). */
export interface RequestRecorder {
  record(request: {
    method: string;
    url: string;
    status?: number | undefined;
    code?: string | undefined;
    durationMs: number;
    at: number;
  }): void;
}

/**
 * A client for calls to any URL the scope allows (the `http` of a work unit's context, `http-request`); with
 * `outbound`, each request is recorded there (refused ones with the code `REFUSED`).
 */
export function createOutboundClient(
  scope: OutboundScope,
  timeoutMs: number,
  outbound?: RequestRecorder,
): AxiosInstance {
  const client = axios.create({ timeout: timeoutMs });
  const started = new WeakMap<object, { at: number; url: string; method: string }>();
  guardClient(client, scope, { check: false });
  client.interceptors.request.use((config) => {
    const start = { at: Date.now(), url: fullUrl(config), method: config.method ?? 'get' };
    try {
      scope.checkUrl(start.url);
    } catch (refused) {
      outbound?.record({ ...start, code: 'REFUSED', durationMs: 0 });
      throw refused;
    }
    started.set(config, start);
    return config;
  });
  const record = (config: object | undefined, status?: number, code?: string) => {
    const start = config ? started.get(config) : undefined;
    if (!outbound || !start) return;
    outbound.record({
      method: start.method,
      url: start.url,
      status,
      code,
      durationMs: Date.now() - start.at,
      at: start.at,
    });
  };
  client.interceptors.response.use(
    (response) => {
      record(response.config, response.status);
      return response;
    },
    (error: unknown) => {
      const converted = toOutboundError(error, scope);
      const e = error as { config?: object; response?: { status?: number }; code?: string };
      // Refused before it was sent: recorded by the request interceptor.
      if (!(error instanceof OutboundRefusedError)) {
        const code =
          converted instanceof OutboundRefusedError
            ? 'REFUSED'
            : e.response
              ? undefined
              : (e.code ?? 'ERROR');
        record(e.config, e.response?.status, code);
      }
      return Promise.reject(converted);
    },
  );
  return client;
}
