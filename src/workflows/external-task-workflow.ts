/**
 * The external-task workflow: one run per Camunda external task.
 *
 * 1. It runs the topic's work unit as a retriable activity on the work-unit task queue (or, for a topic with
 *    `execution: local`, as a local activity inside the workflow task), and meanwhile keeps the engine's lock:
 *    a timer before each expiry, then `keepLock` (extendLock, or lock again if it expired). The loop runs
 *    during Temporal's back-off between attempts too, when no activity runs at all. A unit that finishes
 *    within the workflow task costs no timer event: the timer is cancelled before it was ever sent.
 * 2. If the task is gone (404) or another worker holds it, the work unit is cancelled (through its heartbeats)
 *    and the workflow ends as `abandoned`, without calling the engine.
 * 3. Otherwise it tells the engine exactly one of: complete (the unit's variables), failure (attempts exhausted
 *    or a non-retryable error: an incident at retries 0), or bpmnError. Engine calls are retried until they
 *    land; a 4xx that is not about the lock turns a completion into a reported failure.
 * 4. After a completion, when the task has a `callbackUrl` variable, that URL is POSTed to (retried).
 *
 * Deterministic code only: no Node built-ins, no I/O; activities are imported as types.
 */
import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  type LocalActivityOptions,
  log,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TemporalFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EngineActivities, WorkUnitActivities, WorkUnitResult } from '../activities/types.ts';
import { FailureTypes } from '../activities/types.ts';
import type { ExternalTaskInput, ExternalTaskOutcome, ExternalTaskResult } from './external-task-input.ts';
import { BptlOutcome } from './search-attributes.ts';

/**
 * Engine calls are short and must land: retried without limit while the error is transient. They run as
 * local activities, inside the workflow task: a completion costs one marker event instead of three activity
 * events and a second workflow task (see docs/benchmarks.md).
 */
const ENGINE_ACTIVITY_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [
      FailureTypes.TaskGone,
      FailureTypes.TaskLost,
      FailureTypes.EngineRejected,
      FailureTypes.UnknownEngine,
    ],
  },
};

/** A callback is retried for about an hour and a half, then given up (the task is completed already). */
const CALLBACK_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 20,
  },
};

/** The lock is renewed when this share of its duration has passed. */
export const LOCK_RENEWAL_FRACTION = 0.5;
/** Never wait less than this between two renewals. */
const MIN_RENEWAL_WAIT_MS = 200;

function end(
  outcome: ExternalTaskOutcome,
  extra: Omit<ExternalTaskResult, 'outcome'> = {},
): ExternalTaskResult {
  upsertSearchAttributes([{ key: BptlOutcome, value: outcome }]);
  return { outcome, ...extra };
}

/** The innermost cause of a failure: what the work unit (or the engine call) itself threw. */
function rootCause(error: unknown): Error {
  let current = error as Error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  return current;
}

function failureType(error: unknown): string | undefined {
  const cause = rootCause(error);
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** Why the task is no longer ours, if that is what an engine call said. */
function lostReason(error: unknown): string | undefined {
  const type = failureType(error);
  if (type === FailureTypes.TaskGone) return `the task is gone: ${rootCause(error).message}`;
  if (type === FailureTypes.TaskLost) return `another worker holds the task: ${rootCause(error).message}`;
  return undefined;
}

type WorkOutcome =
  | { kind: 'result'; result: WorkUnitResult }
  | { kind: 'failure'; error: TemporalFailure }
  | { kind: 'lost'; reason: string };

export async function externalTask(input: ExternalTaskInput): Promise<ExternalTaskResult> {
  const { task, topic, engine, workerId } = input;
  const engineActivities = proxyLocalActivities<EngineActivities>(ENGINE_ACTIVITY_OPTIONS);
  const callbacks = proxyActivities<EngineActivities>(CALLBACK_ACTIVITY_OPTIONS);
  const retry = {
    initialInterval: topic.retry.initialIntervalMs,
    backoffCoefficient: topic.retry.backoffCoefficient,
    maximumInterval: topic.retry.maximumIntervalMs,
    maximumAttempts: topic.retry.maximumAttempts,
  };
  const workUnits =
    topic.execution === 'local'
      ? proxyLocalActivities<WorkUnitActivities>({
          startToCloseTimeout: topic.startToCloseTimeoutMs,
          cancellationType: 'WAIT_CANCELLATION_COMPLETED',
          retry,
        })
      : proxyActivities<WorkUnitActivities>({
          taskQueue: input.workUnitTaskQueue,
          startToCloseTimeout: topic.startToCloseTimeoutMs,
          heartbeatTimeout: topic.heartbeatTimeoutMs,
          cancellationType: 'WAIT_CANCELLATION_COMPLETED',
          retry,
        });
  const command = { engine, taskId: task.id, workerId };
  const { variables, ...taskWithoutVariables } = task;

  /** Renews the lock before each expiry until cancelled; returns why the task was lost, if it was. */
  async function keepLock(): Promise<string> {
    let lockedAtMs = input.lockedAtMs ?? workflowInfo().startTime.getTime();
    for (;;) {
      const renewAt = lockedAtMs + Math.floor(topic.lockDurationMs * LOCK_RENEWAL_FRACTION);
      await sleep(Math.max(renewAt - Date.now(), MIN_RENEWAL_WAIT_MS));
      // An extension in flight always finishes, so the lock state is known when the work is done.
      const kept = await CancellationScope.nonCancellable(() =>
        engineActivities.keepLock({ ...command, lockDurationMs: topic.lockDurationMs }),
      );
      if (kept.status === 'lost') return kept.reason;
      lockedAtMs = Date.now();
      upsertMemo({
        lock: { status: kept.status, expiresAt: new Date(lockedAtMs + topic.lockDurationMs).toISOString() },
      });
    }
  }

  async function work(): Promise<WorkOutcome> {
    const workScope = new CancellationScope();
    const lockScope = new CancellationScope();
    const working = workScope
      .run(() =>
        workUnits.runWorkUnit({
          workUnit: topic.workUnit,
          engine,
          task: taskWithoutVariables,
          variables,
          ...(topic.services && Object.keys(topic.services).length > 0 ? { services: topic.services } : {}),
        }),
      )
      .then(
        (result): WorkOutcome => ({ kind: 'result', result }),
        (error: unknown): WorkOutcome => {
          // An activity's failure comes wrapped in an ActivityFailure; a local activity's as what it threw.
          if (error instanceof TemporalFailure && !isCancellation(error)) return { kind: 'failure', error };
          throw error;
        },
      );
    const locking = lockScope.run(keepLock).then(
      (reason): WorkOutcome => ({ kind: 'lost', reason }),
      (error: unknown): WorkOutcome | undefined => {
        if (isCancellation(error)) return undefined;
        throw error;
      },
    );
    const first = await Promise.race([working, locking.then((o) => o ?? new Promise<never>(() => {}))]);
    if (first.kind === 'lost') {
      log.warn('the task was lost; cancelling its work unit', { taskId: task.id, reason: first.reason });
      workScope.cancel();
      await working.catch(() => undefined);
      return first;
    }
    lockScope.cancel();
    await locking;
    return first;
  }

  const outcome = await work();
  if (outcome.kind === 'lost') return end('abandoned', { reason: outcome.reason });

  if (outcome.kind === 'failure') {
    const cause = rootCause(outcome.error);
    const attempt =
      cause instanceof ApplicationFailure ? (cause.details?.[0] as { attempt?: number })?.attempt : undefined;
    return reportFailure(cause.message, [
      `work unit: ${topic.workUnit}`,
      `failure type: ${failureType(outcome.error) ?? cause.name}`,
      `attempts: ${attempt ?? 'unknown'} (at most ${topic.retry.maximumAttempts})`,
      `retry state: ${outcome.error instanceof ActivityFailure ? outcome.error.retryState : 'n/a (local activity)'}`,
      `workflow: ${workflowInfo().workflowId} (run ${workflowInfo().runId})`,
      '',
      cause.stack ?? cause.message,
    ]);
  }

  const { result } = outcome;
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
    await engineActivities.completeTask({
      ...command,
      variables: result.variables,
      ...(result.localVariables ? { localVariables: result.localVariables } : {}),
    });
  } catch (error) {
    const lost = lostReason(error);
    if (lost) return end('abandoned', { reason: lost });
    if (failureType(error) !== FailureTypes.EngineRejected) throw error;
    // The engine refused the output (a 4xx that is not about the lock): make it an incident, not a silent stop.
    const message = `the engine refused the work unit's output: ${rootCause(error).message}`;
    return reportFailure(message, [
      `work unit: ${topic.workUnit}`,
      `variables: ${Object.keys(result.variables).join(', ')}`,
    ]);
  }

  const names = Object.keys(result.variables);
  const callbackUrl = task.variables.callbackUrl;
  if (callbackUrl?.type === 'String' && typeof callbackUrl.value === 'string' && callbackUrl.value !== '') {
    try {
      await callbacks.postCallback({
        url: callbackUrl.value,
        body: {
          externalTaskId: task.id,
          topic: task.topicName,
          processInstanceId: task.processInstanceId ?? null,
          businessKey: task.businessKey ?? null,
          outcome: 'completed',
          variables: result.variables,
        },
      });
    } catch (error) {
      log.error('the callback failed; the task is completed all the same', {
        error: rootCause(error).message,
      });
      return end('completed', { variables: names, callback: 'failed' });
    }
    return end('completed', { variables: names, callback: 'sent' });
  }
  return end('completed', { variables: names });

  async function reportFailure(message: string, details: string[]): Promise<ExternalTaskResult> {
    log.warn('reporting the failure to the engine', { taskId: task.id, error: message });
    try {
      await engineActivities.reportFailure({
        ...command,
        errorMessage: message,
        errorDetails: details.join('\n'),
        retries: topic.camundaRetries,
        retryTimeoutMs: topic.camundaRetryTimeoutMs,
      });
    } catch (error) {
      const lost =
        lostReason(error) ??
        (failureType(error) === FailureTypes.EngineRejected ? rootCause(error).message : undefined);
      if (lost) return end('abandoned', { reason: lost });
      throw error;
    }
    return end('failed', { reason: message });
  }
}
