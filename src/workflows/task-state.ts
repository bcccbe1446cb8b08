/**
 * Where a task's workflow stands: the `BptlState` search attribute (filter the Temporal UI's list by it, e.g.
 * `BptlState = 'completion-refused'`), with the reason in the memo (`state`) and in the workflow's current
 * details. Every place where a task can wait has its own state, so an operator never has to read code to
 * know why a task does not move; docs/operations.md ("Stuck tasks") says what each means and what to do.
 *
 * Plain data, imported by the workflow (deterministic code) and by the poller.
 */
import { defineSignal } from '@temporalio/workflow';

export const TaskStates = {
  /** The work unit is running (an attempt is under way); the lock is renewed while it runs. */
  UnitRunning: 'unit-running',
  /** An attempt of the work unit failed; the next one starts after the back-off. The lock is kept. */
  UnitRetrying: 'unit-retrying',
  /**
   * An engine call (complete, failure, BPMN error, lock) keeps failing: no answer, a transient error, or the
   * engine refuses to record a failure. Retried with back-off; the pending activity shows each attempt.
   */
  EngineCallFailing: 'engine-call-failing',
  /** The engine answers that the process instance is suspended: retried until it is activated. */
  InstanceSuspended: 'instance-suspended',
  /** No worker that took the call knows the task's engine (a worker that lags the store): retried a while. */
  EngineUnknown: 'engine-unknown',
  /** The engine refused the completion (its next step failed): an incident is open, the output is kept. */
  CompletionRefused: 'completion-refused',
  /** The engine refused the BPMN error (the error path failed): an incident is open, the error is kept. */
  BpmnErrorRefused: 'bpmn-error-refused',
  /** The workflow has ended; `BptlOutcome` says how. */
  Closed: 'closed',
} as const;

export type TaskState = (typeof TaskStates)[keyof typeof TaskStates];

/** The memo's `state` entry: the state, why, and since when (ISO-8601). */
export interface TaskStateMemo {
  state: TaskState;
  reason: string;
  since: string;
  /** The error that put the task in this state, when there is one. */
  lastError?: { type: string; message: string; at: string };
}

/** What the poller tells a running workflow when it fetched (and locked) the workflow's task again. */
export interface TaskFetchedAgain {
  /** The worker id the task is locked for now. */
  workerId: string;
  /** When that lock was taken (epoch ms). */
  lockedAtMs: number;
  /** Camunda's retries of the task as fetched: set by an operator who retried an incident. */
  retries?: number;
}

/**
 * Sent by the poller (with signal-with-start) when it fetches a task that had failed before (its `retries` is
 * set): an operator retried its incident. A workflow waiting on a refused completion tries again at once.
 */
export const taskFetchedAgainSignal = defineSignal<[TaskFetchedAgain]>('bptl.taskFetchedAgain');
