/**
 * Helpers for tests that run BPTL as a user does, as child processes (`bptl worker`, `bptl poller`), and
 * kill, stop or restart them: a configuration file, the child with its output captured, its exit, a free port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root } from './paths.ts';

export interface BptlChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Everything written to stdout and stderr so far (BPTL logs on stderr). */
  readonly output: () => string;
  /** Resolves with the exit code (or the signal's name) when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Whether it has exited. */
  readonly hasExited: () => boolean;
  /** Sends SIGKILL if it still runs, and waits for the exit. Safe to call twice. */
  kill(): Promise<void>;
}

/** Writes a YAML configuration file into a fresh temporary folder and returns its path. */
export async function writeConfigFile(config: {
  engines: Array<{ name: string; url: string }>;
  topics: Array<Record<string, unknown>>;
}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bptl-config-'));
  const file = path.join(dir, 'bptl.config.yaml');
  // JSON is valid YAML; the file's name says YAML, as a user's would.
  const yaml = [
    'engines:',
    ...config.engines.map((e) => `  - { name: ${e.name}, url: ${JSON.stringify(e.url)} }`),
    'topics:',
    ...config.topics.map((t) => `  - ${JSON.stringify(t)}`),
    '',
  ].join('\n');
  await writeFile(file, yaml);
  return file;
}

/**
 * Runs `bptl <command> --config <file>` with Node (TypeScript directly), with `env` on top of ours; without a
 * file, `bptl <command>` on the configuration store that `env` names (DATABASE_URL, BPTL_SECRET_KEY). Its health
 * server is off unless `env` sets BPTL_HEALTH_PORT (children running at once would share the default port).
 */
export function spawnBptl(
  command: 'worker' | 'poller' | 'run',
  configFile: string | undefined,
  env: NodeJS.ProcessEnv,
): BptlChild {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'src/cli/main.ts'),
      command,
      ...(configFile === undefined ? [] : ['--config', configFile]),
    ],
    {
      cwd: root,
      env: { ...process.env, BPTL_HEALTH_PORT: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = collectOutput(child);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal, at: Date.now() });
    }),
  );
  return {
    name: `bptl ${command} (pid ${child.pid})`,
    process: child,
    output,
    exited,
    hasExited: () => done,
    async kill() {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls until `child`'s output contains `text`; fails early (with the output) if the child exits. */
export async function waitForOutput(child: BptlChild, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes(text)) {
    if (child.hasExited())
      throw new Error(`${child.name} exited before it printed '${text}':\n${child.output()}`);
    if (Date.now() > deadline)
      throw new Error(`${child.name} did not print '${text}' within ${timeoutMs} ms:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Runs a Node script of the project (`bench/run.ts`, `chaos/run.ts`) to its end; its exit code and output. */
export async function runScript(
  script: string,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.join(root, script), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, output: output() };
}

/**
 * Runs `bptl <args…>` (src/cli/main.ts with Node) to its end, with `env` on top of ours: its exit code, stdout and
 * stderr apart. Asynchronous, so that a server in the test's own process (the API) can answer it. Killed after
 * `timeoutMs`, so that a command that hangs fails the test instead of blocking it.
 */
export async function runBptl(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  return { code, out, err };
}

/** Everything a child writes to stdout and stderr, as it comes. */
function collectOutput(child: ChildProcess): () => string {
  let output = '';
  const append = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
}
