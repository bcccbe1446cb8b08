/** Starts a BPTL worker on a Temporal connection (retried with back-off until Temporal answers). */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ensureError } from '../errors.ts';
import { Backoff } from '../poller/backoff.ts';
import type { ConfigStore } from '../store/config-store.ts';
import type { ServiceResolver } from '../work-units/service-clients.ts';
import { type BptlWorker, createBptlWorker } from '../worker/bptl-worker.ts';
import type { BptlContext } from './bptl-context.ts';

/** The worker's view of the store's services: base URL and the decrypted credentials for an application. */
export function storeServiceResolver(store: ConfigStore): ServiceResolver {
  return {
    async resolve(name, applicationId) {
      const found = await store.services.credentialsFor(name, applicationId);
      return found ? { baseUrl: found.service.baseUrl, auth: found.auth } : undefined;
    },
  };
}

/** Connects to Temporal, retrying with back-off and naming the address in the log while it is down. */
export async function connectWithRetry<T>(
  what: string,
  address: string,
  connect: () => Promise<T>,
  ctx: Pick<BptlContext, 'log'>,
  signal?: AbortSignal,
): Promise<T> {
  const backoff = new Backoff({ initialMs: 500, maxMs: 15_000 });
  for (;;) {
    try {
      return await connect();
    } catch (error) {
      if (signal?.aborted) throw error;
      const waitMs = backoff.next();
      ctx.log.warn(`${what} is not reachable; trying again`, {
        address,
        error: ensureError(error),
        retryInMs: waitMs,
      });
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/**
 * Installs the Temporal runtime once, with the SDK's own logs at WARN unless LOG_LEVEL is debug, and without the
 * SDK's signal handlers: signals.ts owns SIGINT/SIGTERM, and each command shuts its worker down itself, after its
 * pollers.
 */
function installRuntime(ctx: BptlContext): void {
  try {
    Runtime.install({
      logger: new DefaultLogger(ctx.env.LOG_LEVEL === 'debug' ? 'INFO' : 'WARN'),
      shutdownSignals: [],
    });
  } catch {
    // Already installed (a second worker in this process): keep the first.
  }
}

export async function startWorker(
  ctx: BptlContext,
): Promise<{ worker: BptlWorker; connection: NativeConnection }> {
  installRuntime(ctx);
  const address = ctx.env.TEMPORAL_ADDRESS;
  const connection = await connectWithRetry(
    'Temporal',
    address,
    () => NativeConnection.connect({ address }),
    ctx,
  );
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
    ...(ctx.store ? { services: storeServiceResolver(ctx.store) } : {}),
  });
  return { worker, connection };
}
