/** `bptl dev`: everything on one machine, for developers and for trying BPTL out. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createApp } from '../../api/app.ts';
import { serveApi } from '../../api/serve.ts';
import { createAesGcmCodec } from '../../codec/aes-gcm-codec.ts';
import { warnWhenNoCodecKey } from '../../codec/codec-keys.ts';
import type { ApiToken } from '../../config/env.ts';
import { loadConfigFile } from '../../config/load-config.ts';
import { consoleLinks } from '../../console/links.ts';
import { ensureError } from '../../errors.ts';
import { startCamundaEngine } from '../../local/camunda-engine.ts';
import { runDemo } from '../../local/demo.ts';
import { startTemporalDevServer } from '../../local/temporal-dev-server.ts';
import type { Logger } from '../../logging/logger.ts';
import { createMetrics, metricsText, temporalSdkMetrics } from '../../observability/metrics.ts';
import { processChecks, temporalPing } from '../../observability/process-checks.ts';
import type { ConfigStore } from '../../store/config-store.ts';
import { createRegistry, type WorkUnitRegistry } from '../../work-units/registry.ts';
import { importConfig, loadContext, withEnv } from '../bptl-context.ts';
import { startPollers } from '../run-pollers.ts';
import { startWorker } from '../run-worker.ts';
import { runUntilStopped, type Shutdown } from '../shutdown.ts';
import { apiStore } from './api.ts';
import { runWorkerUnder } from './worker.ts';

/** The file `bptl dev` imports into an empty configuration store, so that the demo works on a fresh clone. */
export const DEV_CONFIG_FILE = 'bptl.config.yaml';

/** Imports bptl.config.yaml (engines and topics) when the store has no engine yet. */
async function importWhenEmpty(store: ConfigStore, registry: WorkUnitRegistry, log: Logger): Promise<void> {
  if ((await store.engines.list()).length > 0) return;
  const config = await loadConfigFile(DEV_CONFIG_FILE, registry.names());
  const counts = await importConfig(store, config, `bptl dev (import of ${DEV_CONFIG_FILE})`);
  log.info(`the configuration store was empty: imported ${DEV_CONFIG_FILE}`, counts);
}

/**
 * The API tokens of `bptl dev`: BPTL_API_TOKENS when set, else one admin token, generated at the first start and
 * kept in `<BPTL_DATA_DIR>/dev-api-token` (readable by you only), so that it survives restarts.
 */
function devTokens(
  configured: readonly ApiToken[],
  dataDir: string,
): { tokens: readonly ApiToken[]; printed?: string } {
  if (configured.length > 0) return { tokens: configured };
  const file = path.join(dataDir, 'dev-api-token');
  let token = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (!/^[A-Za-z0-9_-]{16,}$/.test(token)) {
    token = `bptl-dev-${randomBytes(24).toString('base64url')}`;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
  }
  return { tokens: [{ name: 'dev', role: 'admin', token }], printed: token };
}

/** The URL the API of `bptl dev` will serve on (a browser's view of it: a wildcard host is 127.0.0.1). */
export function apiBaseUrl(env: { BPTL_API_HOST: string; BPTL_API_PORT: number }): string {
  const host = ['0.0.0.0', '::', '[::]'].includes(env.BPTL_API_HOST) ? '127.0.0.1' : env.BPTL_API_HOST;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${env.BPTL_API_PORT}`;
}

export async function runDev(options: {
  configFile?: string | undefined;
  demo: boolean;
  servers: boolean;
}): Promise<void> {
  await runUntilStopped((shutdown) => startDev(options, shutdown));
}

async function startDev(
  options: { configFile?: string | undefined; demo: boolean; servers: boolean },
  shutdown: Shutdown,
): Promise<void> {
  const registry = createRegistry();
  const loaded = await loadContext({
    // The store's secrets use the published development key unless BPTL_SECRET_KEY is set.
    envSource: {
      ...process.env,
      BPTL_DEV_INSECURE_SECRET_KEY: process.env.BPTL_DEV_INSECURE_SECRET_KEY ?? '1',
    },
    ...(options.configFile ? { configFile: options.configFile } : {}),
    registry,
    prepareStore: (store, log) => importWhenEmpty(store, registry, log),
  });
  shutdown.add('context', 'configuration store', () => loaded.close());
  const { env, log } = loaded;
  warnWhenNoCodecKey(log, env.codecKeys);

  let urls = { temporalUi: '', cockpit: '' };
  let temporalAddress: string | undefined;
  if (options.servers) {
    log.info('starting the local Temporal and Camunda servers', { dataDir: env.dataDir });
    const [temporal, camunda] = await Promise.allSettled([
      startTemporalDevServer({
        dataDir: env.dataDir,
        port: env.TEMPORAL_PORT,
        uiPort: env.TEMPORAL_UI_PORT,
        namespace: env.TEMPORAL_NAMESPACE,
        ...(env.BPTL_API_PORT !== 0 ? { uiCodecEndpoint: `${apiBaseUrl(env)}/codec` } : {}),
        log,
      }),
      startCamundaEngine({ dataDir: env.dataDir, port: env.CAMUNDA_PORT, log }),
    ]);
    // The local servers go last, after everything that talks to them.
    for (const [what, s] of [
      ['local Temporal server', temporal],
      ['local Camunda engine', camunda],
    ] as const)
      if (s.status === 'fulfilled') shutdown.add('servers', what, () => s.value.stop());
    if (temporal.status === 'rejected') throw temporal.reason;
    if (camunda.status === 'rejected') throw camunda.reason;
    urls = {
      temporalUi: `${temporal.value.uiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows`,
      cockpit: camunda.value.cockpitUrl,
    };
    // Any URL of the configuration is used as is; the local engine is the default one.
    temporalAddress = temporal.value.address;
  }

  const ctx = temporalAddress ? withEnv(loaded, { TEMPORAL_ADDRESS: temporalAddress }) : loaded;
  const metrics = createMetrics({ defaults: true });
  const { worker, connection } = await startWorker(ctx, shutdown.signal, metrics);
  const running = runWorkerUnder(shutdown, worker, connection);
  const pollers = await startPollers(ctx, { workerConnection: connection, signal: shutdown.signal, metrics });
  shutdown.add('pollers', 'pollers', () => pollers.stop());
  const served = await apiStore(ctx);
  shutdown.add('context', 'store the API serves', () => served.close());
  const { tokens, printed } = devTokens(env.BPTL_API_TOKENS, env.dataDir);
  const api = await serveApi(
    createApp({
      registry: ctx.registry,
      store: served.store,
      tokens,
      temporal: pollers.client,
      checks: processChecks(ctx, () => temporalPing(connection)),
      metrics: () => metricsText(metrics, temporalSdkMetrics(env.BPTL_TEMPORAL_METRICS_PORT)),
      taskQueue: env.BPTL_TASK_QUEUE,
      workUnitTaskQueue: env.BPTL_WORK_UNIT_TASK_QUEUE,
      readOnly: served.readOnly,
      engines: ctx.engines,
      links: consoleLinks({
        temporalUi:
          env.BPTL_TEMPORAL_UI_URL ??
          (urls.temporalUi ? urls.temporalUi.replace(/\/namespaces\/.*$/, '') : undefined),
        namespace: env.TEMPORAL_NAMESPACE,
        current: () => ctx.current(),
      }),
      log: log.child('api'),
      codec: createAesGcmCodec(env.codecKeys),
      // The local Temporal UI on its port, besides the configured origins.
      codecCorsOrigins: [
        ...new Set([
          ...env.BPTL_CODEC_CORS_ORIGINS,
          `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`,
          `http://localhost:${env.TEMPORAL_UI_PORT}`,
        ]),
      ],
    }),
    { port: env.BPTL_API_PORT, hostname: env.BPTL_API_HOST },
  );
  shutdown.add('api', 'API', () => api.close());

  const { config } = ctx.current();
  const lines = [
    '',
    'BPTL is running.',
    urls.temporalUi && `  Temporal UI      ${urls.temporalUi}`,
    urls.cockpit && `  Camunda Cockpit  ${urls.cockpit}   (user demo, password demo)`,
    `  BPTL console     ${api.url}/console   (sign in with the API token)`,
    urls.temporalUi &&
      `  Decoded data     in the Temporal UI once signed in to the console: Codec Server → "Use my browser setting", ${api.url}/codec, "Include cross-origin credentials"`,
    `  BPTL API         ${api.url}/docs   (OpenAPI: ${api.url}/openapi.json)`,
    printed && `  API token        ${printed}   (admin; export BPTL_API_TOKEN=… for bptl topics)`,
    `  Configuration    ${ctx.source.description}`,
    ...config.engines.map((e) => `  Engine '${e.name}'  ${e.url}`),
    `  Topics           ${config.topics.map((t) => `${t.topic} → ${t.workUnit}${t.enabled ? '' : ' (disabled)'}`).join(', ')}`,
    `  Logs             ${path.join(env.dataDir, '*', '*.log')}`,
  ].filter(Boolean);
  console.log(lines.join('\n'));

  const demoEngine = config.engines[0] && ctx.engines.get(config.engines[0].name);
  if (options.demo && !demoEngine) log.warn('no engine is configured: the demo is skipped');
  if (options.demo && demoEngine) {
    const demo = runDemo(demoEngine).then(
      (outcome) => {
        console.log(
          `\nDemo process instance ${outcome.processInstanceId}: ${outcome.state} in ${outcome.durationMs} ms`,
        );
        for (const v of outcome.variables)
          console.log(`  ${v.name.padEnd(20)} ${v.type.padEnd(8)} ${JSON.stringify(v.value)}`);
      },
      (error: unknown) => log.error('the demo failed', { error: ensureError(error) }),
    );
    await Promise.race([demo, shutdown.requested]);
  }
  if (!shutdown.signal.aborted) console.log('\nPress Ctrl-C to stop.');
  const stopped = running.catch((error: unknown) =>
    log.error('the worker stopped', { error: ensureError(error) }),
  );
  await Promise.race([stopped, shutdown.requested]);
}
