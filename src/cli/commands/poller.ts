/** `bptl poller`. */
import { startProcessHealth } from '../../observability/process-health.ts';
import { loadContext } from '../bptl-context.ts';
import { startPollers } from '../run-pollers.ts';
import { runUntilStopped } from '../shutdown.ts';

export async function runPoller(options: { configFile?: string | undefined }): Promise<void> {
  await runUntilStopped(async (shutdown) => {
    const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
    shutdown.add('context', 'configuration store', () => ctx.close());
    const health = await startProcessHealth(ctx, shutdown);
    const pollers = await startPollers(ctx, { signal: shutdown.signal });
    health.setTemporal(pollers.client.connection);
    shutdown.add('pollers', 'pollers', () => pollers.stop());
    await shutdown.requested;
  });
}
