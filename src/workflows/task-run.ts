/**
 * One run of the external-task workflow, as its parts share it: the input, what the operator sees (TaskView),
 * the engine calls (EngineCalls) and the task's lock (TaskLock). Built once at the workflow's start, before its
 * first command, so that the poller's signal is heard from the start.
 *
 * Deterministic code only (part of the external-task workflow).
 */
import { continueAsNew, log, workflowInfo } from '@temporalio/workflow';
import { EngineCalls } from './engine-calls.ts';
import type { ExternalTaskInput, ResumeState } from './external-task-input.ts';
import type { externalTask } from './external-task-workflow.ts';
import { TaskLock } from './task-lock.ts';
import { TaskView } from './task-view.ts';

/**
 * A workflow that waits continues as new once its history has this many events: well below Temporal's warning
 * (10,240) and limit (51,200), whatever the wait's length.
 */
export const HISTORY_EVENTS_LIMIT = 4_000;

export interface TaskRun {
  readonly input: ExternalTaskInput;
  readonly view: TaskView;
  readonly engine: EngineCalls;
  readonly lock: TaskLock;
}

/** The parts of a run of the workflow with this input. */
export function startTaskRun(input: ExternalTaskInput): TaskRun {
  const view = new TaskView();
  const engine = new EngineCalls(view);
  return { input, view, engine, lock: new TaskLock(input, engine) };
}

/** Continues as new when the history has grown long during a wait; returns when it need not. */
export async function continueAsNewIfLong(run: TaskRun, resume: ResumeState): Promise<void> {
  const info = workflowInfo();
  if (!info.continueAsNewSuggested && info.historyLength < HISTORY_EVENTS_LIMIT) return;
  log.info('continuing as new: the history grew long while the task waits', {
    taskId: run.input.task.id,
    events: info.historyLength,
    phase: resume.phase,
  });
  await continueAsNew<typeof externalTask>({
    ...run.input,
    workerId: run.lock.workerId,
    lockedAtMs: run.lock.expiresAtMs - run.input.topic.lockDurationMs,
    resume,
  });
}

/** The line that names the workflow run in an incident's details. */
export function workflowLine(): string {
  return `workflow: ${workflowInfo().workflowId} (run ${workflowInfo().runId})`;
}
