/**
 * A BPTL worker: two Temporal workers on one connection. The first runs the external-task workflows, the
 * engine activities (short calls that must land) and, as local activities, the work units of topics with
 * `execution: local`; the second runs work units on their own task queue, so slow work can never starve
 * completions, failures or lock extensions.
 */

import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createEngineActivities, createWorkUnitActivities, type EngineClients } from '../activities/index.ts';
import type { OutboundPolicy } from '../http/outbound-policy.ts';
import type { Logger } from '../logging/logger.ts';
import type { BptlMetrics } from '../observability/metrics.ts';
import type { WorkUnitRegistry } from '../work-units/registry.ts';
import type { ServiceResolver } from '../work-units/service-clients.ts';
import { withWorkflowBundle } from './bundle-workflows.ts';
import { ResultHandoff } from './result-handoff.ts';
import { disableWorkflowStackTraces } from './workflow-stack-traces.ts';

export { workflowsPath } from './workflows-path.ts';

export interface BptlWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  workUnitTaskQueue: string;
  engines: EngineClients;
  registry: WorkUnitRegistry;
  logger: Logger;
  /**
   * A workflow bundle (tests build one and share it); otherwise dist/workflow-bundle.js when running from dist,
   * else the workflows are bundled at start (bundle-workflows.ts).
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Finds the services that work units call, and their credentials (the configuration store). */
  services?: ServiceResolver;
  /** Workflows kept in memory between their workflow tasks. @default 500 */
  maxCachedWorkflows?: number;
  /** At most this many work units at once in this process. @default 100 */
  maxConcurrentWorkUnits?: number;
  /** On shutdown, how long running work units may finish before they are cancelled. @default 10000 */
  shutdownGraceTimeMs?: number;
  /**
   * Let the SDK collect stack traces of workflow promises (the Web UI's "Stack Trace" tab). It costs about 7 ms
   * of CPU per task, so it is off unless asked for; see workflow-stack-traces.ts. @default false
   */
  workflowStackTraces?: boolean;
  /**
   * The data converter of both workers: BPTL's payload codec (src/codec/data-converter.ts), so that the
   * workflows' and activities' payloads reach Temporal encrypted. The codec runs outside the workflow sandbox.
   */
  dataConverter?: DataConverter;
  /** Where the activities count (observability/metrics.ts). @default none */
  metrics?: BptlMetrics;
  /** Where outbound calls of units and callbacks may go (BPTL_OUTBOUND_*). @default the secure default */
  outboundPolicy?: OutboundPolicy;
}

export interface BptlWorker {
  /** Runs until shutdown() is called. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createBptlWorker(options: BptlWorkerOptions): Promise<BptlWorker> {
  if (!options.workflowStackTraces) disableWorkflowStackTraces();
  const shutdownGraceTime = options.shutdownGraceTimeMs ?? 10_000;
  const workUnitActivities = createWorkUnitActivities(options.registry, options.logger.child('work-unit'), {
    engines: options.engines,
    ...(options.services ? { services: options.services } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.outboundPolicy ? { outboundPolicy: options.outboundPolicy } : {}),
  });
  const handoff = new ResultHandoff();
  const createMain = (workflowBundle: NonNullable<WorkerOptions['workflowBundle']>) =>
    Worker.create({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      workflowBundle,
      // A bounded cache: histories of evicted workflows are replayed when they wake (lock renewal, retry).
      maxCachedWorkflows: options.maxCachedWorkflows ?? 500,
      // Engine calls run as local activities, and so do the work units of topics with `execution: local`.
      activities: {
        ...handoff.engine(createEngineActivities(options.engines, options.metrics, options.outboundPolicy)),
        ...workUnitActivities,
      },
      shutdownGraceTime,
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    });
  const main = options.workflowBundle
    ? await createMain(options.workflowBundle)
    : await withWorkflowBundle(options.logger, createMain);
  const workUnits = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.workUnitTaskQueue,
    activities: handoff.workUnits(workUnitActivities),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentWorkUnits ?? 100,
    shutdownGraceTime,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
  const workers = [main, workUnits];
  let stopping = false;
  /** Settles when the work-unit worker has stopped (set by run()). */
  let workUnitsStopped: Promise<unknown> = Promise.resolve();
  return {
    async run() {
      options.logger.info('worker running', {
        taskQueue: options.taskQueue,
        workUnitTaskQueue: options.workUnitTaskQueue,
      });
      // If one worker fails, stop the other, so the process never runs half a worker.
      const runs = workers.map((w) =>
        w.run().catch((error: unknown) => {
          for (const other of workers) if (other.getState() === 'RUNNING') other.shutdown();
          throw error;
        }),
      );
      workUnitsStopped = Promise.allSettled([runs[1]]);
      await Promise.all(runs);
    },
    shutdown() {
      if (stopping) return;
      stopping = true;
      // The work units first: they get their grace time, and the main worker meanwhile still takes the workflow
      // tasks that their results bring; once those are reported to the engine, the main worker (result-handoff.ts).
      if (workUnits.getState() !== 'RUNNING') {
        if (main.getState() === 'RUNNING') main.shutdown();
        return;
      }
      options.logger.info('worker stopping: work units first, then the workflows');
      handoff.startStopping();
      workUnits.shutdown();
      void workUnitsStopped
        .then(() => handoff.reported(shutdownGraceTime))
        .then(() => {
          if (main.getState() === 'RUNNING') main.shutdown();
        });
    },
  };
}
