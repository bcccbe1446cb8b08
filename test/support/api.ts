/**
 * The API in-process on a fresh in-memory configuration store (PGlite), or on the `store` a test opened (one that
 * `bptl` child processes share), with an admin and a viewer token, and a small request helper for
 * `app.request()`. Each call opens its own store unless given one: tests own their state.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Hono } from 'hono';
import { type ApiDependencies, createApp } from '../../src/api/app.ts';
import type { ApiEnv } from '../../src/api/auth.ts';
import type { ApiToken } from '../../src/config/env.ts';
import { createLogger, type Logger } from '../../src/logging/logger.ts';
import type { HealthChecks } from '../../src/observability/health-checks.ts';
import { type ConfigStore, createConfigStore } from '../../src/store/config-store.ts';
import { openPglite } from '../../src/store/database.ts';
import { createSecretCipher } from '../../src/store/secret-cipher.ts';
import type { AnyWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { createRegistry } from '../../src/work-units/registry.ts';

export const ADMIN_TOKEN = `admin-${randomBytes(12).toString('hex')}`;
export const VIEWER_TOKEN = `viewer-${randomBytes(12).toString('hex')}`;
export const TOKENS: ApiToken[] = [
  { name: 'test-admin', role: 'admin', token: ADMIN_TOKEN },
  { name: 'test-viewer', role: 'viewer', token: VIEWER_TOKEN },
];

export interface TestApi {
  app: Hono<ApiEnv>;
  store: ConfigStore;
  /** Every log line the API wrote. */
  logLines: string[];
  /**
   * A request through app.request(). `token` defaults to the admin's (`null`: none); a `body` that is not a
   * string is sent as JSON.
   */
  request(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function createTestApi(
  options: {
    units?: AnyWorkUnit[];
    temporal?: Client;
    taskQueue?: string;
    workUnitTaskQueue?: string;
    bodyLimitBytes?: number;
    readOnly?: string;
    log?: Logger;
    engines?: ApiDependencies['engines'];
    links?: ApiDependencies['links'];
    codec?: PayloadCodec;
    codecCorsOrigins?: string[];
    checks?: HealthChecks;
    metrics?: () => Promise<{ contentType: string; body: string }>;
    /** The configuration store to serve; the caller closes it. @default a fresh in-memory PGlite, closed by close() */
    store?: ConfigStore;
  } = {},
): Promise<TestApi> {
  const store = options.store ?? createConfigStore(await openPglite(), createSecretCipher(randomBytes(32)));
  const logLines: string[] = [];
  const log = options.log ?? createLogger('api', { level: 'debug', write: (line) => logLines.push(line) });
  const app = createApp({
    registry: createRegistry(options.units ?? []),
    store,
    tokens: TOKENS,
    log,
    ...(options.temporal ? { temporal: options.temporal } : {}),
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
    ...(options.workUnitTaskQueue ? { workUnitTaskQueue: options.workUnitTaskQueue } : {}),
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.readOnly ? { readOnly: options.readOnly } : {}),
    ...(options.engines ? { engines: options.engines } : {}),
    ...(options.links ? { links: options.links } : {}),
    ...(options.codec ? { codec: options.codec } : {}),
    ...(options.codecCorsOrigins ? { codecCorsOrigins: options.codecCorsOrigins } : {}),
    ...(options.checks ? { checks: options.checks } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return {
    app,
    store,
    logLines,
    request(method, path, { token = ADMIN_TOKEN, body, headers = {} } = {}) {
      const init: RequestInit = {
        method,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      };
      return Promise.resolve(app.request(path, init));
    },
    close: () => (options.store ? Promise.resolve() : store.close()),
  };
}
