/** Starts one poller per configured engine, sharing one Temporal client. */
import { Client, Connection } from '@temporalio/client';
import { Poller } from '../poller/poller.ts';
import type { BptlContext } from './bptl-context.ts';
import { connectWithRetry } from './run-worker.ts';

export interface RunningPollers {
  pollers: Poller[];
  client: Client;
  stop(): Promise<void>;
}

export async function startPollers(ctx: BptlContext): Promise<RunningPollers> {
  const address = ctx.env.TEMPORAL_ADDRESS;
  const connection = await connectWithRetry('Temporal', address, () => Connection.connect({ address }), ctx);
  const client = new Client({ connection, namespace: ctx.env.TEMPORAL_NAMESPACE });
  const pollers = ctx.config.engines.map(
    (engine) =>
      new Poller({
        engine: engine.name,
        camunda: ctx.engines.get(engine.name)!,
        temporal: client,
        topics: ctx.config.topics,
        workerId: ctx.env.BPTL_WORKER_ID,
        taskQueue: ctx.env.BPTL_TASK_QUEUE,
        workUnitTaskQueue: ctx.env.BPTL_WORK_UNIT_TASK_QUEUE,
        maxTasks: ctx.env.BPTL_MAX_TASKS,
        asyncResponseTimeoutMs: ctx.env.BPTL_ASYNC_RESPONSE_TIMEOUT_MS,
        logger: ctx.log.child(`poller.${engine.name}`),
      }),
  );
  for (const poller of pollers) poller.start();
  let stopping: Promise<void> | undefined;
  return {
    pollers,
    client,
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled(pollers.map((p) => p.stop()));
        await connection.close();
      })();
      return stopping;
    },
  };
}
