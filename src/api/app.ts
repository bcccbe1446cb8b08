/**
 * The BPTL HTTP API (Hono): configuration (topics, engines, services and their credentials per application) on
 * the configuration store, the work-unit registry (and running a unit over HTTP), external tasks in Temporal,
 * the audit log, and the OpenAPI document with a docs page; and the web console under /console (src/console/).
 *
 * Every operation is declared once (src/api/routes/*.ts) and registered here behind its auth; the OpenAPI
 * document is generated from the same declarations. Open without a token: `GET /health`, `/healthz`, `/readyz`, `/metrics`, `GET /openapi.json`
 * and `GET /docs` (the API's shape, no configuration); everything else needs a bearer token (viewer reads,
 * admin writes). Each operation's declared body and query are parsed before its handler runs
 * (operation-input.ts). Errors are problem+json (problem.ts); bodies past the size limit answer 413.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import { consoleApp } from '../console/console-app.ts';
import { createSessionCodec, SESSION_COOKIE } from '../console/session.ts';
import { createLogger } from '../logging/logger.ts';
import type { HealthCheck, HealthChecks } from '../observability/health-checks.ts';
import { readinessResponse } from '../observability/health-server.ts';
import { temporalPing } from '../observability/process-checks.ts';
import { type ApiEnv, actorOf, requireRole } from './auth.ts';
import { codecCors } from './codec-cors.ts';
import type { ApiDependencies } from './dependencies.ts';
import { renderDocsPage } from './docs-page.ts';
import { rejectNulCharacters } from './nul-character.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { honoPath, type Operation } from './operation.ts';
import { readOperationInput } from './operation-input.ts';
import { ApiProblem, createErrorHandler, problem } from './problem.ts';
import { healthSchema, readinessSchema } from './resource-schemas.ts';
import { auditOperations } from './routes/audit.ts';
import { codecOperations } from './routes/codec.ts';
import { engineOperations } from './routes/engines.ts';
import { serviceOperations } from './routes/services.ts';
import { taskOperations } from './routes/tasks.ts';
import { topicOperations } from './routes/topics.ts';
import { workUnitOperations } from './routes/work-units.ts';

export type { ApiDependencies } from './dependencies.ts';

/** The default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** The origins of the local Temporal UI (`bptl dev`), allowed to call /codec/* unless others are given. */
export const DEFAULT_CODEC_CORS_ORIGINS = ['http://127.0.0.1:8233', 'http://localhost:8233'];

/** Tags whose writes change the configuration (refused when the API is read-only). */
const CONFIGURATION_TAGS = new Set(['topics', 'engines', 'services']);

/** GET /readyz without the command's checks: the store, and Temporal when the API has a client. */
function defaultChecks(deps: ApiDependencies): HealthChecks {
  const temporal = deps.temporal;
  const checks: HealthCheck[] = [{ name: 'store', run: () => deps.store.revision() }];
  if (temporal) checks.push({ name: 'temporal', run: temporalPing(temporal.connection) });
  return () => checks;
}

/** Every operation of the API, in the order of the document. */
export function apiOperations(deps: ApiDependencies): Operation[] {
  let document: Record<string, unknown> | undefined;
  let page: string | undefined;
  const checks = deps.checks ?? defaultChecks(deps);
  const operations: Operation[] = [
    {
      method: 'get',
      path: '/health',
      operationId: 'health',
      tag: 'meta',
      summary: 'Whether the API answers',
      access: 'public',
      responses: { 200: { description: 'it does', schema: healthSchema } },
      problems: [],
      handler: (c) => c.json({ status: 'ok' }),
    },
    {
      method: 'get',
      path: '/healthz',
      operationId: 'liveness',
      tag: 'meta',
      summary: 'Liveness for orchestrators: 200 while the process is up',
      access: 'public',
      responses: { 200: { description: 'the process is up', schema: healthSchema } },
      problems: [],
      handler: (c) => c.json({ status: 'ok' }),
    },
    {
      method: 'get',
      path: '/readyz',
      operationId: 'readiness',
      tag: 'meta',
      summary: 'Readiness for orchestrators: whether the engines, Temporal and the store answer',
      access: 'public',
      responses: {
        200: { description: 'every check answered', schema: readinessSchema },
        503: { description: 'a check failed: its entry has ok false and the error', schema: readinessSchema },
      },
      problems: [],
      handler: async (c) => {
        const { status, body } = await readinessResponse(checks);
        return c.json(body, status);
      },
    },
    {
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      tag: 'meta',
      summary: "The process's metrics, in Prometheus text format",
      access: 'public',
      responses: { 200: { description: 'the metrics', contentType: 'text/plain' } },
      problems: [404],
      handler: async (c) => {
        if (!deps.metrics) throw new ApiProblem(404, 'this process serves no metrics');
        const { contentType, body } = await deps.metrics();
        return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openApiDocument',
      tag: 'meta',
      summary: 'This OpenAPI 3.1 document',
      access: 'public',
      responses: { 200: { description: 'the document', schema: z.record(z.string(), z.unknown()) } },
      problems: [],
      handler: (c) => {
        document ??= buildOpenApiDocument(operations);
        return c.json(document);
      },
    },
    {
      method: 'get',
      path: '/docs',
      operationId: 'docsPage',
      tag: 'meta',
      summary: 'The operations as an HTML page',
      access: 'public',
      responses: { 200: { description: 'the page', contentType: 'text/html' } },
      problems: [],
      handler: (c) => {
        document ??= buildOpenApiDocument(operations);
        page ??= renderDocsPage(document);
        return c.html(page);
      },
    },
    ...topicOperations(deps),
    ...engineOperations(deps),
    ...serviceOperations(deps),
    ...workUnitOperations(deps),
    ...taskOperations(deps),
    ...auditOperations(deps),
    ...codecOperations(deps),
  ];
  return operations;
}

/** Logs each request (never its body or headers): writes at info, reads at debug. */
function requestLog(log: ReturnType<typeof createLogger>): MiddlewareHandler<ApiEnv> {
  return async function logRequest(c, next) {
    const started = performance.now();
    await next();
    const principal = c.get('principal') as ApiEnv['Variables']['principal'] | undefined;
    const fields = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      ...(principal ? { actor: actorOf(principal) } : {}),
    };
    if (c.req.method === 'GET' || c.req.method === 'HEAD') log.debug('request', fields);
    else log.info('request', fields);
  };
}

/**
 * The methods each path of `operations` has (HEAD with GET), for a 405 with Allow (RFC 9110) when a request
 * names a path that exists with a method it does not have; [] for a path that does not exist (404).
 */
function methodsByPath(operations: readonly Operation[]): (path: string) => string[] {
  const routes = operations.map((op) => ({
    pattern: new RegExp(
      `^${op.path
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}$`,
    ),
    method: op.method.toUpperCase(),
  }));
  return (path) => {
    const methods = new Set(routes.filter((route) => route.pattern.test(path)).map((route) => route.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods];
  };
}

function readOnly(reason: string): MiddlewareHandler<ApiEnv> {
  return async function refuseWrites() {
    throw new ApiProblem(409, `the configuration cannot be changed through this API: ${reason}`);
  };
}

export function createApp(deps: ApiDependencies): Hono<ApiEnv> {
  const log = deps.log ?? createLogger('api');
  const app = new Hono<ApiEnv>();
  app.onError(createErrorHandler(log));
  const operations = apiOperations(deps);
  const allowedMethods = methodsByPath(operations);
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length === 0 || allowed.includes(c.req.method)) {
      return problem(c, 404, 'Not Found', { detail: `no route ${c.req.method} ${c.req.path}` });
    }
    return problem(
      c,
      405,
      'Method Not Allowed',
      { detail: `${c.req.method} is not an operation of ${c.req.path}; it has ${allowed.join(', ')}` },
      { allow: allowed.join(', ') },
    );
  });
  app.use('*', requestLog(log));
  app.use('/codec/*', codecCors(deps.codecCorsOrigins ?? DEFAULT_CODEC_CORS_ORIGINS));
  const maxSize = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  app.use(
    '*',
    bodyLimit({
      maxSize,
      onError: (c: Context) =>
        problem(c, 413, 'Content Too Large', { detail: `the body is larger than ${maxSize} bytes` }),
    }),
  );
  // The web console (server-rendered pages with a session cookie; src/console/), and / leads there.
  app.route('/console', consoleApp(deps, log));
  app.get('/', (c) => c.redirect('/console', 303));
  // The codec server also takes the console's session, so that the Temporal UI decodes for a signed-in operator.
  const sessions = createSessionCodec(deps.tokens);
  const session = (c: Context<ApiEnv>) => sessions.read(getCookie(c, SESSION_COOKIE))?.principal;
  for (const op of operations) {
    const handlers: MiddlewareHandler<ApiEnv>[] = [];
    if (op.access !== 'public') {
      handlers.push(requireRole(deps.tokens, op.access, op.sessionCookie ? { session } : {}));
    }
    handlers.push(rejectNulCharacters());
    if (deps.readOnly !== undefined && op.method !== 'get' && CONFIGURATION_TAGS.has(op.tag)) {
      handlers.push(readOnly(deps.readOnly));
    }
    // The declared input is checked here, once, after auth and before the handler (so before If-Match too).
    const handle: MiddlewareHandler<ApiEnv> = async (c) => op.handler(c, await readOperationInput(c, op));
    app.on([op.method.toUpperCase()], [honoPath(op.path)], ...handlers, handle);
  }
  return app;
}
