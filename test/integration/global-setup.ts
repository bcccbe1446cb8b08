/**
 * Starts (or reuses) the real Temporal dev server and the real Camunda engine once for all integration
 * tests, bundles the workflows once, and stops what it started at the end.
 *
 * The tests have ports of their own (testPorts), not `bptl dev`'s 7233/8233/8080: a reused server is one that
 * answers on the test ports (a previous or parallel test run), never a developer's `bptl dev`, which would
 * otherwise get the tests' deployments and workflows. BPTL_TEST_TEMPORAL_PORT, BPTL_TEST_TEMPORAL_UI_PORT and
 * BPTL_TEST_CAMUNDA_PORT move them; the shared TEMPORAL_PORT etc. are deliberately not read, since a shell set
 * up for `bptl dev` has them.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startCamundaEngine } from '../../src/local/camunda-engine.ts';
import { startTemporalDevServer } from '../../src/local/temporal-dev-server.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { workflowsPath } from '../../src/worker/bptl-worker.ts';
import { testDataDir } from '../support/paths.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalUiUrl: string;
    camundaUrl: string;
    workflowBundlePath: string;
    serverStartupMs: { temporal: number; camunda: number };
  }
}

/** The tests' default ports; the bench uses 17333/18333/18090 and the chaos run 17533/18533/18190. */
export function testPorts(env: NodeJS.ProcessEnv = process.env): {
  temporal: number;
  temporalUi: number;
  camunda: number;
} {
  const port = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0 || n > 65_535) throw new Error(`${name} is not a port: ${value}`);
    return n;
  };
  return {
    temporal: port('BPTL_TEST_TEMPORAL_PORT', 17_233),
    temporalUi: port('BPTL_TEST_TEMPORAL_UI_PORT', 18_233),
    camunda: port('BPTL_TEST_CAMUNDA_PORT', 18_180),
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger('test-servers', { level: 'info' });
  mkdirSync(testDataDir, { recursive: true });
  const ports = testPorts();
  const [temporal, camunda, bundle] = await Promise.all([
    startTemporalDevServer({
      dataDir: testDataDir,
      port: ports.temporal,
      uiPort: ports.temporalUi,
      log,
    }),
    startCamundaEngine({ dataDir: testDataDir, port: ports.camunda, log }),
    bundleWorkflowCode({
      workflowsPath,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never,
    }),
  ]);
  const workflowBundlePath = path.join(testDataDir, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalUiUrl', temporal.uiUrl);
  project.provide('camundaUrl', camunda.restUrl);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('serverStartupMs', { temporal: temporal.startupMs, camunda: camunda.startupMs });
  log.info('test servers', {
    temporalAddress: temporal.address,
    camundaUrl: camunda.restUrl,
    temporalStartupMs: temporal.startupMs,
    camundaStartupMs: camunda.startupMs,
    temporalReused: temporal.reused,
    camundaReused: camunda.reused,
  });
  return async () => {
    await Promise.allSettled([temporal.stop(), camunda.stop()]);
  };
}
