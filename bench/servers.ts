/**
 * The servers measured: those given on the command line, or a Temporal dev server in memory (port 17333, UI
 * 18333) and the local Camunda engine with an in-memory H2 database and the JVM's default flags (C2, G1) on
 * port 18090, started for this run and stopped at its end. Fresh, empty servers make runs comparable.
 */

import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { camundaJar, camundaJvmFlags, startCamundaEngine } from '../src/local/camunda-engine.ts';
import { type LocalServer, reusedServer, spawnServer } from '../src/local/managed-process.ts';
import { ensureSearchAttributes, startTemporalDevServer } from '../src/local/temporal-dev-server.ts';
import type { Logger } from '../src/logging/logger.ts';
import { accessLogEnv, CamundaAccessLog } from './camunda-requests.ts';
import type { BenchOptions } from './options.ts';

export const BENCH_PORTS = { temporal: 17_333, temporalUi: 18_333, camunda: 18_090 } as const;

export interface BenchServers {
  temporalAddress: string;
  camundaUrl: string;
  /** Which servers this run started (false: given, or found running and reused). */
  started: { temporal: boolean; camunda: boolean };
  /** The engine's access log, when this run started the engine (a given or reused one writes none). */
  camundaAccessLog: CamundaAccessLog | undefined;
  stop(): Promise<void>;
}

async function camundaAnswers(restUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${restUrl}/engine`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/**
 * The local engine, run from a private copy of its jar: a Spring Boot jar loads classes lazily, so a rebuild
 * of engines/camunda while a run goes on (another developer, `scripts/setup.sh`) would break the running
 * engine. With no jar built yet, startCamundaEngine builds it and runs it in place.
 */
async function startBenchCamunda(
  dataDir: string,
  port: number,
  log: Logger,
): Promise<LocalServer & { restUrl: string; accessLog?: CamundaAccessLog }> {
  const accessLogDir = path.join(dataDir, 'camunda', `access-${process.pid}-${Date.now()}`);
  const env = {
    CAMUNDA_H2_URL: 'jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1',
    CAMUNDA_JAVA_OPTS: '',
    // The REST calls by kind (camunda-requests.ts): one log line per request, the engine's only extra work.
    ...accessLogEnv(accessLogDir),
  };
  const accessLog = new CamundaAccessLog(accessLogDir);
  const restUrl = `http://127.0.0.1:${port}/engine-rest`;
  if (!existsSync(camundaJar())) {
    const server = await withEnv(env, () => startCamundaEngine({ dataDir, port, log }));
    return server.reused ? server : Object.assign(server, { accessLog });
  }
  if (await camundaAnswers(restUrl)) {
    log.info('Camunda is already running; reusing it', { url: restUrl });
    return { ...reusedServer('Camunda'), restUrl };
  }
  const jar = path.join(dataDir, 'camunda', 'bptl-camunda.jar');
  await mkdir(path.dirname(jar), { recursive: true });
  await copyFile(camundaJar(), jar);
  const server = await spawnServer({
    name: 'Camunda',
    command: 'java',
    // CAMUNDA_JAVA_OPTS '' gives the JVM's defaults (C2 and G1: for throughput, not start-up time).
    args: [...camundaJvmFlags(env), '-jar', jar],
    env: { ...process.env, ...env, CAMUNDA_PORT: String(port), BPTL_DATA_DIR: dataDir },
    logFile: path.join(dataDir, 'camunda', 'engine.log'),
    probe: () => camundaAnswers(restUrl),
    log,
  });
  return Object.assign(server, { restUrl, accessLog });
}

/** Runs `start` with some environment variables set, and restores them after. */
async function withEnv<T>(vars: Record<string, string>, start: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await start();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export async function benchServers(options: BenchOptions, root: string, log: Logger): Promise<BenchServers> {
  const dataDir = path.join(root, '.data', 'bench');
  const started: LocalServer[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  try {
    const [temporal, camunda] = await Promise.allSettled([
      (async () => {
        if (options.temporalAddress) {
          await ensureSearchAttributes(options.temporalAddress, 'default');
          return options.temporalAddress;
        }
        const server = await startTemporalDevServer({
          dataDir,
          port: BENCH_PORTS.temporal,
          uiPort: BENCH_PORTS.temporalUi,
          inMemory: true,
          log,
        });
        if (!server.reused) started.push(server);
        return server.address;
      })(),
      (async () => {
        if (options.camundaUrl) return { restUrl: options.camundaUrl, accessLog: undefined };
        const server = await startBenchCamunda(dataDir, BENCH_PORTS.camunda, log);
        if (!server.reused) started.push(server);
        return { restUrl: server.restUrl, accessLog: server.reused ? undefined : server.accessLog };
      })(),
    ]);
    if (temporal.status === 'rejected') throw temporal.reason;
    if (camunda.status === 'rejected') throw camunda.reason;
    return {
      temporalAddress: temporal.value,
      camundaUrl: camunda.value.restUrl,
      camundaAccessLog: camunda.value.accessLog,
      started: {
        temporal: started.some((s) => s.name === 'Temporal'),
        camunda: started.some((s) => s.name === 'Camunda'),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
