/**
 * The timings of `execution: local` (a topic whose work unit runs as a local activity inside its workflow task),
 * which must change together, in one place with their derivation.
 *
 * The runner renews the task's lock while the unit runs, at RUNNER_RENEWAL_FRACTION of the lock, counted from the last
 * renewal (src/activities/runner-lock.ts), for an activity and a local unit alike. What is particular to a local
 * unit is the gap when its worker dies: the unit lives in the workflow task, so another worker takes it over
 * only after the workflow task time-out (T), runs the unit again, and renews from the start of that attempt. In
 * the worst case the dead worker had just renewed, so the lock (L) must last T + L × RUNNER_RENEWAL_FRACTION:
 *
 *     L > T / (1 − RUNNER_RENEWAL_FRACTION)           with T = 4 s and a fraction of 0.5: L > 8 s
 *
 * The minimum of 20 s leaves 12 s beyond that for a worker that picks the workflow task up late (a busy worker,
 * a backlog on the task queue) and for a renewal that fails once and is tried again. A shorter time-out would
 * allow shorter locks but fails workflow tasks that are merely slow (a large history to replay on a cold
 * worker); the SDK's default of 10 s would need locks of over 20 s plus the margin.
 */

/** The workflow task time-out of a task whose unit runs as a local activity. */
export const LOCAL_WORKFLOW_TASK_TIMEOUT_MS = 4_000;

/** When the runner renews the lock, as a share of its duration (src/activities/runner-lock.ts uses it). */
export const RUNNER_RENEWAL_FRACTION = 0.5;

/** The shortest lock a topic with `execution: local` may have. */
export const MIN_LOCAL_LOCK_DURATION_MS = 20_000;

/** Why a local topic's lock must be at least MIN_LOCAL_LOCK_DURATION_MS, for the error that rejects a shorter one. */
export function minLocalLockReason(): string {
  const seconds = (ms: number) => `${ms / 1000} s`;
  const floor = LOCAL_WORKFLOW_TASK_TIMEOUT_MS / (1 - RUNNER_RENEWAL_FRACTION);
  return (
    `must be at least ${MIN_LOCAL_LOCK_DURATION_MS} with execution 'local': when a worker dies while a local unit ` +
    `runs, another takes its workflow task over only after ${seconds(LOCAL_WORKFLOW_TASK_TIMEOUT_MS)} and renews ` +
    `the lock at ${RUNNER_RENEWAL_FRACTION * 100} % of it, so the lock must outlast ${seconds(floor)} and a margin`
  );
}
