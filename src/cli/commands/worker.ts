/** `bptl worker`. */
import { loadContext } from '../bptl-context.ts';
import { startWorker } from '../run-worker.ts';
import { onShutdownSignal } from '../signals.ts';

export async function runWorker(options: { configFile?: string | undefined }): Promise<void> {
  const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
  try {
    const { worker, connection } = await startWorker(ctx);
    // The Temporal runtime has no signal handlers (run-worker.ts): the signal shuts the worker down here, work
    // units in progress get their grace time, and run() returns.
    onShutdownSignal(ctx.log, async () => worker.shutdown());
    await worker.run();
    await connection.close();
  } finally {
    await ctx.close();
  }
}
