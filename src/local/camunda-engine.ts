/**
 * The local Camunda 7.24 CE engine: the Spring Boot app in engines/camunda (REST API at /engine-rest,
 * Cockpit, an admin user demo/demo, history level full, an H2 file database in the data folder). Built with
 * Maven when its jar is missing. An engine already answering on the port is reused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logging/logger.ts';
import { type LocalServer, projectRoot, reusedServer, spawnServer } from './managed-process.ts';

export interface CamundaEngineOptions {
  dataDir: string;
  /** @default 8080 */
  port?: number;
  log: Logger;
}

/**
 * JVM flags for the local engine, from CAMUNDA_JAVA_OPTS. The default (C1 only, serial GC) started in 5.8 s
 * instead of 7.1 s on a 2-core machine, with 347 MB resident instead of 560 MB; for benchmarks of the engine
 * itself, set CAMUNDA_JAVA_OPTS to '' to get the JVM's defaults (C2 and G1).
 */
export function camundaJvmFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const opts = env.CAMUNDA_JAVA_OPTS ?? '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';
  return opts.split(/\s+/).filter(Boolean);
}

export function camundaJar(): string {
  return path.join(projectRoot(), 'engines', 'camunda', 'target', 'bptl-camunda.jar');
}

async function answers(restUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${restUrl}/engine`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function startCamundaEngine(
  options: CamundaEngineOptions,
): Promise<LocalServer & { restUrl: string; cockpitUrl: string }> {
  const port = options.port ?? 8080;
  const base = `http://127.0.0.1:${port}`;
  const urls = { restUrl: `${base}/engine-rest`, cockpitUrl: `${base}/camunda/app/cockpit/default/` };
  if (await answers(urls.restUrl)) {
    options.log.info('Camunda is already running; reusing it', { url: urls.restUrl });
    return { ...reusedServer('Camunda'), ...urls };
  }
  const jar = camundaJar();
  if (!existsSync(jar)) {
    options.log.info('building the local Camunda engine with Maven (about a minute, once)');
    execFileSync('mvn', ['-B', '-q', '-DskipTests', 'package'], {
      cwd: path.join(projectRoot(), 'engines', 'camunda'),
      stdio: 'inherit',
    });
  }
  const server = await spawnServer({
    name: 'Camunda',
    command: 'java',
    args: [...camundaJvmFlags(), '-jar', jar],
    env: { ...process.env, CAMUNDA_PORT: String(port), BPTL_DATA_DIR: options.dataDir },
    logFile: path.join(options.dataDir, 'camunda', 'engine.log'),
    probe: () => answers(urls.restUrl),
    log: options.log,
  });
  return Object.assign(server, urls);
}
