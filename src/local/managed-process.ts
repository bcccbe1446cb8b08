/**
 * Starts a local server as a child process, logs its output to a file, waits for it to be ready by probing
 * (never by sleeping a fixed time), and stops it cleanly: SIGTERM, then SIGKILL after a grace period.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logging/logger.ts';

export interface LocalServer {
  /** The name used in logs. */
  readonly name: string;
  /** True when a server was already running and is reused; stop() then leaves it alone. */
  readonly reused: boolean;
  /** Milliseconds from spawn to ready (0 when reused). */
  readonly startupMs: number;
  /** The server's process id (undefined when reused). */
  readonly pid?: number | undefined;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would end it (no clean shutdown), and waits for the exit. A reused server is left alone. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** Resolves true once the server answers. Called repeatedly. */
  probe: () => Promise<boolean>;
  /** Give up after this long. @default 180000 */
  readyTimeoutMs?: number;
  /** After SIGTERM, wait this long before SIGKILL. @default 15000 */
  stopTimeoutMs?: number;
  log: Logger;
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Spawns the server and resolves once `probe` says it is ready; rejects (with its log's tail) if it dies. */
export async function spawnServer(options: SpawnOptions): Promise<LocalServer> {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const out = createWriteStream(options.logFile, { flags: 'a' });
  await new Promise((resolve) => out.once('open', resolve));
  const started = Date.now();
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', out, out],
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = started + (options.readyTimeoutMs ?? 180_000);
  for (;;) {
    const failure = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 250)),
    ]);
    if (failure) throw new Error(`${options.name}: cannot run ${options.command}: ${failure.message}`);
    if (exited) {
      throw new Error(
        `${options.name} ${exited} before it was ready. Log (${options.logFile}):\n${await tail(options.logFile)}`,
      );
    }
    if (await options.probe().catch(() => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${options.name} was not ready after ${Date.now() - started} ms. Log:\n${await tail(options.logFile)}`,
      );
    }
  }
  const startupMs = Date.now() - started;
  options.log.info(`${options.name} is ready`, { startupMs, pid: child.pid, log: options.logFile });
  let stopping: Promise<void> | undefined;
  return {
    name: options.name,
    reused: false,
    startupMs,
    pid: child.pid,
    async kill() {
      if (exited) return;
      child.kill('SIGKILL');
      await waitForExit(child, 10_000);
      out.end();
      options.log.info(`${options.name} killed`);
    },
    stop() {
      stopping ??= (async () => {
        if (exited) return;
        child.kill('SIGTERM');
        if (!(await waitForExit(child, options.stopTimeoutMs ?? 15_000))) {
          options.log.warn(`${options.name} did not stop in time; killing it`);
          child.kill('SIGKILL');
          await waitForExit(child, 5_000);
        }
        out.end();
        options.log.info(`${options.name} stopped`);
      })();
      return stopping;
    },
  };
}

/** A server that was already running: reused, and never stopped by us. */
export function reusedServer(name: string): LocalServer {
  return { name, reused: true, startupMs: 0, stop: async () => {}, kill: async () => {} };
}

/** The project's root folder (two levels above this module, in src/ and in dist/ alike). */
export function projectRoot(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
}
