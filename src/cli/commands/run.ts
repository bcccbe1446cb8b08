/**
 * `bptl run`: a worker and the pollers in one process, the usual way to run BPTL. Sharing the worker's
 * connection lets the pollers start workflows eagerly (the first workflow task comes back with the start call,
 * no dispatch through the task queue), and one process holds one Node runtime and one Temporal core instead of
 * two. Scale by running more of them, each with its own BPTL_WORKER_ID.
 */

import { warnWhenNoCodecKey } from '../../codec/codec-keys.ts';
import { ensureError } from '../../errors.ts';
import { createMetrics, temporalSdkMetrics } from '../../observability/metrics.ts';
import { startProcessHealth } from '../../observability/process-health.ts';
import { loadContext } from '../bptl-context.ts';
import { startPollers } from '../run-pollers.ts';
import { startWorker } from '../run-worker.ts';
import { runUntilStopped, type Shutdown } from '../shutdown.ts';
import { runWorkerUnder } from './worker.ts';

export async function runCombined(options: { configFile?: string | undefined }): Promise<void> {
  await runUntilStopped(async (shutdown: Shutdown) => {
    const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
    shutdown.add('context', 'configuration store', () => ctx.close());
    warnWhenNoCodecKey(ctx.log, ctx.env.codecKeys);
    const metrics = createMetrics({ defaults: true });
    const sdkMetrics = temporalSdkMetrics(ctx.env.BPTL_TEMPORAL_METRICS_PORT);
    const health = await startProcessHealth(ctx, shutdown, metrics, sdkMetrics);
    const { worker, connection } = await startWorker(ctx, shutdown.signal, metrics);
    health.setTemporal(connection);
    const running = runWorkerUnder(shutdown, worker, connection);
    const pollers = await startPollers(ctx, {
      workerConnection: connection,
      signal: shutdown.signal,
      metrics,
    });
    shutdown.add('pollers', 'pollers', () => pollers.stop());
    // A worker that fails stops the pollers too (the sequence runs), and the process exits with its error.
    const failure = await Promise.race([running.then(() => undefined, ensureError), shutdown.requested]);
    if (failure) throw failure;
  });
}
