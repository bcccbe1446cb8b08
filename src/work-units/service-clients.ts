/**
 * Ready HTTP clients for the services a work unit calls. A topic binds each of the unit's service aliases to a
 * service of the configuration store (`services: { zrc: 'open-zaak' }`); the task's `bptlAppId` variable picks
 * that application's credentials (a task without one: the service's default; an application the service has no
 * credentials of fails the task). Each client is an axios instance with the service's base URL, its auth applied
 * — a ZGW JWT built from client id and secret, bearer, API-key header or basic — a time-out, and request logging
 * that never includes a header or a body.
 * A failed request rejects with an HttpRequestError, never the AxiosError (whose config holds the credentials),
 * so a unit that lets it escape or keeps it as a cause carries no secret into its failure or a log line.
 */
import { createHmac } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import { NonRetryableError } from '../errors.ts';
import { HttpRequestError, type HttpServiceIdentity } from '../http/http-request-error.ts';
import { fullUrl, guardClient, guardedConfig, toOutboundError } from '../http/outbound-client.ts';
import { OutboundPolicy, OutboundRefusedError } from '../http/outbound-policy.ts';
import type { Logger } from '../logging/logger.ts';
import type { ServiceAuth } from '../store/schemas.ts';
import type { OutboundLog } from './outbound-log.ts';

/** Finds a service's base URL and the credentials for an application (the worker's view of the store). */
export interface ServiceResolver {
  /**
   * The service's base URL and the credentials of `applicationId` when it has them, else its default ones;
   * `applicationId` in the answer says whose they are (absent: the default). Undefined: no such service.
   */
  resolve(
    service: string,
    applicationId?: string,
  ): Promise<{ baseUrl: string; auth: ServiceAuth; applicationId?: string | undefined } | undefined>;
  /**
   * The configured service an absolute URL belongs to: the one whose base URL is the longest prefix of the URL,
   * with the credentials for the application. Undefined when no service's base URL is a prefix of it.
   */
  resolveUrl?(
    url: string,
    applicationId?: string,
  ): Promise<
    { name: string; baseUrl: string; auth: ServiceAuth; applicationId?: string | undefined } | undefined
  >;
}

/** What keeps a service client's calls, and its credentials, where they belong. */
export interface ServiceClientGuard {
  /** The outbound policy: redirects away from a service, and the size of answers. @default new OutboundPolicy() */
  policy?: OutboundPolicy;
  /** Finds the other configured service an absolute URL belongs to (and the application's credentials). */
  resolver?: ServiceResolver;
  /** The task's application (`bptlAppId`), for the credentials of another service. */
  applicationId?: string | undefined;
}

/** A client is created per task attempt: a ZGW JWT is made fresh for each request. */
export const SERVICE_TIMEOUT_MS = 30_000;

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/**
 * How long a ZGW JWT is valid, in seconds (`exp` = `iat` + this). A token is made fresh for each request, so a
 * short lifetime costs nothing; it must still cover the clock difference with the server (Open Zaak checks
 * `iat` against its JWT_EXPIRY, with JWT_LEEWAY, and `exp` when it is there).
 */
export const ZGW_JWT_LIFETIME_SECONDS = 300;

/**
 * A JWT as the Dutch ZGW APIs expect it (HS256, `iss` and `client_id` the client id, `iat` now, `exp` a short
 * while later, `user_id` and `user_representation` naming BPTL), signed with the client's secret.
 */
export function zgwJwt(clientId: string, secret: string, nowMs = Date.now()): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const iat = Math.floor(nowMs / 1000);
  const payload = base64url(
    JSON.stringify({
      iss: clientId,
      iat,
      exp: iat + ZGW_JWT_LIFETIME_SECONDS,
      client_id: clientId,
      user_id: 'bptl',
      user_representation: 'BPTL',
    }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/**
 * Whether a URL is under a base URL: same origin, and its path is the base's path or below it (at a `/`, so
 * `/api/v1` is not under `/api/v`).
 */
export function isUnderBaseUrl(url: string | URL, baseUrl: string): boolean {
  let target: URL;
  let base: URL;
  try {
    target = typeof url === 'string' ? new URL(url) : url;
    base = new URL(baseUrl);
  } catch {
    return false;
  }
  if (target.origin !== base.origin) return false;
  const basePath = base.pathname.replace(/\/+$/, '');
  return target.pathname === basePath || target.pathname.startsWith(`${basePath}/`) || basePath === '';
}

/** The service a request went to and the (non-secret) name of the credentials it carried. */
function identityOf(name: string, baseUrl: string, auth: ServiceAuth): HttpServiceIdentity {
  return {
    name,
    baseUrl,
    authType: auth.type,
    ...(auth.type === 'zgw'
      ? { clientId: auth.clientId }
      : auth.type === 'basic'
        ? { clientId: auth.username }
        : {}),
  };
}

/**
 * An axios instance for one service with its auth applied and requests logged without secrets. A failed
 * request rejects with an HttpRequestError (`status`, `code`, `response.status` and `response.data` as axios
 * has them); anything else a request interceptor throws is passed on unchanged. With `outbound`, each request
 * (answered or not) is recorded there: method, origin, path, status or error code, duration (outbound-log.ts).
 */
export function createServiceClient(
  service: { name: string; baseUrl: string; auth: ServiceAuth },
  log: Logger,
  timeoutMs = SERVICE_TIMEOUT_MS,
  outbound?: OutboundLog,
  guard: ServiceClientGuard = {},
): AxiosInstance {
  const client = axios.create({ baseURL: service.baseUrl, timeout: timeoutMs });
  const own = new URL(service.baseUrl).origin;
  const policy = guard.policy ?? new OutboundPolicy();
  // The service's own origin may be on a private address: an admin configured it. An origin a redirect leads to
  // is checked as any outbound call is, and gets no credentials.
  const scope = policy.scope({ trustedOrigins: [own] });
  const redirectScope = policy.scope();
  guardClient(client, scope, {
    redirectScope,
    credentialHeaders: credentialHeaderOf(service.auth),
    check: false,
  });
  client.interceptors.request.use(async (config) => {
    (config as { startedAt?: number }).startedAt = Date.now();
    try {
      const target = scope.checkScheme(fullUrl(config));
      let auth = service.auth;
      let identity = identityOf(service.name, service.baseUrl, auth);
      if (!isUnderBaseUrl(target, service.baseUrl)) {
        // Another configured service's URL (ZGW resources name each other by URL, and Open Zaak serves all its
        // APIs on one origin): that service's credentials, found by the longest base-URL prefix.
        const found = await guard.resolver?.resolveUrl?.(
          `${target.origin}${target.pathname}`,
          guard.applicationId,
        );
        const other =
          found && found.name !== service.name && isUnderBaseUrl(target, found.baseUrl) ? found : undefined;
        if (!other && target.origin !== own) {
          throw new OutboundRefusedError(
            `${target.origin} is not the origin of service '${service.name}' (${own}) nor of another configured service: its credentials are not sent there`,
            target.origin,
          );
        }
        if (other) {
          if (guard.applicationId !== undefined && other.applicationId !== guard.applicationId) {
            throw new NonRetryableError(
              `service '${other.name}' (${other.baseUrl}) has no credentials of application '${guard.applicationId}' (the task's bptlAppId)`,
            );
          }
          auth = other.auth;
          identity = identityOf(other.name, other.baseUrl, auth);
          if (target.origin !== own) {
            const otherScope = policy.scope({ trustedOrigins: [target.origin] });
            Object.assign(
              config,
              guardedConfig(otherScope, { redirectScope, credentialHeaders: credentialHeaderOf(auth) }),
            );
          }
        }
        // Same origin, no other service's URL: the service's own (an API of the service not under its base URL).
      }
      (config as { bptlService?: HttpServiceIdentity }).bptlService = identity;
      applyAuth(config.headers, auth);
      return config;
    } catch (error) {
      record(config, undefined, 'REFUSED');
      log.warn('service request refused', { ...describe(config), error: String((error as Error).message) });
      throw error;
    }
  });
  const describe = (config: { method?: string | undefined; url?: string | undefined } | undefined) => ({
    service: service.name,
    method: (config?.method ?? 'get').toUpperCase(),
    // The path only: a query string may carry a token.
    path: (config?.url ?? '').split('?')[0],
  });
  const record = (
    config: { method?: string; url?: string; baseURL?: string; startedAt?: number } | undefined,
    status: number | undefined,
    code: string | undefined,
  ) => {
    if (!outbound || !config) return;
    const startedAt = config.startedAt ?? Date.now();
    outbound.record({
      method: config.method ?? 'get',
      url: config.url ?? '',
      baseUrl: config.baseURL ?? service.baseUrl,
      status,
      code,
      durationMs: Date.now() - startedAt,
      at: startedAt,
    });
  };
  client.interceptors.response.use(
    (response) => {
      const startedAt = (response.config as { startedAt?: number }).startedAt ?? Date.now();
      record(response.config, response.status, undefined);
      log.info('service request', {
        ...describe(response.config),
        status: response.status,
        ms: Date.now() - startedAt,
      });
      return response;
    },
    (error: unknown) => {
      const e = error as {
        config?: {
          method?: string;
          url?: string;
          baseURL?: string;
          startedAt?: number;
          bptlService?: HttpServiceIdentity;
        };
        response?: { status?: number };
        code?: string;
      };
      // Refused before it was sent: recorded and logged by the request interceptor.
      if (error instanceof OutboundRefusedError) return Promise.reject(error);
      const converted = toOutboundError(error, scope);
      if (converted instanceof HttpRequestError) {
        converted.service = e.config?.bptlService ?? identityOf(service.name, service.baseUrl, service.auth);
      }
      const refused = converted instanceof OutboundRefusedError;
      record(
        e.config,
        e.response?.status,
        refused ? 'REFUSED' : e.response ? undefined : (e.code ?? 'ERROR'),
      );
      log.warn('service request failed', {
        ...describe(e.config),
        status: e.response?.status,
        code: refused ? converted.code : e.code,
      });
      return Promise.reject(converted);
    },
  );
  return client;
}

/** The header a service's auth is sent in. */
function credentialHeaderOf(auth: ServiceAuth): string[] {
  return auth.type === 'api-key' ? [auth.header] : ['authorization'];
}

/** Sets the headers of a service's auth on a request. */
function applyAuth(headers: { set(name: string, value: string): unknown }, auth: ServiceAuth): void {
  switch (auth.type) {
    case 'bearer':
      headers.set('Authorization', `Bearer ${auth.token}`);
      break;
    case 'basic':
      headers.set(
        'Authorization',
        `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      );
      break;
    case 'api-key':
      headers.set(auth.header, auth.key);
      break;
    case 'zgw':
      headers.set('Authorization', `Bearer ${zgwJwt(auth.clientId, auth.secret)}`);
      break;
    default:
      break;
  }
}

/**
 * Builds the clients for a unit's aliases; a missing binding or service fails the task, naming it. With an
 * `applicationId` (the task's `bptlAppId`), each service must have that application's credentials: the
 * service's default ones are used only for a task that names no application, never in place of an unknown one.
 */
export async function serviceClientsFor(
  aliases: readonly string[],
  bindings: Readonly<Record<string, string>>,
  applicationId: string | undefined,
  resolver: ServiceResolver | undefined,
  log: Logger,
  context: { workUnit: string; topic: string },
  outbound?: OutboundLog,
  policy?: OutboundPolicy,
): Promise<Record<string, AxiosInstance>> {
  const clients: Record<string, AxiosInstance> = {};
  for (const alias of aliases) {
    const name = bindings[alias];
    if (!name) {
      throw new NonRetryableError(
        `work unit '${context.workUnit}' needs service alias '${alias}', which topic '${context.topic}' does not bind`,
      );
    }
    const found = resolver ? await resolver.resolve(name, applicationId) : undefined;
    if (!found) throw new NonRetryableError(`service '${name}' (alias '${alias}') is not configured`);
    if (applicationId !== undefined && found.applicationId !== applicationId) {
      throw new NonRetryableError(
        `service '${name}' (alias '${alias}') has no credentials of application '${applicationId}' (the task's bptlAppId): add them to the service, or leave bptlAppId out to use the service's default credentials`,
      );
    }
    clients[alias] = createServiceClient(
      { name, baseUrl: found.baseUrl, auth: found.auth },
      log,
      SERVICE_TIMEOUT_MS,
      outbound,
      {
        ...(policy ? { policy } : {}),
        ...(resolver ? { resolver } : {}),
        applicationId,
      },
    );
  }
  return clients;
}
