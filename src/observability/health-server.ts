/**
 * The small HTTP server of `bptl worker`, `bptl poller` and `bptl run` (the processes without the API), for
 * orchestrators: GET /healthz (200 while the process is up), GET /readyz (200 when every check answers, else 503
 * naming each check), and GET /metrics (Prometheus). Its port is BPTL_HEALTH_PORT (`off` or 0: no server); `bptl api` and `bptl dev` serve the
 * same routes on the API instead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkReadiness, type HealthChecks } from './health-checks.ts';

export interface HealthServerOptions {
  port: number;
  host: string;
  checks: HealthChecks;
  /** GET /metrics: the Prometheus text (metrics.ts metricsText). Absent: 404. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

export interface HealthServer {
  /** The port it listens on (the one chosen by the system when `port` was 0 in a test). */
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** The body and status of GET /readyz. */
export async function readinessResponse(checks: HealthChecks): Promise<{ status: 200 | 503; body: unknown }> {
  const readiness = await checkReadiness(checks());
  return {
    status: readiness.ok ? 200 : 503,
    body: { status: readiness.ok ? 'ready' : 'not ready', checks: readiness.checks },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: HealthServerOptions,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (path === '/readyz') {
    const { status, body } = await readinessResponse(options.checks);
    return sendJson(res, status, body);
  }
  if (path === '/metrics' && options.metrics) {
    const { contentType, body } = await options.metrics();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
    return;
  }
  sendJson(res, 404, { status: 'not found', paths: ['/healthz', '/readyz', '/metrics'] });
}

/** Starts listening; rejects when the port cannot be bound (the command then fails, naming it). */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { status: 'error', error: String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new Error(`cannot listen on ${options.host}:${options.port} (BPTL_HEALTH_PORT)`, { cause: error }),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
