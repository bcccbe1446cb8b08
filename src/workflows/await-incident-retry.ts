/**
 * The wait on an incident over a refused completion: until an operator retries it. The poller's signal (it
 * fetched the task again) ends the wait at once; without it, a look at the task now and then (1 min, 2 min, …
 * 1 h apart) finds its retries set, or the task gone.
 *
 * Deterministic code only (part of the external-task workflow).
 */
import { condition } from '@temporalio/workflow';
import type { ExternalTaskResult, ResumeState } from './external-task-input.ts';
import { continueAsNewIfLong, type TaskRun } from './task-run.ts';

/** While an incident over a refused completion is open, the task is looked at after 1 min, 2 min, … 1 h. */
const INCIDENT_PROBE_FIRST_MS = 60_000;
const INCIDENT_PROBE_MAX_MS = 60 * 60_000;

/**
 * Waits, with an incident open, until it is retried: the poller's signal (it fetched the task again), or a
 * look at the task (1 min, 2 min, … 1 h apart) that finds its retries set. Returns a result when the task is
 * gone meanwhile, else undefined (try again).
 */
export async function awaitIncidentRetry(
  run: TaskRun,
  resume: ResumeState,
): Promise<ExternalTaskResult | undefined> {
  const { input, lock, engine, view } = run;
  let probeMs = INCIDENT_PROBE_FIRST_MS;
  for (;;) {
    await continueAsNewIfLong(run, resume);
    if (await condition(() => lock.fetchedAgain !== undefined, probeMs)) {
      lock.fetchedAgain = undefined;
      return undefined;
    }
    probeMs = Math.min(probeMs * 2, INCIDENT_PROBE_MAX_MS);
    // A normal activity: rare (at most hourly after the first looks), and shown in the history as such.
    const seen = await engine.call('looking at the task', () =>
      engine.remote.inspectTask({ engine: input.engine, taskId: input.task.id }),
    );
    if (!seen.ok) {
      if (seen.kind === 'unknown-engine') return view.end('abandoned', { reason: seen.message });
      continue;
    }
    if (!seen.value.exists) {
      return view.end('abandoned', {
        reason: 'the task is gone while its incident was open (the instance was deleted, cancelled or moved)',
      });
    }
    // Retries set: the incident was retried, and no poller has told us (it is offered, or about to be).
    if (seen.value.retries !== null && seen.value.retries > 0) return undefined;
  }
}
