/**
 * The external-task workflow: one run per Camunda external task. It runs the topic's work unit as a
 * retriable activity on the work-unit task queue, then tells the engine exactly one of: complete (with the
 * unit's variables), failure (attempts exhausted or a non-retryable error: an incident at retries 0), or
 * bpmnError. A task that is gone when we report (404) ends the workflow as abandoned.
 *
 * Deterministic code only: no Node built-ins, no I/O; activities are imported as types.
 */
import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  log,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EngineActivities, WorkUnitActivities } from '../activities/types.ts';
import { FailureTypes } from '../activities/types.ts';
import type { ExternalTaskInput, ExternalTaskOutcome, ExternalTaskResult } from './external-task-input.ts';
import { BptlOutcome } from './search-attributes.ts';

/** Engine calls are short and must land: retried without limit while the error is transient. */
const ENGINE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [FailureTypes.TaskGone, FailureTypes.EngineRejected, 'UnknownEngine'],
  },
};

/** Heartbeat time-out of a work unit; the runner heartbeats every 2 s on the unit's behalf. */
const WORK_UNIT_HEARTBEAT_TIMEOUT_MS = 20_000;

function end(
  outcome: ExternalTaskOutcome,
  extra: Omit<ExternalTaskResult, 'outcome'> = {},
): ExternalTaskResult {
  upsertSearchAttributes([{ key: BptlOutcome, value: outcome }]);
  return { outcome, ...extra };
}

/** The innermost cause of a failure: what the work unit itself threw. */
function rootCause(error: unknown): Error {
  let current = error as Error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  return current;
}

/** Why the workflow must stop without reporting (task gone, or the engine rejected our call). */
function engineRefusal(error: unknown): string | undefined {
  const cause = rootCause(error);
  if (cause instanceof ApplicationFailure && cause.type === FailureTypes.TaskGone) {
    return `the task is gone: ${cause.message}`;
  }
  if (cause instanceof ApplicationFailure && cause.type === FailureTypes.EngineRejected) {
    return `the engine refused: ${cause.message}`;
  }
  return undefined;
}

export async function externalTask(input: ExternalTaskInput): Promise<ExternalTaskResult> {
  const { task, topic, engine, workerId } = input;
  const engineActivities = proxyActivities<EngineActivities>(ENGINE_ACTIVITY_OPTIONS);
  const workUnits = proxyActivities<WorkUnitActivities>({
    taskQueue: input.workUnitTaskQueue,
    startToCloseTimeout: topic.startToCloseTimeoutMs,
    heartbeatTimeout: WORK_UNIT_HEARTBEAT_TIMEOUT_MS,
    retry: {
      initialInterval: topic.retry.initialIntervalMs,
      backoffCoefficient: topic.retry.backoffCoefficient,
      maximumInterval: topic.retry.maximumIntervalMs,
      maximumAttempts: topic.retry.maximumAttempts,
    },
  });
  const command = { engine, taskId: task.id, workerId };
  const { variables, ...taskWithoutVariables } = task;

  let result: Awaited<ReturnType<WorkUnitActivities['runWorkUnit']>>;
  try {
    result = await workUnits.runWorkUnit({
      workUnit: topic.workUnit,
      engine,
      task: taskWithoutVariables,
      variables,
    });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = rootCause(error);
    const details = [
      `work unit: ${topic.workUnit}`,
      `failure type: ${cause instanceof ApplicationFailure ? cause.type : cause.name}`,
      `retry state: ${error.retryState}`,
      `workflow: ${workflowInfo().workflowId} (run ${workflowInfo().runId})`,
      '',
      cause.stack ?? cause.message,
    ].join('\n');
    log.warn('work unit failed; reporting the failure to the engine', {
      taskId: task.id,
      error: cause.message,
    });
    try {
      await engineActivities.reportFailure({
        ...command,
        errorMessage: cause.message,
        errorDetails: details,
        retries: topic.camundaRetries,
        retryTimeoutMs: topic.camundaRetryTimeoutMs,
      });
    } catch (reportError) {
      const reason = engineRefusal(reportError);
      if (reason) return end('abandoned', { reason });
      throw reportError;
    }
    return end('failed', { reason: cause.message });
  }

  try {
    if (result.outcome === 'bpmn-error') {
      await engineActivities.throwBpmnError({
        ...command,
        errorCode: result.errorCode,
        errorMessage: result.errorMessage,
        variables: result.variables,
      });
      return end('bpmn-error', { reason: `${result.errorCode}: ${result.errorMessage}` });
    }
    await engineActivities.completeTask({ ...command, variables: result.variables });
  } catch (error) {
    const reason = engineRefusal(error);
    if (reason) return end('abandoned', { reason });
    throw error;
  }
  return end('completed', { variables: Object.keys(result.variables) });
}
