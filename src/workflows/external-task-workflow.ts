/**
 * The external-task workflow: one run per Camunda external task.
 *
 * 1. It runs the topic's work unit, one attempt at a time (an activity on the work-unit task queue or, for a topic
 *    with `execution: local`, a local activity), under the topic's retry policy. The runner keeps the engine's
 *    lock while an attempt runs, so a unit that runs for days adds nothing to this history; between attempts the
 *    workflow extends the lock once over the whole back-off. The workflow drives the retries itself, so that each
 *    wait is visible: `BptlState` says `unit-running` or `unit-retrying`, the memo and the current details why.
 * 2. If the task is gone (404) or another worker holds it, the attempt stops and the workflow ends `abandoned`,
 *    without calling the engine.
 * 3. Otherwise it tells the engine exactly one of: complete (the unit's variables), failure (attempts exhausted
 *    or a non-retryable error: an incident at retries 0, with the unit's stack and cause chain), or bpmnError.
 *    Engine calls run as local activities; one that keeps failing transiently becomes a normal activity, visible
 *    in the UI as a pending activity with its attempts and last failure (`engine-call-failing`). A completion
 *    that the engine refuses deterministically (its next synchronous step fails) is tried a few times, then
 *    raised as an incident with the engine's message; the output is kept, and when the incident is retried the
 *    task is completed with it: the work unit never runs twice (`completion-refused`).
 * 4. After a completion, when the task has a `callbackUrl` variable, that URL is POSTed to (retried).
 *
 * Long waits continue as new before the history grows long (see HISTORY_EVENTS_LIMIT).
 * Deterministic code only: no Node built-ins, no I/O; activities are imported as types.
 *
 * The parts, by role: task-run.ts (what they share, continue-as-new), task-view.ts (the state an operator
 * sees), engine-calls.ts (local first, then a normal activity), task-lock.ts (the lock and the poller's signal),
 * run-unit.ts (the attempts), deliver.ts and await-incident-retry.ts (the result), report-failure.ts.
 */
import { deliver } from './deliver.ts';
import type { ExternalTaskInput, ExternalTaskResult } from './external-task-input.ts';
import { reportUnitFailure } from './report-failure.ts';
import { runUnit } from './run-unit.ts';
import { startTaskRun } from './task-run.ts';

export { HISTORY_EVENTS_LIMIT } from './task-run.ts';

export async function externalTask(input: ExternalTaskInput): Promise<ExternalTaskResult> {
  const run = startTaskRun(input);
  const resume = input.resume;
  if (resume?.phase === 'refused') return deliver(run, resume.result, resume.refusal);

  const outcome = await runUnit(run, resume?.phase === 'retry' ? resume.attempt : 1);
  if (outcome.kind === 'lost') return run.view.end('abandoned', { reason: outcome.reason });
  if (outcome.kind === 'failed') return reportUnitFailure(run, outcome);
  return deliver(run, outcome.result);
}
