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
import { toHttpRequestError } from '../http/http-request-error.ts';
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
}

/** A client is created per task attempt: a ZGW JWT is made fresh for each request. */
export const SERVICE_TIMEOUT_MS = 30_000;

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/**
 * A JWT as the Dutch ZGW APIs expect it (HS256, `iss` and `client_id` the client id, `iat` now), signed with
 * the client's secret.
 */
export function zgwJwt(clientId: string, secret: string, nowMs = Date.now()): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      iss: clientId,
      iat: Math.floor(nowMs / 1000),
      client_id: clientId,
      user_id: 'bptl',
      user_representation: 'BPTL',
    }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
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
): AxiosInstance {
  const client = axios.create({ baseURL: service.baseUrl, timeout: timeoutMs });
  const { auth } = service;
  client.interceptors.request.use((config) => {
    switch (auth.type) {
      case 'bearer':
        config.headers.set('Authorization', `Bearer ${auth.token}`);
        break;
      case 'basic':
        config.headers.set(
          'Authorization',
          `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
        );
        break;
      case 'api-key':
        config.headers.set(auth.header, auth.key);
        break;
      case 'zgw':
        config.headers.set('Authorization', `Bearer ${zgwJwt(auth.clientId, auth.secret)}`);
        break;
      default:
        break;
    }
    (config as { startedAt?: number }).startedAt = Date.now();
    return config;
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
        config?: { method?: string; url?: string; baseURL?: string; startedAt?: number };
        response?: { status?: number };
        code?: string;
      };
      record(e.config, e.response?.status, e.response ? undefined : (e.code ?? 'ERROR'));
      log.warn('service request failed', { ...describe(e.config), status: e.response?.status, code: e.code });
      return Promise.reject(toHttpRequestError(error));
    },
  );
  return client;
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
    );
  }
  return clients;
}
