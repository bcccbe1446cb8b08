/**
 * Starts (or reuses) the real Temporal dev server and the real Camunda engine once for all integration
 * tests, bundles the workflows once, and stops what it started at the end.
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
    camundaUrl: string;
    workflowBundlePath: string;
    serverStartupMs: { temporal: number; camunda: number };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger('test-servers', { level: 'info' });
  mkdirSync(testDataDir, { recursive: true });
  const [temporal, camunda, bundle] = await Promise.all([
    startTemporalDevServer({
      dataDir: testDataDir,
      port: Number(process.env.TEMPORAL_PORT ?? 7233),
      uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
      log,
    }),
    startCamundaEngine({ dataDir: testDataDir, port: Number(process.env.CAMUNDA_PORT ?? 8080), log }),
    bundleWorkflowCode({
      workflowsPath,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never,
    }),
  ]);
  const workflowBundlePath = path.join(testDataDir, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', temporal.address);
  project.provide('camundaUrl', camunda.restUrl);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('serverStartupMs', { temporal: temporal.startupMs, camunda: camunda.startupMs });
  log.info('test servers', {
    temporalStartupMs: temporal.startupMs,
    camundaStartupMs: camunda.startupMs,
    temporalReused: temporal.reused,
    camundaReused: camunda.reused,
  });
  return async () => {
    await Promise.allSettled([temporal.stop(), camunda.stop()]);
  };
}
