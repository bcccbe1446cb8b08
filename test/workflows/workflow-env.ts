/**
 * The workflow tier's environment: Temporal's time-skipping test server (from the project's .tools/venv,
 * never a download) and one workflow bundle per test file.
 */

import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { workflowsPath } from '../../src/worker/bptl-worker.ts';
import { bptlSearchAttributes } from '../../src/workflows/search-attributes.ts';
import { testServerBinary } from '../support/paths.ts';

try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // installed already in this process
}

export const silentLogger = new DefaultLogger('ERROR');

/** The time-skipping test server, with BPTL's search attributes registered. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerBinary } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      bptlSearchAttributes.map((key) => [
        key.name,
        proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: silentLogger });
  return bundle;
}
