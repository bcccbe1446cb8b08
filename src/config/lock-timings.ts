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
 *
 * A workflow task that times out loses the results of the local activities it ran, and the next attempt runs
 * them again: the unit, and the completion. That is what a task with large variables met on a saturated worker
 * (docs/benchmarks.md, 1 MiB per task: 68 of 200 tasks completed twice, the second complete answered 404), since
 * decoding, copying and encoding a megabyte takes seconds when 64 such tasks share two cores. So the time-out
 * grows with the size of the task's input, by LOCAL_WORKFLOW_TASK_TIMEOUT_MS_PER_MIB, as far as the lock allows:
 * the same derivation read the other way, T ≤ (L − margin) × (1 − fraction), which is 4 s for the 20 s minimum and
 * 24 s for the default 60 s lock. A small task keeps 4 s, so a dead worker's task is taken over as fast as before.
 */

/** The workflow task time-out of a task whose unit runs as a local activity. */
export const LOCAL_WORKFLOW_TASK_TIMEOUT_MS = 4_000;

/** How much longer a local task's workflow task may take per MiB of its variables (as JSON, about). */
export const LOCAL_WORKFLOW_TASK_TIMEOUT_MS_PER_MIB = 10_000;

/** The longest workflow task time-out Temporal accepts (the server caps it at two minutes). */
const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;

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

/** The margin that the minimum lock keeps beyond the derivation's floor (12 s). */
const LOCAL_LOCK_MARGIN_MS =
  MIN_LOCAL_LOCK_DURATION_MS - LOCAL_WORKFLOW_TASK_TIMEOUT_MS / (1 - RUNNER_RENEWAL_FRACTION);

/**
 * The workflow task time-out of a local task with this lock and an input of about this many bytes: 4 s, plus
 * LOCAL_WORKFLOW_TASK_TIMEOUT_MS_PER_MIB per MiB of input, at most what the lock allows ((L − 12 s) × 0.5) and
 * never below 4 s.
 */
export function localWorkflowTaskTimeoutMs(lockDurationMs: number, inputBytes: number): number {
  const wanted =
    LOCAL_WORKFLOW_TASK_TIMEOUT_MS + (inputBytes / 2 ** 20) * LOCAL_WORKFLOW_TASK_TIMEOUT_MS_PER_MIB;
  const allowed = (lockDurationMs - LOCAL_LOCK_MARGIN_MS) * (1 - RUNNER_RENEWAL_FRACTION);
  const ms = Math.min(wanted, allowed, MAX_WORKFLOW_TASK_TIMEOUT_MS);
  // Whole seconds: what the history shows (and a time-out is no more precise than that).
  return Math.max(LOCAL_WORKFLOW_TASK_TIMEOUT_MS, Math.floor(ms / 1000) * 1000);
}
