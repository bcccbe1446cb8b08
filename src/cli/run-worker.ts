/** Starts a BPTL worker on a Temporal connection (retried with back-off until Temporal answers). */
import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { codecDataConverter } from '../codec/data-converter.ts';
import { outboundPolicyOf } from '../config/env.ts';
import { ensureError, StoppedBeforeReadyError } from '../errors.ts';
import type { BptlMetrics } from '../observability/metrics.ts';
import { Backoff, sleepUnlessAborted } from '../poller/backoff.ts';
import type { ConfigStore } from '../store/config-store.ts';
import type { ServiceResolver } from '../work-units/service-clients.ts';
import { type BptlWorker, createBptlWorker } from '../worker/bptl-worker.ts';
import type { BptlContext } from './bptl-context.ts';

/** The worker's view of the store's services: base URL and the decrypted credentials for an application. */
export function storeServiceResolver(store: ConfigStore): ServiceResolver {
  return {
    async resolve(name, applicationId) {
      const found = await store.services.credentialsFor(name, applicationId);
      return found
        ? { baseUrl: found.service.baseUrl, auth: found.auth, applicationId: found.applicationId }
        : undefined;
    },
    async resolveUrl(url, applicationId) {
      // The service whose base URL is the longest prefix of the URL (several APIs may share an origin).
      let best: { name: string; baseUrl: string } | undefined;
      for (const service of await store.services.list()) {
        const base = service.baseUrl.replace(/\/+$/, '');
        if ((url === base || url.startsWith(`${base}/`)) && base.length > (best?.baseUrl.length ?? -1)) {
          best = { name: service.name, baseUrl: base };
        }
      }
      if (!best) return undefined;
      const found = await store.services.credentialsFor(best.name, applicationId);
      return found
        ? {
            name: best.name,
            baseUrl: found.service.baseUrl,
            auth: found.auth,
            ...(found.applicationId !== undefined ? { applicationId: found.applicationId } : {}),
          }
        : undefined;
    },
  };
}

/**
 * Connects to Temporal, retrying with back-off and naming the address in the log while it is down. When `signal`
 * is aborted (a stop was requested) it stops waiting at once, also during its back-off, and throws a
 * StoppedBeforeReadyError saying that the process stopped before `what` answered.
 */
export async function connectWithRetry<T>(
  what: string,
  address: string,
  connect: () => Promise<T>,
  ctx: { log: Pick<BptlContext['log'], 'debug' | 'warn'> },
  signal?: AbortSignal,
): Promise<T> {
  const backoff = new Backoff({ initialMs: 500, maxMs: 15_000 });
  const stopped = (cause?: unknown) =>
    new StoppedBeforeReadyError(`stopped before ${what} answered`, { cause: cause ?? signal?.reason });
  ctx.log.debug(`connecting to ${what}`, { address });
  for (;;) {
    if (signal?.aborted) throw stopped();
    try {
      return await connect();
    } catch (error) {
      if (signal?.aborted) throw stopped(error);
      const waitMs = backoff.next();
      ctx.log.warn(`${what} is not reachable; trying again`, {
        address,
        error: ensureError(error),
        retryInMs: waitMs,
      });
      if (signal) await sleepUnlessAborted(waitMs, signal);
      else await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** How long one attempt of connectClient waits for Temporal. */
export const CLIENT_CONNECT_TIMEOUT_MS = 2_000;

/**
 * One attempt at a Temporal client connection (pollers, API), given up at once when `signal` aborts (closing the
 * connection does not end the client's wait, so it is raced). An attempt waits at most CLIENT_CONNECT_TIMEOUT_MS
 * (the client's default is 10 s): a process stopped meanwhile is not kept alive long by the attempt. A failed
 * attempt closes its channel, so that retries do not pile up channels.
 */
export async function connectClient(address: string, signal?: AbortSignal): Promise<Connection> {
  const connection = Connection.lazy({ address, connectTimeout: CLIENT_CONNECT_TIMEOUT_MS });
  let abandon = () => {};
  const aborted = new Promise<never>((_, reject) => {
    abandon = () => reject(signal?.reason);
    signal?.addEventListener('abort', abandon, { once: true });
  });
  try {
    await Promise.race([connection.ensureConnected(), aborted]);
    return connection;
  } catch (error) {
    await connection.close();
    throw error;
  } finally {
    signal?.removeEventListener('abort', abandon);
  }
}

/**
 * Installs the Temporal runtime once (before any NativeConnection), with the SDK's Prometheus exporter when
 * BPTL_TEMPORAL_METRICS_PORT is set, with the SDK's own logs at WARN unless LOG_LEVEL is debug, and without the
 * SDK's signal handlers: shutdown.ts owns SIGINT/SIGTERM, and its sequence shuts the worker down after the
 * pollers.
 */
function installRuntime(ctx: BptlContext): void {
  const port = ctx.env.BPTL_TEMPORAL_METRICS_PORT;
  try {
    Runtime.install({
      logger: new DefaultLogger(ctx.env.LOG_LEVEL === 'debug' ? 'INFO' : 'WARN'),
      shutdownSignals: [],
      // The SDK's worker metrics (BPTL_TEMPORAL_METRICS_PORT): appended to the process's /metrics.
      ...(port > 0
        ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } }
        : {}),
    });
  } catch {
    // Already installed (a second worker in this process): keep the first.
  }
}

/**
 * Connects to Temporal (until `signal` is aborted: then a StoppedBeforeReadyError) and builds the worker; the
 * caller runs it and registers its stop.
 */
export async function startWorker(
  ctx: BptlContext,
  signal?: AbortSignal,
  metrics?: BptlMetrics,
): Promise<{ worker: BptlWorker; connection: NativeConnection }> {
  installRuntime(ctx);
  const address = ctx.env.TEMPORAL_ADDRESS;
  const connection = await connectWithRetry(
    'Temporal',
    address,
    () => NativeConnection.connect({ address }),
    ctx,
    signal,
  );
  if (signal?.aborted) {
    await connection.close();
    throw new StoppedBeforeReadyError('stopped before the worker started', { cause: signal.reason });
  }
  // Engine URLs and credentials: ctx.engines follows the configuration store (nothing to follow for a file).
  ctx.watch();
  const worker = await createBptlWorker({
    connection,
    namespace: ctx.env.TEMPORAL_NAMESPACE,
    taskQueue: ctx.env.BPTL_TASK_QUEUE,
    workUnitTaskQueue: ctx.env.BPTL_WORK_UNIT_TASK_QUEUE,
    engines: ctx.engines,
    registry: ctx.registry,
    logger: ctx.log.child('worker'),
    workflowStackTraces: ctx.env.BPTL_WORKFLOW_STACK_TRACES,
    dataConverter: codecDataConverter(ctx.env.codecKeys),
    outboundPolicy: outboundPolicyOf(ctx.env),
    ...(ctx.store ? { services: storeServiceResolver(ctx.store) } : {}),
    ...(metrics ? { metrics } : {}),
  });
  return { worker, connection };
}
