/**
 * Starts the pollers of a process (one per engine, sharing one Temporal client) and keeps them in line with the
 * configuration: with the store, a created, changed, disabled or deleted topic or engine reaches them within
 * about a second (see PollerFleet and Poller.setTopics).
 */
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { codecDataConverter } from '../codec/data-converter.ts';
import type { BptlMetrics } from '../observability/metrics.ts';
import { PollerFleet } from '../poller/poller-fleet.ts';
import type { BptlContext } from './bptl-context.ts';
import { connectClient, connectWithRetry } from './run-worker.ts';

export interface RunningPollers {
  fleet: PollerFleet;
  client: Client;
  stop(): Promise<void>;
}

/**
 * Starts the pollers. Given the NativeConnection of a worker in this process, they share it and start
 * workflows eagerly (the first workflow task comes back with the start call: one round trip less per task).
 */
export async function startPollers(
  ctx: BptlContext,
  options: { workerConnection?: NativeConnection; signal?: AbortSignal; metrics?: BptlMetrics } = {},
): Promise<RunningPollers> {
  const address = ctx.env.TEMPORAL_ADDRESS;
  const shared = options.workerConnection;
  const connection =
    shared ??
    (await connectWithRetry(
      'Temporal',
      address,
      () => connectClient(address, options.signal),
      ctx,
      options.signal,
    ));
  const client = new Client({
    connection,
    namespace: ctx.env.TEMPORAL_NAMESPACE,
    dataConverter: codecDataConverter(ctx.env.codecKeys),
  });
  const fleet = new PollerFleet({
    temporal: client,
    workerId: ctx.env.BPTL_WORKER_ID,
    taskQueue: ctx.env.BPTL_TASK_QUEUE,
    workUnitTaskQueue: ctx.env.BPTL_WORK_UNIT_TASK_QUEUE,
    maxTasks: ctx.env.BPTL_MAX_TASKS,
    maxInFlight: ctx.env.BPTL_MAX_IN_FLIGHT,
    fetchLingerMs: ctx.env.BPTL_FETCH_LINGER_MS,
    asyncResponseTimeoutMs: ctx.env.BPTL_ASYNC_RESPONSE_TIMEOUT_MS,
    logger: ctx.log.child('poller'),
    workUnitNames: ctx.registry.names(),
    unitExecution: (name) => ctx.registry.get(name)?.execution,
    createClient: (engine) => ctx.engines.clientFor(engine),
    ...(shared ? { eagerStart: true } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  await fleet.apply(ctx.current().config);
  if (ctx.source.live && fleet.pollers.size === 0) {
    ctx.log.info('no engine configured yet: pollers start when one is added (POST /engines)');
  }
  ctx.onChange((snapshot) => fleet.apply(snapshot.config));
  ctx.watch();
  let stopping: Promise<void> | undefined;
  return {
    fleet,
    client,
    stop() {
      stopping ??= (async () => {
        await fleet.stop();
        if (!shared) await connection.close(); // a shared connection is the worker's to close
      })();
      return stopping;
    },
  };
}
