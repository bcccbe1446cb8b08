/** `bptl poller`. */

import { warnWhenNoCodecKey } from '../../codec/codec-keys.ts';
import { createMetrics } from '../../observability/metrics.ts';
import { startProcessHealth } from '../../observability/process-health.ts';
import { loadContext } from '../bptl-context.ts';
import { startPollers } from '../run-pollers.ts';
import { runUntilStopped } from '../shutdown.ts';

export async function runPoller(options: { configFile?: string | undefined }): Promise<void> {
  await runUntilStopped(async (shutdown) => {
    const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
    shutdown.add('context', 'configuration store', () => ctx.close());
    warnWhenNoCodecKey(ctx.log, ctx.env.codecKeys);
    const metrics = createMetrics({ defaults: true });
    const health = await startProcessHealth(ctx, shutdown, metrics);
    const pollers = await startPollers(ctx, { signal: shutdown.signal, metrics });
    health.setTemporal(pollers.client.connection);
    shutdown.add('pollers', 'pollers', () => pollers.stop());
    await shutdown.requested;
  });
}
