/** `bptl dev`: everything on one machine, for developers and for trying BPTL out. */
import path from 'node:path';
import { createApp } from '../../api/app.ts';
import { serveApi } from '../../api/serve.ts';
import { ensureError } from '../../errors.ts';
import { startCamundaEngine } from '../../local/camunda-engine.ts';
import { runDemo } from '../../local/demo.ts';
import type { LocalServer } from '../../local/managed-process.ts';
import { startTemporalDevServer } from '../../local/temporal-dev-server.ts';
import { loadContext } from '../bptl-context.ts';
import { startPollers } from '../run-pollers.ts';
import { startWorker } from '../run-worker.ts';
import { onShutdownSignal } from '../signals.ts';

export async function runDev(options: {
  configFile?: string | undefined;
  demo: boolean;
  servers: boolean;
}): Promise<void> {
  const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
  const { env, log } = ctx;
  const servers: LocalServer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    // Every clean-up step runs, even when one fails; servers go last.
    stopping ??= (async () => {
      for (const cleanup of cleanups.reverse())
        await cleanup().catch((e) => log.error(ensureError(e).message));
      await Promise.allSettled(servers.map((s) => s.stop()));
    })();
    return stopping;
  };
  onShutdownSignal(log, stop);

  let urls = { temporalUi: '', cockpit: '' };
  if (options.servers) {
    log.info('starting the local Temporal and Camunda servers', { dataDir: env.dataDir });
    const [temporal, camunda] = await Promise.allSettled([
      startTemporalDevServer({
        dataDir: env.dataDir,
        port: env.TEMPORAL_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
        namespace: env.TEMPORAL_NAMESPACE,
        log,
      }),
      startCamundaEngine({ dataDir: env.dataDir, port: env.CAMUNDA_PORT, log }),
    ]);
    for (const s of [temporal, camunda]) if (s.status === 'fulfilled') servers.push(s.value);
    if (temporal.status === 'rejected' || camunda.status === 'rejected') {
      await stop();
      throw temporal.status === 'rejected' ? temporal.reason : (camunda as PromiseRejectedResult).reason;
    }
    urls = {
      temporalUi: `${temporal.value.uiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows`,
      cockpit: camunda.value.cockpitUrl,
    };
    // Any URL of the configuration is used as is; the local engine is the default one.
    ctx.env.TEMPORAL_ADDRESS = temporal.value.address;
  }

  const { worker, connection } = await startWorker(ctx);
  const running = worker.run();
  cleanups.push(async () => {
    worker.shutdown();
    await running;
    await connection.close();
  });
  const pollers = await startPollers(ctx);
  cleanups.push(() => pollers.stop());
  const api = await serveApi(
    createApp({ registry: ctx.registry, config: () => ctx.config, temporal: pollers.client }),
    {
      port: env.BPTL_API_PORT,
      hostname: env.BPTL_API_HOST,
    },
  );
  cleanups.push(() => api.close());

  const lines = [
    '',
    'BPTL is running.',
    urls.temporalUi && `  Temporal UI      ${urls.temporalUi}`,
    urls.cockpit && `  Camunda Cockpit  ${urls.cockpit}   (user demo, password demo)`,
    `  BPTL API         ${api.url}/tasks   (also /work-units, /topics, /health)`,
    ...ctx.config.engines.map((e) => `  Engine '${e.name}'  ${e.url}`),
    `  Topics           ${ctx.config.topics.map((t) => `${t.topic} → ${t.workUnit}`).join(', ')}`,
    `  Logs             ${path.join(env.dataDir, '*', '*.log')}`,
  ].filter(Boolean);
  console.log(lines.join('\n'));

  if (options.demo) {
    const engine = ctx.config.engines[0]!;
    try {
      const outcome = await runDemo(ctx.engines.get(engine.name)!);
      console.log(
        `\nDemo process instance ${outcome.processInstanceId}: ${outcome.state} in ${outcome.durationMs} ms`,
      );
      for (const v of outcome.variables)
        console.log(`  ${v.name.padEnd(20)} ${v.type.padEnd(8)} ${JSON.stringify(v.value)}`);
    } catch (error) {
      log.error('the demo failed', { error: ensureError(error).message });
    }
  }
  console.log('\nPress Ctrl-C to stop.');
  await running.catch(async (error: unknown) => {
    log.error('the worker stopped', { error: ensureError(error).message });
  });
  await stop();
}
