/** `bptl worker`. */
import type { NativeConnection } from '@temporalio/worker';
import { warnWhenNoCodecKey } from '../../codec/codec-keys.ts';
import { createMetrics, temporalSdkMetrics } from '../../observability/metrics.ts';
import { startProcessHealth } from '../../observability/process-health.ts';
import type { BptlWorker } from '../../worker/bptl-worker.ts';
import { loadContext } from '../bptl-context.ts';
import { startWorker } from '../run-worker.ts';
import { runUntilStopped, type Shutdown } from '../shutdown.ts';

/**
 * Runs a started worker and registers its stop: the worker (work units in progress get their grace time; the
 * step waits until run() has returned), then its connection. Returns run()'s promise.
 */
export function runWorkerUnder(
  shutdown: Shutdown,
  worker: BptlWorker,
  connection: NativeConnection,
): Promise<void> {
  shutdown.add('connections', 'Temporal connection of the worker', () => connection.close());
  const running = worker.run();
  // Handled: the command awaits it, but only once it has started the rest (a failure meanwhile must not crash).
  running.catch(() => {});
  shutdown.add('worker', 'worker', async () => {
    worker.shutdown();
    await running.catch(() => {}); // its failure is the command's to report
  });
  return running;
}

export async function runWorker(options: { configFile?: string | undefined }): Promise<void> {
  await runUntilStopped(async (shutdown) => {
    const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
    shutdown.add('context', 'configuration store', () => ctx.close());
    warnWhenNoCodecKey(ctx.log, ctx.env.codecKeys);
    const metrics = createMetrics({ defaults: true });
    const sdkMetrics = temporalSdkMetrics(ctx.env.BPTL_TEMPORAL_METRICS_PORT);
    const health = await startProcessHealth(ctx, shutdown, metrics, sdkMetrics);
    const { worker, connection } = await startWorker(ctx, shutdown.signal, metrics);
    health.setTemporal(connection);
    const running = runWorkerUnder(shutdown, worker, connection);
    // run() returns after a shutdown (or fails): a failure is the process's exit error.
    await Promise.race([running, shutdown.requested]);
  });
}
