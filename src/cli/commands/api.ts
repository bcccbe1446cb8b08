/** `bptl api`: the HTTP API on the configuration store (or, with a configuration file, read-only on it). */
import { Client } from '@temporalio/client';
import { createApp } from '../../api/app.ts';
import { serveApi } from '../../api/serve.ts';
import { createAesGcmCodec } from '../../codec/aes-gcm-codec.ts';
import { warnWhenNoCodecKey } from '../../codec/codec-keys.ts';
import { codecDataConverter } from '../../codec/data-converter.ts';
import { type ApiToken, loadEnv } from '../../config/env.ts';
import { consoleLinks } from '../../console/links.ts';
import { ConfigError } from '../../errors.ts';
import { createMetrics, metricsText } from '../../observability/metrics.ts';
import { processChecks, temporalPing } from '../../observability/process-checks.ts';
import type { ConfigStore } from '../../store/config-store.ts';
import { type BptlContext, loadContext, storeFromConfig } from '../bptl-context.ts';
import { connectClient, connectWithRetry } from '../run-worker.ts';
import { runUntilStopped } from '../shutdown.ts';

/**
 * The store the API serves: the configuration store, or — when the configuration comes from a file — an
 * in-memory copy of the file that the API serves read-only (writes answer 409 naming the file).
 */
export async function apiStore(
  ctx: BptlContext,
): Promise<{ store: ConfigStore; readOnly?: string; close(): Promise<void> }> {
  if (ctx.store) return { store: ctx.store, close: async () => {} };
  const store = await storeFromConfig(ctx.current().config, `file ${ctx.configFile}`);
  return {
    store,
    readOnly: `the configuration comes from ${ctx.configFile}: edit the file and restart`,
    close: () => store.close(),
  };
}

/** The API's tokens; at least one, or the API would open nothing. */
export function requireTokens(tokens: readonly ApiToken[]): readonly ApiToken[] {
  if (tokens.length === 0) {
    throw new ConfigError(
      'BPTL_API_TOKENS is not set: the API needs at least one token (e.g. BPTL_API_TOKENS=admin:<32 random characters>); see README.md',
    );
  }
  return tokens;
}

export async function runApi(options: { configFile?: string | undefined }): Promise<void> {
  const tokens = requireTokens(loadEnv().BPTL_API_TOKENS); // before the store is opened
  await runUntilStopped(async (shutdown) => {
    const ctx = await loadContext(options.configFile ? { configFile: options.configFile } : {});
    shutdown.add('context', 'configuration store', () => ctx.close());
    warnWhenNoCodecKey(ctx.log, ctx.env.codecKeys);
    const served = await apiStore(ctx);
    shutdown.add('context', 'store the API serves', () => served.close());
    const address = ctx.env.TEMPORAL_ADDRESS;
    const connection = await connectWithRetry(
      'Temporal',
      address,
      () => connectClient(address, shutdown.signal),
      ctx,
      shutdown.signal,
    );
    shutdown.add('connections', 'Temporal connection of the API', () => connection.close());
    const metrics = createMetrics({ defaults: true }); // the process's own: the API counts no tasks
    const temporal = new Client({
      connection,
      namespace: ctx.env.TEMPORAL_NAMESPACE,
      dataConverter: codecDataConverter(ctx.env.codecKeys),
    });
    const app = createApp({
      registry: ctx.registry,
      store: served.store,
      tokens,
      temporal,
      checks: processChecks(ctx, () => temporalPing(connection)),
      metrics: () => metricsText(metrics),
      taskQueue: ctx.env.BPTL_TASK_QUEUE,
      workUnitTaskQueue: ctx.env.BPTL_WORK_UNIT_TASK_QUEUE,
      readOnly: served.readOnly,
      engines: ctx.engines,
      links: consoleLinks({
        temporalUi: ctx.env.BPTL_TEMPORAL_UI_URL,
        namespace: ctx.env.TEMPORAL_NAMESPACE,
        current: () => ctx.current(),
      }),
      log: ctx.log.child('api'),
      codec: createAesGcmCodec(ctx.env.codecKeys),
      codecCorsOrigins: ctx.env.BPTL_CODEC_CORS_ORIGINS,
    });
    const api = await serveApi(app, { port: ctx.env.BPTL_API_PORT, hostname: ctx.env.BPTL_API_HOST });
    shutdown.add('api', 'API', () => api.close());
    ctx.log.info('API listening', { url: api.url, docs: `${api.url}/docs`, tokens: tokens.length });
    await shutdown.requested;
  });
}
