/**
 * The work unit's attempts: one activity per attempt (on the work-unit task queue or, for a topic with
 * `execution: local`, a local activity) under the topic's retry policy, which the workflow runs itself so that it
 * knows and shows each wait (`unit-running`, `unit-retrying`). Between attempts the lock is kept over the
 * back-off; a unit that no worker has is looked for a while.
 *
 * Deterministic code only (part of the external-task workflow).
 */
import { isCancellation, proxyActivities, proxyLocalActivities, TemporalFailure } from '@temporalio/workflow';
import type { WorkUnitActivities, WorkUnitResult } from '../activities/types.ts';
import { FailureTypes } from '../activities/types.ts';
import type { TopicSnapshot } from './external-task-input.ts';
import {
  attemptDetails,
  backoffMs,
  failureType,
  isNonRetryable,
  requestedRetryDelayMs,
  rootCause,
} from './failures.ts';
import { continueAsNewIfLong, type TaskRun } from './task-run.ts';
import { TaskStates } from './task-state.ts';

/** A work unit that no worker has is looked for this many more times (1 s, 2 s, … 30 s apart: about a minute), then an incident. */
const UNKNOWN_WORK_UNIT_TRIES = 6;

/** How the attempts ended: the unit's result, its last failure, or the task lost meanwhile. */
export type UnitOutcome =
  | { kind: 'result'; result: WorkUnitResult }
  | { kind: 'failed'; error: TemporalFailure; attempt: number; message?: string }
  | { kind: 'lost'; reason: string };

/** The work-unit activity, one attempt per call: the workflow runs the retry policy itself. */
function workUnitActivities(topic: TopicSnapshot, workUnitTaskQueue: string): WorkUnitActivities {
  return topic.execution === 'local'
    ? proxyLocalActivities<WorkUnitActivities>({
        startToCloseTimeout: topic.startToCloseTimeoutMs,
        cancellationType: 'WAIT_CANCELLATION_COMPLETED',
        retry: { maximumAttempts: 1 },
      })
    : proxyActivities<WorkUnitActivities>({
        taskQueue: workUnitTaskQueue,
        startToCloseTimeout: topic.startToCloseTimeoutMs,
        heartbeatTimeout: topic.heartbeatTimeoutMs,
        cancellationType: 'WAIT_CANCELLATION_COMPLETED',
        retry: { maximumAttempts: 1 },
      });
}

/** Runs the work unit from attempt `firstAttempt` until it gives a result, fails for good, or the task is lost. */
export async function runUnit(run: TaskRun, firstAttempt: number): Promise<UnitOutcome> {
  const { input, view, lock } = run;
  const { topic, engine } = input;
  const workUnits = workUnitActivities(topic, input.workUnitTaskQueue);
  const { variables, ...taskWithoutVariables } = input.task;
  const max = topic.retry.maximumAttempts;
  let attempt = firstAttempt;
  let unknownUnitTries = 0;
  for (;;) {
    if (view.state !== TaskStates.UnitRunning || !view.shown || attempt > 1) {
      view.set(
        TaskStates.UnitRunning,
        `the work unit '${topic.workUnit}' runs: attempt ${attempt} of ${max}`,
      );
    }
    try {
      const result = await workUnits.runWorkUnit({
        workUnit: topic.workUnit,
        engine,
        attempt,
        lock: {
          workerId: lock.workerId,
          lockDurationMs: topic.lockDurationMs,
          expiresAtMs: lock.expiresAtMs,
        },
        task: taskWithoutVariables,
        variables,
        ...(topic.services && Object.keys(topic.services).length > 0 ? { services: topic.services } : {}),
        ...(topic.outbound ? { outbound: topic.outbound } : {}),
        ...(topic.applications ? { applications: topic.applications } : {}),
      });
      lock.note(result.lock);
      return { kind: 'result', result };
    } catch (error) {
      if (isCancellation(error) || !(error instanceof TemporalFailure)) throw error;
      lock.note(attemptDetails(error).lock);
      const type = failureType(error);
      const message = rootCause(error).message;
      if (type === FailureTypes.TaskGone) return { kind: 'lost', reason: `the task is gone: ${message}` };
      if (type === FailureTypes.TaskLost) return { kind: 'lost', reason: message };
      let delayMs: number;
      let next: string;
      if (type === FailureTypes.UnknownWorkUnit) {
        // A worker of another version took the attempt: look for one that has the unit, a while.
        unknownUnitTries++;
        if (unknownUnitTries > UNKNOWN_WORK_UNIT_TRIES) {
          return {
            kind: 'failed',
            error,
            attempt,
            message: `no worker has the work unit '${topic.workUnit}' (looked ${unknownUnitTries} times): deploy a worker that has it, then retry this incident`,
          };
        }
        delayMs = Math.min(1_000 * 2 ** (unknownUnitTries - 1), 30_000);
        next = `looking for a worker that has it again in ${Math.round(delayMs / 1000)} s`;
      } else {
        if (isNonRetryable(error) || attempt >= max) return { kind: 'failed', error, attempt };
        delayMs = requestedRetryDelayMs(error) ?? backoffMs(topic.retry, attempt);
        next = `attempt ${attempt + 1} of ${max} in ${Math.round(delayMs / 1000)} s`;
        attempt++;
      }
      view.set(TaskStates.UnitRetrying, `attempt failed: ${message}; ${next}`, error);
      const lost = await lock.waitKeepingLock(delayMs);
      if (lost) return { kind: 'lost', reason: lost };
      await continueAsNewIfLong(run, { phase: 'retry', attempt });
    }
  }
}
