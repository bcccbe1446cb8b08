/**
 * What the console's task detail shows, read when the page is asked for: the workflow run as Temporal describes
 * it (status, search attributes, the memo's state), its attempts of the work unit and its engine calls from the
 * history (with each failure's message, type and stack), the work unit's pending attempt, and the external task
 * as the engine has it now (activity, lock, retries, error). Each source that does not answer is said, not
 * hidden: the page shows what the others gave.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { EngineClients } from '../engine/engine-clients.ts';
import { ensureError } from '../errors.ts';
import type { TaskStateMemo } from '../workflows/task-state.ts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure;

export interface FailureView {
  type: string | undefined;
  message: string;
  stack: string | undefined;
  /** The causes, outermost first. */
  causes: Array<{ type: string | undefined; message: string }>;
}

/** One activity of the run (an attempt of the work unit, an engine call, a callback). */
export interface ActivityView {
  activityId: string;
  type: string;
  scheduledAt: Date | undefined;
  closedAt: Date | undefined;
  /** completed, failed, timed-out, canceled, or running. */
  result: string;
  failure: FailureView | undefined;
}

export interface TaskDetail {
  workflowId: string;
  runId: string;
  status: string;
  startTime: Date;
  closeTime: Date | undefined;
  attributes: Record<string, string>;
  state: TaskStateMemo | undefined;
  activities: ActivityView[];
  /** Engine calls made as local activities (recorded as markers; their names are in the workflow's code). */
  localActivities: number;
  pending: Array<{ type: string; attempt: number; state: string; lastFailure: FailureView | undefined }>;
  /** The external task in the engine now: its fields, `gone` (404: completed or deleted), or why it cannot be read. */
  engineTask: { task: Record<string, unknown> } | { gone: true } | { error: string } | undefined;
  historyError: string | undefined;
}

const time = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): Date | undefined => {
  if (!t) return undefined;
  const seconds = Number(t.seconds ?? 0);
  return new Date(seconds * 1000 + Math.floor((t.nanos ?? 0) / 1e6));
};

export function failureView(failure: Failure | null | undefined): FailureView | undefined {
  if (!failure) return undefined;
  const causes: FailureView['causes'] = [];
  for (let c = failure.cause; c; c = c.cause) {
    causes.push({ type: c.applicationFailureInfo?.type ?? undefined, message: c.message ?? '' });
  }
  return {
    type: failure.applicationFailureInfo?.type ?? undefined,
    message: failure.message ?? '',
    stack: failure.stackTrace || undefined,
    causes,
  };
}

/** The activities of a history, in the order they were scheduled, each with how it ended. */
export function activitiesOf(events: readonly HistoryEvent[]): {
  activities: ActivityView[];
  localActivities: number;
} {
  const byScheduled = new Map<string, ActivityView>();
  let localActivities = 0;
  for (const event of events) {
    const id = String(event.eventId ?? '');
    const at = time(event.eventTime);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      byScheduled.set(id, {
        activityId: scheduled.activityId ?? '',
        type: scheduled.activityType?.name ?? '',
        scheduledAt: at,
        closedAt: undefined,
        result: 'running',
        failure: undefined,
      });
      continue;
    }
    if (event.markerRecordedEventAttributes) {
      localActivities++;
      continue;
    }
    const closed =
      (event.activityTaskCompletedEventAttributes && {
        result: 'completed',
        attrs: event.activityTaskCompletedEventAttributes,
      }) ||
      (event.activityTaskFailedEventAttributes && {
        result: 'failed',
        attrs: event.activityTaskFailedEventAttributes,
      }) ||
      (event.activityTaskTimedOutEventAttributes && {
        result: 'timed-out',
        attrs: event.activityTaskTimedOutEventAttributes,
      }) ||
      (event.activityTaskCanceledEventAttributes && {
        result: 'canceled',
        attrs: event.activityTaskCanceledEventAttributes,
      });
    if (!closed) continue;
    const activity = byScheduled.get(String(closed.attrs.scheduledEventId ?? ''));
    if (!activity) continue;
    activity.result = closed.result;
    activity.closedAt = at;
    if ('failure' in closed.attrs) activity.failure = failureView(closed.attrs.failure);
  }
  return { activities: [...byScheduled.values()], localActivities };
}

/** The external task id of a BPTL workflow id (`camunda/<engine>/<taskId>`). */
export function externalTaskIdOf(workflowId: string): string | undefined {
  const match = /^camunda\/[^/]+\/(.+)$/.exec(workflowId);
  return match?.[1];
}

export async function loadTaskDetail(
  temporal: Client,
  engines: EngineClients | undefined,
  workflowId: string,
  runId: string | undefined,
): Promise<TaskDetail> {
  const handle = temporal.workflow.getHandle(workflowId, runId);
  const described = await handle.describe();
  const attributes: Record<string, string> = {};
  for (const pair of described.typedSearchAttributes.getAll()) {
    if (pair.key.name.startsWith('Bptl')) attributes[pair.key.name] = String(pair.value);
  }
  let history: { activities: ActivityView[]; localActivities: number } = {
    activities: [],
    localActivities: 0,
  };
  let historyError: string | undefined;
  try {
    const fetched = await temporal.workflow.getHandle(workflowId, described.runId).fetchHistory();
    history = activitiesOf(fetched.events ?? []);
  } catch (error) {
    historyError = ensureError(error).message;
  }
  const pending = (described.raw.pendingActivities ?? []).map((p) => ({
    type: p.activityType?.name ?? '',
    attempt: p.attempt ?? 0,
    state: String(p.state ?? ''),
    lastFailure: failureView(p.lastFailure),
  }));
  let engineTask: TaskDetail['engineTask'];
  const taskId = externalTaskIdOf(workflowId);
  const engine = attributes.BptlEngine ? engines?.get(attributes.BptlEngine) : undefined;
  if (taskId && engine) {
    try {
      engineTask = { task: await engine.getTask(taskId) };
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      engineTask = status === 404 ? { gone: true } : { error: ensureError(error).message };
    }
  } else if (taskId && attributes.BptlEngine) {
    engineTask = { error: `engine '${attributes.BptlEngine}' is not configured in this API` };
  }
  return {
    workflowId,
    runId: described.runId,
    status: described.status.name,
    startTime: described.startTime,
    closeTime: described.closeTime,
    attributes,
    state: (described.memo as { state?: TaskStateMemo } | undefined)?.state,
    ...history,
    pending,
    engineTask,
    historyError,
  };
}
