/**
 * What every command needs, built once: the parsed environment, the work-unit registry, the configuration
 * file and a Camunda client per engine.
 */

import type { EngineClients } from '../activities/index.ts';
import { type BptlEnv, loadEnv } from '../config/env.ts';
import { loadConfigFile } from '../config/load-config.ts';
import type { BptlConfig } from '../config/topic-config.ts';
import { CamundaClient } from '../engine/camunda-client.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { createRegistry, type WorkUnitRegistry } from '../work-units/registry.ts';

export interface BptlContext {
  env: BptlEnv;
  registry: WorkUnitRegistry;
  config: BptlConfig;
  engines: EngineClients;
  log: Logger;
}

export async function loadContext(
  options: { configFile?: string; registry?: WorkUnitRegistry } = {},
): Promise<BptlContext> {
  const env = loadEnv();
  const log = createLogger('bptl', { level: env.LOG_LEVEL });
  const registry = options.registry ?? createRegistry();
  const config = await loadConfigFile(options.configFile ?? env.BPTL_CONFIG, registry.names());
  return { env, registry, config, engines: createEngineClients(config), log };
}

export function createEngineClients(config: Pick<BptlConfig, 'engines'>): EngineClients {
  return new Map(config.engines.map((e) => [e.name, new CamundaClient({ baseUrl: e.url, auth: e.auth })]));
}
