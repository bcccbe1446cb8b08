/**
 * How the external-task workflow calls the engine: as local activities first (a completion costs one marker
 * event); a call that keeps failing transiently goes on as a normal activity, and the task's state says so until
 * it lands. A failure after which trying again does not help (the task is gone, another worker holds it, the
 * engine rejects or refuses the call, the engine is unknown) is returned for the workflow to act on.
 *
 * Deterministic code only (part of the external-task workflow).
 */
import {
  type ActivityOptions,
  isCancellation,
  type LocalActivityOptions,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { EngineActivities } from '../activities/types.ts';
import { FailureTypes } from '../activities/types.ts';
import { failureType, isNonRetryable, rootCause } from './failures.ts';
import { TaskStates } from './task-state.ts';
import type { TaskView } from './task-view.ts';

/** Engine call failures after which trying again does not help (the workflow decides what happens next). */
const FINAL_ENGINE_FAILURES = [
  FailureTypes.TaskGone,
  FailureTypes.TaskLost,
  FailureTypes.EngineRejected,
  FailureTypes.EngineRefused,
];

/**
 * Engine calls first run as local activities, inside the workflow task (a completion costs one marker event):
 * three quick tries for a transient error.
 */
const ENGINE_CALL_LOCAL: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 3,
    nonRetryableErrorTypes: FINAL_ENGINE_FAILURES,
  },
};

/**
 * A call that still fails transiently goes on as a normal activity (Temporal's advice for local activities that
 * keep failing): it shows in the UI as a pending activity with its attempt count and last failure, and its
 * retries add nothing to the history. Without limit while the engine does not answer (nothing else can be done:
 * an incident needs the engine); an unknown engine is given up after ENGINE_UNKNOWN_LIMIT_MS.
 */
const ENGINE_CALL_REMOTE: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: FINAL_ENGINE_FAILURES,
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

/** An engine call's failure after which trying again does not help. */
export type FinalFailure = {
  ok: false;
  kind: 'gone' | 'lost' | 'rejected' | 'refused' | 'unknown-engine';
  message: string;
  error: Error;
};

/** What an engine call returns: its value, or its final failure. */
export type CallOutcome<T> = { ok: true; value: T } | FinalFailure;

const FINAL_KIND: Record<string, FinalFailure['kind']> = {
  [FailureTypes.TaskGone]: 'gone',
  [FailureTypes.TaskLost]: 'lost',
  [FailureTypes.EngineRejected]: 'rejected',
  [FailureTypes.EngineRefused]: 'refused',
  [FailureTypes.UnknownEngine]: 'unknown-engine',
};

/** The final kind of an engine call's failure, or undefined when it was transient (or a time-out). */
function finalOf(error: unknown): FinalFailure | undefined {
  const type = failureType(error);
  const kind = type ? FINAL_KIND[type] : undefined;
  if (!kind) return undefined;
  // An unknown engine is final only once its limit is reached (the activity then says non-retryable).
  if (kind === 'unknown-engine' && !isNonRetryable(error)) return undefined;
  return { ok: false, kind, message: rootCause(error).message, error: rootCause(error) };
}

/** The engine activities of one workflow run, and the call that goes from local to normal activity. */
export class EngineCalls {
  readonly local = proxyLocalActivities<EngineActivities>(ENGINE_CALL_LOCAL);
  readonly remote = proxyActivities<EngineActivities>(ENGINE_CALL_REMOTE);
  readonly callbacks = proxyActivities<EngineActivities>(CALLBACK_ACTIVITY_OPTIONS);
  private readonly view: TaskView;

  constructor(view: TaskView) {
    this.view = view;
  }

  /**
   * Calls the engine: locally first; a call that still fails transiently goes on as a normal activity, and the
   * task's state says so until it lands. Returns the value, or the final failure for the caller to act on.
   */
  async call<T>(what: string, call: (activities: EngineActivities) => Promise<T>): Promise<CallOutcome<T>> {
    const view = this.view;
    let first: unknown;
    try {
      return { ok: true, value: await call(this.local) };
    } catch (error) {
      if (isCancellation(error)) throw error;
      const final = finalOf(error);
      if (final) return final;
      first = error;
    }
    const before = { state: view.state, reason: view.reason, shown: view.memoWritten };
    const type = failureType(first);
    const waiting =
      type === FailureTypes.EngineSuspended
        ? TaskStates.InstanceSuspended
        : type === FailureTypes.UnknownEngine
          ? TaskStates.EngineUnknown
          : TaskStates.EngineCallFailing;
    view.set(waiting, `${what} keeps failing, retried with back-off: ${rootCause(first).message}`, first);
    try {
      const value = await call(this.remote);
      // Back to the state the call was made in (a back-off, a wait on an incident); else the caller moves on.
      if (before.shown && before.state !== waiting) view.set(before.state, before.reason);
      return { ok: true, value };
    } catch (error) {
      if (isCancellation(error)) throw error;
      const final = finalOf(error);
      if (final) return final;
      throw error;
    }
  }
}

/** The reason a task is abandoned over an engine call's final failure `gone` or `lost`, else undefined. */
export function lostReason(failure: FinalFailure): string | undefined {
  if (failure.kind === 'gone') return `the task is gone: ${failure.message}`;
  if (failure.kind === 'lost') return `another worker holds the task: ${failure.message}`;
  return undefined;
}
