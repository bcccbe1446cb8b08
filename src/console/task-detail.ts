/**
 * What the console's task detail shows, read when the page is asked for: the workflow run as Temporal describes
 * it (status, search attributes, the memo's state), its attempts of the work unit and its engine calls from the
 * history (with each failure's message, type and stack), the work unit's pending attempt, and the external task
 * as the engine has it now (activity, lock, retries, error). Each attempt shows its outbound requests and the
 * lock its runner kept (decoded from the attempt's result or failure details with the client's data converter,
 * so through the payload codec); the workflow's own lock-keeping (keepLock, during back-offs) is counted with
 * the runner's renewals. Each source that does not answer, and a payload that cannot be decoded, is said, not
 * hidden: the page shows what the others gave.
 */
import type { Client } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { temporal } from '@temporalio/proto';
import type {
  AttemptFailureDetails,
  KeepLockResult,
  LockState,
  WorkUnitResult,
} from '../activities/types.ts';
import type { EngineClients } from '../engine/engine-clients.ts';
import { ensureError } from '../errors.ts';
import type { OutboundRequest } from '../work-units/outbound-log.ts';
import type { TaskStateMemo } from '../workflows/task-state.ts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure;
type Payload = temporal.api.common.v1.IPayload;

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
  /** A work unit's attempt: the requests it made (from its result or its failure's details). */
  requests?: OutboundRequest[];
  /** How many more requests the attempt made than it kept. */
  requestsDropped?: number;
  /** A work unit's attempt: the lock as its runner left it, when it renewed it. */
  lock?: { status: string; renewals: number; expiresAt: Date };
  /** A keepLock call: what it did (extended, relocked, lost). */
  keepLock?: string;
  /** Why the activity's result or failure details could not be decoded (e.g. no key for the codec). */
  payloadError?: string;
}

/** The lock renewals of a run: the runners' during attempts, and the workflow's own keepLock calls. */
export interface LockRenewals {
  /** Renewals by the work unit's runner, summed over the attempts that report them. */
  byRunner: number;
  /** The workflow's keepLock calls (during back-offs), as activities or local activities. */
  keepLock: Array<{ at: Date | undefined; status: string; local: boolean }>;
  /** Attempts or calls whose payload could not be decoded: their renewals are not counted. */
  undecoded: number;
}

/** The raw payloads of one activity's end, decoded later (decoding is asynchronous: the codec). */
interface RawPayloads {
  view: ActivityView;
  result?: Payload[] | null | undefined;
  details?: Payload[] | null | undefined;
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
  lockRenewals: LockRenewals;
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

/** What a scan of the history found: the activities, and the payloads still to decode. */
interface Scan {
  activities: ActivityView[];
  localActivities: number;
  raw: RawPayloads[];
  /** keepLock calls run as local activities: when, and their result payloads. */
  localKeepLocks: Array<{ at: Date | undefined; result: Payload[] | null | undefined }>;
}

const textDecoder = new TextDecoder();

/** The activity type of a local activity's marker (core's `data` detail, plain JSON), if it says. */
function localActivityType(
  marker: temporal.api.history.v1.IMarkerRecordedEventAttributes,
): string | undefined {
  if (marker.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(textDecoder.decode(data)) as { activity_type?: unknown };
    return typeof parsed.activity_type === 'string' ? parsed.activity_type : undefined;
  } catch {
    return undefined;
  }
}

function scan(events: readonly HistoryEvent[]): Scan {
  const byScheduled = new Map<string, ActivityView>();
  const raw: RawPayloads[] = [];
  const localKeepLocks: Scan['localKeepLocks'] = [];
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
    const marker = event.markerRecordedEventAttributes;
    if (marker) {
      localActivities++;
      if (localActivityType(marker) === 'keepLock') {
        localKeepLocks.push({ at, result: marker.details?.result?.payloads });
      }
      continue;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    const failed = event.activityTaskFailedEventAttributes;
    const closed =
      (completed && { result: 'completed', attrs: completed }) ||
      (failed && { result: 'failed', attrs: failed }) ||
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
    if (completed?.result?.payloads?.length) raw.push({ view: activity, result: completed.result.payloads });
    const details = failed?.failure?.applicationFailureInfo?.details?.payloads;
    if (details?.length) raw.push({ view: activity, details });
  }
  return { activities: [...byScheduled.values()], localActivities, raw, localKeepLocks };
}

/** The activities of a history, in the order they were scheduled, each with how it ended. */
export function activitiesOf(events: readonly HistoryEvent[]): {
  activities: ActivityView[];
  localActivities: number;
} {
  const { activities, localActivities } = scan(events);
  return { activities, localActivities };
}

function lockView(lock: LockState | undefined): ActivityView['lock'] {
  if (!lock || typeof lock !== 'object' || typeof lock.expiresAtMs !== 'number') return undefined;
  return {
    status: String(lock.status),
    renewals: Number(lock.renewals ?? 0),
    expiresAt: new Date(lock.expiresAtMs),
  };
}

/**
 * The activities of a history with what their payloads say, decoded with `converter` (the client's, so through
 * the payload codec): each work-unit attempt's outbound requests and lock, each keepLock's status, and the
 * run's lock renewals. A payload that cannot be decoded leaves `payloadError` on its activity.
 */
export async function decodedActivitiesOf(
  events: readonly HistoryEvent[],
  converter: LoadedDataConverter,
): Promise<{ activities: ActivityView[]; localActivities: number; lockRenewals: LockRenewals }> {
  const { activities, localActivities, raw, localKeepLocks } = scan(events);
  const lockRenewals: LockRenewals = { byRunner: 0, keepLock: [], undecoded: 0 };
  for (const { view, result, details } of raw) {
    if (view.type !== 'runWorkUnit' && view.type !== 'keepLock') continue;
    let decoded: unknown;
    try {
      decoded = await decodeFromPayloadsAtIndex(converter, 0, result ?? details);
    } catch (error) {
      view.payloadError = ensureError(error).message;
      lockRenewals.undecoded++;
      continue;
    }
    if (!decoded || typeof decoded !== 'object') continue;
    if (view.type === 'keepLock') {
      view.keepLock = String((decoded as KeepLockResult).status);
      lockRenewals.keepLock.push({
        at: view.closedAt ?? view.scheduledAt,
        status: view.keepLock,
        local: false,
      });
      continue;
    }
    const found = decoded as WorkUnitResult | AttemptFailureDetails;
    if (Array.isArray(found.requests)) view.requests = found.requests;
    if (typeof found.requestsDropped === 'number') view.requestsDropped = found.requestsDropped;
    const lock = lockView(found.lock);
    if (lock) {
      view.lock = lock;
      lockRenewals.byRunner += lock.renewals;
    }
  }
  for (const call of localKeepLocks) {
    let status = 'unknown';
    try {
      const decoded = call.result?.length
        ? await decodeFromPayloadsAtIndex<KeepLockResult | undefined>(converter, 0, call.result)
        : undefined;
      // A local activity that failed records no result: it went on as a normal activity (counted there).
      if (decoded === undefined || decoded === null) continue;
      status = String(decoded.status);
    } catch {
      lockRenewals.undecoded++;
      status = 'not decoded';
    }
    lockRenewals.keepLock.push({ at: call.at, status, local: true });
  }
  lockRenewals.keepLock.sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
  return { activities, localActivities, lockRenewals };
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
  let history: { activities: ActivityView[]; localActivities: number; lockRenewals: LockRenewals } = {
    activities: [],
    localActivities: 0,
    lockRenewals: { byRunner: 0, keepLock: [], undecoded: 0 },
  };
  let historyError: string | undefined;
  try {
    const fetched = await temporal.workflow.getHandle(workflowId, described.runId).fetchHistory();
    history = await decodedActivitiesOf(fetched.events ?? [], temporal.options.loadedDataConverter);
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
