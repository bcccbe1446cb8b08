/**
 * `runWorkUnitOnce`: runs one work unit outside of Camunda, for `POST /work-units/{name}/run`. The unit runs
 * as the same activity, on the same work-unit task queue, as for an external task; here it gets one attempt
 * (the HTTP caller decides whether to try again) and at most `timeoutMs`.
 *
 * Deterministic code only: no Node built-ins, no I/O; activities are imported as types.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { WorkUnitActivities, WorkUnitResult } from '../activities/types.ts';
import type { CamundaVariables } from '../engine/variables.ts';

export interface RunWorkUnitOnceInput {
  workUnit: string;
  /** The input, as Camunda typed values (what the work-unit activity decodes). */
  variables: CamundaVariables;
  workUnitTaskQueue: string;
  /** Longest the attempt may take, from being scheduled (a worker may be busy) to its end. */
  timeoutMs: number;
  /** Stands in for the external task's id in the unit's task metadata and logs. */
  runId: string;
}

export async function runWorkUnitOnce(input: RunWorkUnitOnceInput): Promise<WorkUnitResult> {
  const { runWorkUnit } = proxyActivities<WorkUnitActivities>({
    taskQueue: input.workUnitTaskQueue,
    scheduleToCloseTimeout: input.timeoutMs,
    retry: { maximumAttempts: 1 },
  });
  return runWorkUnit({
    workUnit: input.workUnit,
    engine: '',
    task: { id: input.runId, topicName: '' },
    variables: input.variables,
  });
}
