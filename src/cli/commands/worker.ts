/** `bptl worker`. */
import { loadContext } from '../bptl-context.ts';
import { startWorker } from '../run-worker.ts';

export async function runWorker(options: { configFile?: string | undefined }): Promise<void> {
  const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
  try {
    const { worker, connection } = await startWorker(ctx);
    // The Temporal runtime shuts the worker down on SIGINT/SIGTERM; run() then returns.
    await worker.run();
    await connection.close();
  } finally {
    await ctx.close();
  }
}
