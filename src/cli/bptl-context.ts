/**
 * What every command needs, built once: the parsed environment, the work-unit registry, where engines and topics
 * come from (the configuration file with `--config FILE` or BPTL_CONFIG; else the configuration store), a
 * Camunda client per engine, and a watch that follows the store's revision so that a change reaches the process
 * within about a second, without a restart.
 */
import { randomBytes } from 'node:crypto';
import {
  type ConfigSource,
  fileConfigSource,
  followSource,
  storeConfigSource,
} from '../config/config-source.ts';
import { type BptlEnv, loadEnv } from '../config/env.ts';
import { loadConfigFile } from '../config/load-config.ts';
import { EngineClientRegistry } from '../engine/engine-clients.ts';
import { ensureError } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
// Types only: the store (PGlite, node-postgres) is loaded when it is used, so that a process that runs on a
// configuration file (benchmarks, compose) does not carry it.
import type { ConfigSnapshot, ConfigStore } from '../store/config-store.ts';
import { createRegistry, type WorkUnitRegistry } from '../work-units/registry.ts';

/** How often a process reads the store's revision. A change reaches pollers within about this long. */
export const RELOAD_INTERVAL_MS = 1_000;

export interface BptlContext {
  /** The parsed environment; read-only (a command that needs other values builds a context with `withEnv`). */
  readonly env: Readonly<BptlEnv>;
  registry: WorkUnitRegistry;
  log: Logger;
  /** Where engines and topics come from. */
  source: ConfigSource;
  /** The configuration store, when it is the source (no configuration file). */
  store: ConfigStore | undefined;
  /** The configuration file, when it is the source. */
  configFile: string | undefined;
  /** The Camunda clients of the configured engines (one registry for the process); kept in line with the source. */
  engines: EngineClientRegistry;
  /** The configuration as last read. */
  current(): ConfigSnapshot;
  /** Reads the configuration again now (e.g. after an import), updating `engines` and telling the listeners. */
  reload(): Promise<ConfigSnapshot>;
  /** Calls `listener` with each new configuration, once `watch` runs. Listeners are awaited one after the other. */
  onChange(listener: (snapshot: ConfigSnapshot) => void | Promise<void>): void;
  /**
   * Starts following the store's revision (nothing to follow for a file): a change reaches `engines` and the
   * listeners within about RELOAD_INTERVAL_MS. Idempotent.
   */
  watch(): void;
  /** Stops following and closes the store. Idempotent. */
  close(): Promise<void>;
}

export interface LoadContextOptions {
  /** `--config FILE`: the file is the static source of engines and topics. */
  configFile?: string | undefined;
  registry?: WorkUnitRegistry;
  /** Where the environment is read from. @default process.env (bptl dev adds its defaults here, not to process.env) */
  envSource?: NodeJS.ProcessEnv;
  /** Called with the opened store before the first snapshot is read (bptl dev imports into an empty store). */
  prepareStore?: (store: ConfigStore, log: Logger) => Promise<void>;
}

/** Builds the context; opens the configuration store unless a configuration file is given. */
export async function loadContext(options: LoadContextOptions = {}): Promise<BptlContext> {
  const envSource = options.envSource ?? process.env;
  const env = loadEnv(envSource);
  const log = createLogger('bptl', { level: env.LOG_LEVEL });
  const registry = options.registry ?? createRegistry();
  const configFile = options.configFile ?? env.BPTL_CONFIG;
  let store: ConfigStore | undefined;
  let source: ConfigSource;
  if (configFile !== undefined) {
    const config = await loadConfigFile(configFile, registry.names());
    source = fileConfigSource(config, configFile);
  } else {
    const { openConfigStore } = await import('../store/config-store.ts');
    store = await openConfigStore({
      databaseUrl: env.DATABASE_URL,
      dataDir: env.dataDir,
      log,
      env: envSource,
    });
    try {
      await options.prepareStore?.(store, log);
    } catch (error) {
      await store.close();
      throw error;
    }
    source = storeConfigSource(store);
    log.info('configuration from the store', {
      database: store.database.kind,
      location: store.database.location,
    });
  }
  let snapshot = await source.snapshot();
  const engines = new EngineClientRegistry(snapshot.config.engines);

  const listeners: Array<(snapshot: ConfigSnapshot) => void | Promise<void>> = [];
  const abort = new AbortController();
  let watching: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const apply = async (next: ConfigSnapshot) => {
    snapshot = next;
    engines.sync(next.config.engines);
    for (const listener of listeners) await listener(next);
  };
  const reload = async () => {
    await apply(await source.snapshot());
    return snapshot;
  };

  return {
    env,
    registry,
    log,
    source,
    store,
    configFile,
    engines,
    current: () => snapshot,
    reload,
    onChange(listener) {
      listeners.push(listener);
    },
    watch() {
      if (!source.live || watching) return;
      watching = followSource(source, {
        since: snapshot.revision,
        intervalMs: RELOAD_INTERVAL_MS,
        signal: abort.signal,
        onSnapshot: async (next) => {
          if (next.revision === snapshot.revision) return; // reload() got there first
          log.info('configuration changed', {
            revision: next.revision,
            engines: next.config.engines.length,
            topics: next.config.topics.filter((t) => t.enabled).length,
          });
          await apply(next);
        },
        onError: (error) =>
          log.warn('cannot reload the configuration; trying again', { error: ensureError(error) }),
      });
    },
    close() {
      closing ??= (async () => {
        abort.abort();
        await watching;
        await store?.close();
      })();
      return closing;
    },
  };
}

/** The same context with some environment values replaced (bptl dev: the address of the Temporal it started). */
export function withEnv(ctx: BptlContext, values: Partial<BptlEnv>): BptlContext {
  return { ...ctx, env: { ...ctx.env, ...values } };
}

/**
 * A configuration store in memory, holding what a configuration file says: the API serves it read-only when
 * the configuration comes from a file. Its key is random (the file's secrets never leave this process).
 */
export async function storeFromConfig(config: ConfigSnapshot['config'], actor: string): Promise<ConfigStore> {
  const [{ createConfigStore }, { openPglite }, { createSecretCipher }] = await Promise.all([
    import('../store/config-store.ts'),
    import('../store/database.ts'),
    import('../store/secret-cipher.ts'),
  ]);
  const store = createConfigStore(await openPglite(), createSecretCipher(randomBytes(32)));
  await importConfig(store, config, actor);
  return store;
}

/** Writes engines and topics into a store (one transaction). Resolves to how many of each it wrote. */
export async function importConfig(
  store: ConfigStore,
  config: ConfigSnapshot['config'],
  actor: string,
): Promise<{ engines: number; topics: number }> {
  return store.transaction(async (tx) => {
    for (const engine of config.engines) await tx.engines.create(engine, { actor });
    for (const topic of config.topics) await tx.topics.create(topic, { actor });
    return { engines: config.engines.length, topics: config.topics.length };
  });
}
