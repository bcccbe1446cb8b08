/**
 * The failures a work unit's attempt ends with, as Temporal should see them. The type of what the unit threw
 * decides whether it is retried: NonRetryableError (and input or output that does not fit) never,
 * RetryableError with the delay it may ask for, anything else with the topic's back-off. A failure keeps the
 * unit's own error (its stack and `cause` chain), so the incident and the Temporal UI show what the unit threw.
 */
import { ApplicationFailure } from '@temporalio/common';
import { NonRetryableError, RetryableError } from '../errors.ts';
import type { RunnerLockKeeper } from './runner-lock.ts';
import { type AttemptFailureDetails, FailureTypes } from './types.ts';

/** A failure of type `type` that is never retried (input or output that does not fit the unit's schema). */
export function nonRetryable(
  type: string,
  message: string,
  details: AttemptFailureDetails,
  cause?: Error,
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: [details],
    ...(cause ? { cause } : {}),
  });
}

/**
 * Maps what a unit threw to the failure Temporal should see. The failure is the unit's own error (its message,
 * stack and `cause` chain, through ApplicationFailure.fromError), typed by its class name.
 */
export function toFailure(error: Error, details: AttemptFailureDetails): ApplicationFailure {
  if (error instanceof ApplicationFailure) {
    if (error.details && error.details.length > 0) return error;
    return ApplicationFailure.fromError(error, { details: [details] });
  }
  const type = error.name || error.constructor?.name || 'Error';
  if (error instanceof RetryableError) {
    return ApplicationFailure.fromError(error, {
      type,
      nonRetryable: false,
      details: [details],
      ...(error.retryDelayMs !== undefined ? { nextRetryDelay: error.retryDelayMs } : {}),
    });
  }
  return ApplicationFailure.fromError(error, {
    type,
    nonRetryable: error instanceof NonRetryableError,
    details: [details],
  });
}

/** The attempt's failure when the task was lost while the unit ran (or before it started). */
export function lostFailure(keeper: RunnerLockKeeper, details: AttemptFailureDetails): ApplicationFailure {
  return ApplicationFailure.create({
    type: keeper.lost?.kind === 'lost' ? FailureTypes.TaskLost : FailureTypes.TaskGone,
    message: keeper.lost?.reason ?? 'the task was lost',
    nonRetryable: true,
    details: [details],
  });
}
