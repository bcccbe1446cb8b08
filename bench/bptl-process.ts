/**
 * A BPTL command (`bptl run`, or `bptl worker` and `bptl poller`) as a child process, so its memory can be measured apart: its
 * JSON log lines go to a file and are kept for the bench to read (readiness, the poller's final counters).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export type LogRecord = Record<string, unknown> & { message?: string };

export interface BptlProcess {
  readonly name: string;
  readonly pid: number;
  readonly records: LogRecord[];
  /** Resolves with the ms from spawn to the last ready message; rejects when the process exits first. */
  readonly ready: Promise<number>;
  /** The first log record with this message, once it is logged. */
  record(message: string): LogRecord | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * How BPTL's launchers run Node (./bptl, `npm start`, the Docker image): an 8 MiB young generation, and two
 * glibc arenas for the Temporal core's threads; the old generation's cap (BPTL_HEAP_MB, DEFAULT_HEAP_MIB) is
 * added by the caller, since the bench's --heap-mb changes it. The bench starts its children the same way.
 */
export const BPTL_NODE_FLAGS = ['--max-semi-space-size=8'];

/** The launchers' `--max-old-space-size` when BPTL_HEAP_MB is not set (0 would be Node's own limit). */
export const DEFAULT_HEAP_MIB = 256;
export const BPTL_NODE_ENV = { MALLOC_ARENA_MAX: '2' };

/** Children still running, so that an interrupted bench can stop them. */
const running = new Set<BptlProcess>();

/** Stops every BPTL child still running (on SIGINT/SIGTERM of the bench). */
export async function stopAllBptl(): Promise<void> {
  await Promise.allSettled([...running].map((p) => p.stop(5_000)));
}

export function spawnBptl(options: {
  command: 'run' | 'worker' | 'poller';
  root: string;
  /** The `bptl` entry point: src/cli/main.ts, or a built main.js. */
  entry: string;
  configFile: string;
  env: Record<string, string>;
  logFile: string;
  /** It is ready once it has logged each of these messages. */
  readyMessages: string[];
  /** Node flags beyond BPTL_NODE_FLAGS (e.g. a heap cap). */
  nodeFlags?: string[];
}): BptlProcess {
  const started = Date.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...BPTL_NODE_FLAGS,
      ...(options.nodeFlags ?? []),
      options.entry,
      options.command,
      '--config',
      options.configFile,
    ],
    {
      cwd: options.root,
      env: { ...process.env, ...BPTL_NODE_ENV, ...options.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid === undefined) throw new Error(`cannot spawn bptl ${options.command}`);
  const out = createWriteStream(options.logFile, { flags: 'a' });
  const records: LogRecord[] = [];
  const awaited = new Set(options.readyMessages);
  const tail: string[] = [];
  let markReady!: (ms: number) => void;
  let failReady!: (error: Error) => void;
  const ready = new Promise<number>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {}); // observed by the caller; never an unhandled rejection
  const onLine = (line: string) => {
    out.write(`${line}\n`);
    tail.push(line);
    if (tail.length > 20) tail.shift();
    if (!line.startsWith('{')) return;
    try {
      const record = JSON.parse(line) as LogRecord;
      records.push(record);
      if (typeof record.message === 'string' && awaited.delete(record.message) && awaited.size === 0)
        markReady(Date.now() - started);
    } catch {
      // not a JSON line (the Temporal runtime's own log)
    }
  };
  for (const stream of [child.stdout, child.stderr])
    if (stream) createInterface({ input: stream }).on('line', onLine);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      failReady(
        new Error(
          `bptl ${options.command} exited (${signal ?? `code ${code}`}) before it was ready:\n${tail.join('\n')}`,
        ),
      );
      // Let the last lines be read before the log file is closed.
      setTimeout(() => {
        out.end();
        resolve();
      }, 100);
    });
  });
  const handle: BptlProcess = {
    name: options.command,
    pid: child.pid,
    records,
    ready,
    record: (message) => records.find((r) => r.message === message),
    async stop(graceMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      } else {
        await exited;
      }
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}
