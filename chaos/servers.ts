/**
 * The chaos run's own servers: a Temporal dev server on an SQLite file and the local Camunda engine on an H2
 * file, in a fresh data folder, on ports of their own (never a server someone else runs: the run kills them).
 * Each can be killed with SIGKILL and started again on the same files, as a crashed server is restarted.
 *
 * BPTL reaches them through fault-injecting proxies (chaos/faults): Camunda through an HTTP proxy that can hold
 * one exchange or blackhole all, Temporal through a TCP proxy that can blackhole. The checker talks to them
 * directly.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { camundaJar, camundaJvmFlags } from '../src/local/camunda-engine.ts';
import { type LocalServer, spawnServer } from '../src/local/managed-process.ts';
import { startTemporalDevServer } from '../src/local/temporal-dev-server.ts';
import type { Logger } from '../src/logging/logger.ts';
import { type HttpProxy, startHttpProxy } from './faults/http-proxy.ts';
import { killProcess } from './faults/kill.ts';
import { startTcpProxy, type TcpProxy } from './faults/tcp-proxy.ts';

export interface ChaosPorts {
  temporal: number;
  temporalUi: number;
  camunda: number;
}

export const CHAOS_PORTS: ChaosPorts = { temporal: 17_533, temporalUi: 18_533, camunda: 18_190 };

/** A server that can be killed and started again on the same data. */
export interface RestartableServer {
  readonly name: string;
  readonly pid: number | undefined;
  /** SIGKILL; resolves once the process is really gone, with when the signal went and when it was gone. */
  kill(): Promise<{ pid: number; sentAt: number; goneAt: number }>;
  /** Starts it again on the same data; resolves once it answers. Returns the start-up time. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

export interface ChaosServers {
  /** Direct addresses, for the checker and the stream. */
  temporalAddress: string;
  camundaUrl: string;
  /** What BPTL is given: the proxies. */
  bptlTemporalAddress: string;
  bptlCamundaUrl: string;
  temporal: RestartableServer;
  camunda: RestartableServer;
  camundaProxy: HttpProxy;
  temporalProxy: TcpProxy;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/**
 * The engine's environment: its H2 file in the run's folder, written at each commit (WRITE_DELAY=0 in the
 * engine's application.yaml: a SIGKILL loses nothing it confirmed). A CAMUNDA_H2_URL of the caller's (an
 * in-memory database, say) is left out: the run kills and restarts the engine on its file.
 */
function camundaEnv(port: number, dataDir: string): NodeJS.ProcessEnv {
  const { CAMUNDA_H2_URL: _, ...env } = process.env;
  return { ...env, CAMUNDA_PORT: String(port), BPTL_DATA_DIR: dataDir };
}

function restartable(name: string, spawn: () => Promise<LocalServer>): RestartableServer {
  let current: LocalServer | undefined;
  return {
    name,
    get pid() {
      return current?.pid;
    },
    async kill() {
      const pid = current?.pid;
      if (pid === undefined) throw new Error(`${name} is not running: nothing to kill`);
      const killed = await killProcess(pid);
      await current?.kill(); // the exit seen, the log closed
      return { pid, ...killed };
    },
    async start() {
      current = await spawn();
      return current.startupMs;
    },
    async stop() {
      await current?.stop();
    },
  };
}

export async function startChaosServers(options: {
  dataDir: string;
  ports?: ChaosPorts;
  log: Logger;
}): Promise<ChaosServers> {
  const ports = options.ports ?? CHAOS_PORTS;
  const { dataDir, log } = options;
  const temporalAddress = `127.0.0.1:${ports.temporal}`;
  const camundaBase = `http://127.0.0.1:${ports.camunda}`;
  const camundaUrl = `${camundaBase}/engine-rest`;
  if (await answers(`${camundaUrl}/engine`))
    throw new Error(`a Camunda engine already answers on port ${ports.camunda}: the chaos run needs its own`);
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(path.join(dataDir, 'camunda'), { recursive: true });
  if (!existsSync(camundaJar()))
    throw new Error(`${camundaJar()} is missing: run scripts/setup.sh (it builds the local Camunda engine)`);
  // A private copy of the jar: a rebuild of engines/camunda while the run goes on must not break the engine.
  const jar = path.join(dataDir, 'camunda', 'bptl-camunda.jar');
  await copyFile(camundaJar(), jar);

  const temporal = restartable('Temporal', async () => {
    const server = await startTemporalDevServer({
      dataDir,
      port: ports.temporal,
      uiPort: ports.temporalUi,
      log,
    });
    if (server.reused)
      throw new Error(`a Temporal server already answers on ${temporalAddress}: the chaos run needs its own`);
    return server;
  });
  const camunda = restartable('Camunda', () =>
    spawnServer({
      name: 'Camunda',
      command: 'java',
      args: [...camundaJvmFlags(), '-jar', jar],
      env: camundaEnv(ports.camunda, dataDir),
      logFile: path.join(dataDir, 'camunda', 'engine.log'),
      probe: () => answers(`${camundaUrl}/engine`),
      log,
    }),
  );
  const started: RestartableServer[] = [];
  const proxies: Array<{ close(): Promise<void> }> = [];
  const stop = async () => {
    await Promise.allSettled(proxies.map((p) => p.close()));
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  try {
    await Promise.all(
      [temporal, camunda].map(async (s) => {
        await s.start();
        started.push(s);
      }),
    );
    const camundaProxy = await startHttpProxy({ target: camundaBase });
    proxies.push(camundaProxy);
    const temporalProxy = await startTcpProxy({ target: { host: '127.0.0.1', port: ports.temporal } });
    proxies.push(temporalProxy);
    return {
      temporalAddress,
      camundaUrl,
      bptlTemporalAddress: temporalProxy.address,
      bptlCamundaUrl: `${camundaProxy.url}/engine-rest`,
      temporal,
      camunda,
      camundaProxy,
      temporalProxy,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
