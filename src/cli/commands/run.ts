/**
 * `bptl run`: a worker and the pollers in one process, the usual way to run BPTL. Sharing the worker's
 * connection lets the pollers start workflows eagerly (the first workflow task comes back with the start call,
 * no dispatch through the task queue), and one process holds one Node runtime and one Temporal core instead of
 * two. Scale by running more of them, each with its own BPTL_WORKER_ID.
 */
import { ensureError } from '../../errors.ts';
import { loadContext } from '../bptl-context.ts';
import { startPollers } from '../run-pollers.ts';
import { startWorker } from '../run-worker.ts';
import { onShutdownSignal } from '../signals.ts';

export async function runCombined(options: { configFile?: string | undefined }): Promise<void> {
  const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
  try {
    const { worker, connection } = await startWorker(ctx);
    const running = worker.run();
    const pollers = await startPollers(ctx, { workerConnection: connection });
    let stopping: Promise<void> | undefined;
    // The pollers stop first (no new task is fetched, orphaned locks are released), then the worker: work units
    // in progress get their grace time. This is the only shutdown: the Temporal runtime has no signal handlers.
    const stop = () => {
      stopping ??= (async () => {
        await pollers.stop().catch((e: unknown) => ctx.log.error(ensureError(e).message));
        worker.shutdown();
      })();
      return stopping;
    };
    onShutdownSignal(ctx.log, stop);
    // A worker that fails stops the pollers too, and the process exits with the worker's error.
    const failure = await running.then(
      () => undefined,
      (error: unknown) => ensureError(error),
    );
    await stop();
    await connection.close();
    if (failure) throw failure;
  } finally {
    await ctx.close();
  }
}
