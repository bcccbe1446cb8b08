/** `bptl poller`. */
import { loadContext } from '../bptl-context.ts';
import { startPollers } from '../run-pollers.ts';
import { onShutdownSignal } from '../signals.ts';

export async function runPoller(options: { configFile?: string | undefined }): Promise<void> {
  const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
  const running = await startPollers(ctx);
  let done!: () => void;
  const stopped = new Promise<void>((resolve) => {
    done = resolve;
  });
  onShutdownSignal(ctx.log, async () => {
    await running.stop();
    await ctx.close();
    done();
  });
  await stopped;
}
