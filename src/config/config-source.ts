/**
 * Where a process takes its engines and topics from: the configuration file (static: `--config FILE` or
 * BPTL_CONFIG) or the configuration store (live: `revision()` moves with every write, and the process reloads).
 * Pollers and workers read both the same way.
 */
import type { ConfigSnapshot, ConfigStore } from '../store/config-store.ts';
import { watchRevision } from '../store/revision.ts';
import type { BptlConfig } from './topic-config.ts';

export interface ConfigSource {
  /** For logs: the file's path, or `configuration store (<location>)`. */
  readonly description: string;
  /** Whether the configuration can change while the process runs (the store). */
  readonly live: boolean;
  /** Engines (secrets in the clear) and topics as of one revision. */
  snapshot(): Promise<ConfigSnapshot>;
  /** The current revision: one cheap read. Always 0 for a file. */
  revision(): Promise<number>;
}

/** The configuration file as a source: read once at start, never changes. */
export function fileConfigSource(config: BptlConfig, file: string): ConfigSource {
  const snapshot: ConfigSnapshot = {
    revision: 0,
    config: { engines: config.engines, topics: config.topics },
  };
  return {
    description: file,
    live: false,
    snapshot: async () => snapshot,
    revision: async () => 0,
  };
}

/** The configuration store as a source. */
export function storeConfigSource(store: ConfigStore): ConfigSource {
  return {
    description: `configuration store (${store.database.kind} ${store.database.location})`,
    live: true,
    snapshot: () => store.snapshot(),
    revision: () => store.revision(),
  };
}

export interface FollowSourceOptions {
  /** The revision the caller's configuration is at. */
  since: number;
  /** Called with each new configuration (awaited; when it throws, the change is tried again next time). */
  onSnapshot: (snapshot: ConfigSnapshot) => void | Promise<void>;
  /** Called when the revision or the snapshot cannot be read (the store is down); the watch goes on. */
  onError?: (error: Error) => void;
  /** Time between two reads of the revision. @default 1000 */
  intervalMs?: number;
  signal: AbortSignal;
}

/**
 * Follows a live source until `signal` aborts: reads its revision every `intervalMs` and, when it moved, takes a
 * snapshot and hands it to `onSnapshot`. Resolves at once for a static source (a file).
 */
export async function followSource(source: ConfigSource, options: FollowSourceOptions): Promise<void> {
  if (!source.live) return;
  await watchRevision({
    read: () => source.revision(),
    since: options.since,
    signal: options.signal,
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    ...(options.onError ? { onError: options.onError } : {}),
    onChange: async () => {
      await options.onSnapshot(await source.snapshot());
    },
  });
}
