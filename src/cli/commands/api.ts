/** `bptl api`. */
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app.ts';
import { serveApi } from '../../api/serve.ts';
import { loadContext } from '../bptl-context.ts';
import { connectWithRetry } from '../run-worker.ts';
import { onShutdownSignal } from '../signals.ts';

export async function runApi(options: { configFile?: string | undefined }): Promise<void> {
  const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
  const address = ctx.env.TEMPORAL_ADDRESS;
  const connection = await connectWithRetry('Temporal', address, () => Connection.connect({ address }), ctx);
  const temporal = new Client({ connection, namespace: ctx.env.TEMPORAL_NAMESPACE });
  const api = await serveApi(createApp({ registry: ctx.registry, config: () => ctx.config, temporal }), {
    port: ctx.env.BPTL_API_PORT,
    hostname: ctx.env.BPTL_API_HOST,
  });
  ctx.log.info('API listening', { url: api.url });
  await new Promise<void>((resolve) =>
    onShutdownSignal(ctx.log, async () => {
      await api.close();
      await connection.close();
      resolve();
    }),
  );
}
