/**
 * `bptl api` as a child process for the fuzzer: on a free loopback port, with a fresh data folder (the embedded
 * PGlite store, nothing shared with a developer's `.data/`), one admin token, and a task queue of its own, so
 * that nothing it starts reaches a running worker. Ready when `GET /health` answers; stopped with SIGTERM (then
 * SIGKILL), and its data folder removed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../src/logging/logger.ts';

export interface ApiProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** An admin bearer token of this API. */
  readonly token: string;
  /** Stops the API and removes its data folder; safe to call twice. */
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `node src/cli/main.ts api` and resolves once it answers `GET /health`. */
export async function startApiProcess(options: {
  root: string;
  temporalAddress: string;
  /** The API's log goes to `<outDir>/api.log`. */
  outDir: string;
  log: Logger;
  /** @default 60000 */
  startTimeoutMs?: number;
}): Promise<ApiProcess> {
  await mkdir(options.outDir, { recursive: true });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bptl-api-fuzz-'));
  const port = await freeLoopbackPort();
  const token = `fuzz-${randomBytes(24).toString('hex')}`;
  const url = `http://127.0.0.1:${port}`;
  const logFile = createWriteStream(path.join(options.outDir, 'api.log'));
  const child = spawn(process.execPath, [path.join(options.root, 'src/cli/main.ts'), 'api'], {
    cwd: options.root,
    env: {
      ...process.env,
      BPTL_DATA_DIR: dataDir,
      BPTL_CONFIG: '',
      DATABASE_URL: '',
      BPTL_SECRET_KEY: randomBytes(32).toString('base64'),
      BPTL_API_HOST: '127.0.0.1',
      BPTL_API_PORT: String(port),
      BPTL_API_TOKENS: `fuzz:admin:${token}`,
      TEMPORAL_ADDRESS: options.temporalAddress,
      BPTL_TASK_QUEUE: `bptl-api-fuzz-${randomUUID()}`,
      LOG_LEVEL: 'info',
      LOG_FORMAT: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(logFile, { end: false });
  child.stderr?.pipe(logFile, { end: false });
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
      logFile.end();
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `bptl api exited (${child.exitCode ?? child.signalCode}); see ${options.outDir}/api.log`,
        );
      }
      const ready = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`bptl api did not answer ${url}/health in time`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  options.log.info('bptl api for the fuzzer is up', { url, pid: child.pid });
  return { url, token, stop };
}
