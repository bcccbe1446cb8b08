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
 */
import {
  type ActivityOptions,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  type LocalActivityOptions,
  log,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  TemporalFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EngineActivities, LockState, WorkUnitActivities, WorkUnitResult } from '../activities/types.ts';
import { FailureTypes } from '../activities/types.ts';
import {
  DEFAULT_REFUSED_COMPLETION_ATTEMPTS,
  type ExternalTaskInput,
  type ExternalTaskOutcome,
  type ExternalTaskResult,
  type ResumeState,
} from './external-task-input.ts';
import {
  attemptDetails,
  backoffMs,
  describeFailure,
  engineAnswer,
  failureMessage,
  failureType,
  isNonRetryable,
  requestedRetryDelayMs,
  rootCause,
} from './failures.ts';
import { BptlOutcome, BptlState } from './search-attributes.ts';
import {
  type TaskFetchedAgain,
  type TaskState,
  type TaskStateMemo,
  TaskStates,
  taskFetchedAgainSignal,
} from './task-state.ts';

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

/** A work unit that no worker has is looked for this many more times (1 s, 2 s, … 30 s apart: about a minute), then an incident. */
const UNKNOWN_WORK_UNIT_TRIES = 6;

/** While an incident over a refused completion is open, the task is looked at after 1 min, 2 min, … 1 h. */
const INCIDENT_PROBE_FIRST_MS = 60_000;
const INCIDENT_PROBE_MAX_MS = 60 * 60_000;

/**
 * A workflow that waits continues as new once its history has this many events: well below Temporal's warning
 * (10,240) and limit (51,200), whatever the wait's length.
 */
export const HISTORY_EVENTS_LIMIT = 4_000;

type Final = {
  ok: false;
  kind: 'gone' | 'lost' | 'rejected' | 'refused' | 'unknown-engine';
  message: string;
  error: Error;
};
type CallOutcome<T> = { ok: true; value: T } | Final;

const FINAL_KIND: Record<string, Final['kind']> = {
  [FailureTypes.TaskGone]: 'gone',
  [FailureTypes.TaskLost]: 'lost',
  [FailureTypes.EngineRejected]: 'rejected',
  [FailureTypes.EngineRefused]: 'refused',
  [FailureTypes.UnknownEngine]: 'unknown-engine',
};

/** The final kind of an engine call's failure, or undefined when it was transient (or a time-out). */
function finalOf(error: unknown): Final | undefined {
  const type = failureType(error);
  const kind = type ? FINAL_KIND[type] : undefined;
  if (!kind) return undefined;
  // An unknown engine is final only once its limit is reached (the activity then says non-retryable).
  if (kind === 'unknown-engine' && !isNonRetryable(error)) return undefined;
  return { ok: false, kind, message: rootCause(error).message, error: rootCause(error) };
}

type UnitOutcome =
  | { kind: 'result'; result: WorkUnitResult }
  | { kind: 'failed'; error: TemporalFailure; attempt: number; message?: string }
  | { kind: 'lost'; reason: string };

export async function externalTask(input: ExternalTaskInput): Promise<ExternalTaskResult> {
  const { task, topic, engine } = input;
  let workerId = input.workerId;
  let lockExpiresAtMs = (input.lockedAtMs ?? workflowInfo().startTime.getTime()) + topic.lockDurationMs;
  let fetchedAgain: TaskFetchedAgain | undefined;
  setHandler(taskFetchedAgainSignal, (fetched) => {
    // The poller locked the task again (an operator retried its incident): calls go out under its worker id.
    workerId = fetched.workerId;
    lockExpiresAtMs = fetched.lockedAtMs + topic.lockDurationMs;
    fetchedAgain = fetched;
  });

  const localEngine = proxyLocalActivities<EngineActivities>(ENGINE_CALL_LOCAL);
  const remoteEngine = proxyActivities<EngineActivities>(ENGINE_CALL_REMOTE);
  const callbacks = proxyActivities<EngineActivities>(CALLBACK_ACTIVITY_OPTIONS);
  // One attempt per activity: the workflow runs the retry policy itself, so that it knows (and shows) each wait.
  const workUnits =
    topic.execution === 'local'
      ? proxyLocalActivities<WorkUnitActivities>({
          startToCloseTimeout: topic.startToCloseTimeoutMs,
          cancellationType: 'WAIT_CANCELLATION_COMPLETED',
          retry: { maximumAttempts: 1 },
        })
      : proxyActivities<WorkUnitActivities>({
          taskQueue: input.workUnitTaskQueue,
          startToCloseTimeout: topic.startToCloseTimeoutMs,
          heartbeatTimeout: topic.heartbeatTimeoutMs,
          cancellationType: 'WAIT_CANCELLATION_COMPLETED',
          retry: { maximumAttempts: 1 },
        });
  const command = () => ({ engine, taskId: task.id, workerId });
  const { variables, ...taskWithoutVariables } = task;

  // ---- visible state -----------------------------------------------------------------------------------
  let state: TaskState =
    (workflowInfo().typedSearchAttributes.get(BptlState) as TaskState | undefined) ?? TaskStates.UnitRunning;
  let stateReason = '';
  let stateShown = workflowInfo().typedSearchAttributes.get(BptlState) !== undefined;
  let memoWritten = false;

  /** Says where the task waits and why: the BptlState search attribute, the memo and the current details. */
  function setState(next: TaskState, reason: string, error?: unknown): void {
    const now = new Date(Date.now()).toISOString();
    const memo: TaskStateMemo = { state: next, reason, since: now };
    if (error !== undefined) {
      const cause = rootCause(error);
      memo.lastError = { type: failureType(error) ?? cause.name, message: cause.message, at: now };
    }
    if (next !== state || !stateShown) upsertSearchAttributes([{ key: BptlState, value: next }]);
    upsertMemo({ state: memo });
    setCurrentDetails(`**${next}** since ${now}\n\n${reason}`);
    state = next;
    stateReason = reason;
    stateShown = true;
    memoWritten = true;
  }

  function noteLock(lock: LockState | undefined): void {
    if (!lock) return;
    lockExpiresAtMs = lock.expiresAtMs;
    upsertMemo({ lock: { status: lock.status, expiresAt: new Date(lock.expiresAtMs).toISOString() } });
  }

  function end(
    outcome: ExternalTaskOutcome,
    extra: Omit<ExternalTaskResult, 'outcome'> = {},
  ): ExternalTaskResult {
    upsertSearchAttributes([
      { key: BptlOutcome, value: outcome },
      { key: BptlState, value: TaskStates.Closed },
    ]);
    if (memoWritten) {
      const memo: TaskStateMemo = {
        state: TaskStates.Closed,
        reason: extra.reason ? `${outcome}: ${extra.reason}` : outcome,
        since: new Date(Date.now()).toISOString(),
      };
      upsertMemo({ state: memo });
    }
    setCurrentDetails(`**closed**: ${outcome}${extra.reason ? `\n\n${extra.reason}` : ''}`);
    return { outcome, ...extra };
  }

  /** Continues as new when the history has grown long during a wait; returns when it need not. */
  async function continueAsNewIfLong(resume: ResumeState): Promise<void> {
    const info = workflowInfo();
    if (!info.continueAsNewSuggested && info.historyLength < HISTORY_EVENTS_LIMIT) return;
    log.info('continuing as new: the history grew long while the task waits', {
      taskId: task.id,
      events: info.historyLength,
      phase: resume.phase,
    });
    await continueAsNew<typeof externalTask>({
      ...input,
      workerId,
      lockedAtMs: lockExpiresAtMs - topic.lockDurationMs,
      resume,
    });
  }

  // ---- engine calls --------------------------------------------------------------------------------------
  /**
   * Calls the engine: locally first; a call that still fails transiently goes on as a normal activity, and the
   * task's state says so until it lands. Returns the value, or the final failure for the caller to act on.
   */
  async function callEngine<T>(
    what: string,
    call: (activities: EngineActivities) => Promise<T>,
  ): Promise<CallOutcome<T>> {
    let first: unknown;
    try {
      return { ok: true, value: await call(localEngine) };
    } catch (error) {
      if (isCancellation(error)) throw error;
      const final = finalOf(error);
      if (final) return final;
      first = error;
    }
    const before = { state, reason: stateReason, shown: memoWritten };
    const type = failureType(first);
    const waiting =
      type === FailureTypes.EngineSuspended
        ? TaskStates.InstanceSuspended
        : type === FailureTypes.UnknownEngine
          ? TaskStates.EngineUnknown
          : TaskStates.EngineCallFailing;
    setState(waiting, `${what} keeps failing, retried with back-off: ${rootCause(first).message}`, first);
    try {
      const value = await call(remoteEngine);
      // Back to the state the call was made in (a back-off, a wait on an incident); else the caller moves on.
      if (before.shown && before.state !== waiting) setState(before.state, before.reason);
      return { ok: true, value };
    } catch (error) {
      if (isCancellation(error)) throw error;
      const final = finalOf(error);
      if (final) return final;
      throw error;
    }
  }

  /** Sends a failure to the engine (an incident at retries 0). Returns an `abandoned` result when it cannot. */
  async function sendFailure(
    message: string,
    details: string[],
    retries: number,
    retryTimeoutMs: number,
  ): Promise<ExternalTaskResult | undefined> {
    log.warn('reporting the failure to the engine', { taskId: task.id, error: message });
    const sent = await callEngine('reporting the failure', (a) =>
      a.reportFailure({
        ...command(),
        errorMessage: message,
        errorDetails: details.join('\n'),
        retries,
        retryTimeoutMs,
      }),
    );
    if (sent.ok) return undefined;
    if (sent.kind === 'gone') return end('abandoned', { reason: `the task is gone: ${sent.message}` });
    if (sent.kind === 'lost')
      return end('abandoned', { reason: `another worker holds the task: ${sent.message}` });
    return end('abandoned', { reason: `the engine did not take the failure report: ${sent.message}` });
  }

  async function reportFailure(message: string, details: string[]): Promise<ExternalTaskResult> {
    const abandoned = await sendFailure(message, details, topic.camundaRetries, topic.camundaRetryTimeoutMs);
    return abandoned ?? end('failed', { reason: message });
  }

  const workflowLine = () => `workflow: ${workflowInfo().workflowId} (run ${workflowInfo().runId})`;

  // ---- the work unit -------------------------------------------------------------------------------------
  /**
   * Waits `delayMs` before the next attempt, keeping the lock: extended once over the whole wait (plus one lock
   * duration), so the back-off costs one renewal. Returns why the task was lost, if it was.
   */
  async function waitKeepingLock(delayMs: number): Promise<string | undefined> {
    const lockDurationMs = delayMs + topic.lockDurationMs;
    if (Date.now() + delayMs > lockExpiresAtMs - topic.lockDurationMs / 2) {
      const kept = await callEngine('keeping the lock during the back-off', (a) =>
        CancellationScope.nonCancellable(() => a.keepLock({ ...command(), lockDurationMs })),
      );
      if (!kept.ok) {
        if (kept.kind === 'gone') return `the task is gone: ${kept.message}`;
        if (kept.kind === 'lost') return `another worker holds the task: ${kept.message}`;
        log.warn('cannot keep the lock during the back-off', { taskId: task.id, error: kept.message });
      } else if (kept.value.status === 'lost') {
        return kept.value.reason;
      } else {
        noteLock({ status: kept.value.status, expiresAtMs: Date.now() + lockDurationMs, renewals: 1 });
      }
    }
    await sleep(delayMs);
    return undefined;
  }

  async function runUnit(firstAttempt: number): Promise<UnitOutcome> {
    const max = topic.retry.maximumAttempts;
    let attempt = firstAttempt;
    let unknownUnitTries = 0;
    for (;;) {
      if (state !== TaskStates.UnitRunning || !stateShown || attempt > 1) {
        setState(
          TaskStates.UnitRunning,
          `the work unit '${topic.workUnit}' runs: attempt ${attempt} of ${max}`,
        );
      }
      try {
        const result = await workUnits.runWorkUnit({
          workUnit: topic.workUnit,
          engine,
          attempt,
          lock: { workerId, lockDurationMs: topic.lockDurationMs, expiresAtMs: lockExpiresAtMs },
          task: taskWithoutVariables,
          variables,
          ...(topic.services && Object.keys(topic.services).length > 0 ? { services: topic.services } : {}),
        });
        noteLock(result.lock);
        return { kind: 'result', result };
      } catch (error) {
        if (isCancellation(error) || !(error instanceof TemporalFailure)) throw error;
        noteLock(attemptDetails(error).lock);
        const type = failureType(error);
        const message = rootCause(error).message;
        if (type === FailureTypes.TaskGone) return { kind: 'lost', reason: `the task is gone: ${message}` };
        if (type === FailureTypes.TaskLost) return { kind: 'lost', reason: message };
        let delayMs: number;
        let next: string;
        if (type === FailureTypes.UnknownWorkUnit) {
          // A worker of another version took the attempt: look for one that has the unit, a while.
          unknownUnitTries++;
          if (unknownUnitTries > UNKNOWN_WORK_UNIT_TRIES) {
            return {
              kind: 'failed',
              error,
              attempt,
              message: `no worker has the work unit '${topic.workUnit}' (looked ${unknownUnitTries} times): deploy a worker that has it, then retry this incident`,
            };
          }
          delayMs = Math.min(1_000 * 2 ** (unknownUnitTries - 1), 30_000);
          next = `looking for a worker that has it again in ${Math.round(delayMs / 1000)} s`;
        } else {
          if (isNonRetryable(error) || attempt >= max) return { kind: 'failed', error, attempt };
          delayMs = requestedRetryDelayMs(error) ?? backoffMs(topic.retry, attempt);
          next = `attempt ${attempt + 1} of ${max} in ${Math.round(delayMs / 1000)} s`;
          attempt++;
        }
        setState(TaskStates.UnitRetrying, `attempt failed: ${message}; ${next}`, error);
        const lost = await waitKeepingLock(delayMs);
        if (lost) return { kind: 'lost', reason: lost };
        await continueAsNewIfLong({ phase: 'retry', attempt });
      }
    }
  }

  // ---- delivering the result -----------------------------------------------------------------------------
  /**
   * Waits, with an incident open, until it is retried: the poller's signal (it fetched the task again), or a
   * look at the task (1 min, 2 min, … 1 h apart) that finds its retries set. Returns a result when the task is
   * gone meanwhile, else undefined (try again).
   */
  async function awaitIncidentRetry(resume: ResumeState): Promise<ExternalTaskResult | undefined> {
    let probeMs = INCIDENT_PROBE_FIRST_MS;
    for (;;) {
      await continueAsNewIfLong(resume);
      if (await condition(() => fetchedAgain !== undefined, probeMs)) {
        fetchedAgain = undefined;
        return undefined;
      }
      probeMs = Math.min(probeMs * 2, INCIDENT_PROBE_MAX_MS);
      // A normal activity: rare (at most hourly after the first looks), and shown in the history as such.
      const seen = await callEngine('looking at the task', () =>
        remoteEngine.inspectTask({ engine, taskId: task.id }),
      );
      if (!seen.ok) {
        if (seen.kind === 'unknown-engine') return end('abandoned', { reason: seen.message });
        continue;
      }
      if (!seen.value.exists) {
        return end('abandoned', {
          reason:
            'the task is gone while its incident was open (the instance was deleted, cancelled or moved)',
        });
      }
      // Retries set: the incident was retried, and no poller has told us (it is offered, or about to be).
      if (seen.value.retries !== null && seen.value.retries > 0) return undefined;
    }
  }

  async function deliver(result: WorkUnitResult, resumed?: string): Promise<ExternalTaskResult> {
    const isBpmn = result.outcome === 'bpmn-error';
    const what = isBpmn ? 'the BPMN error' : 'the completion';
    const names = Object.keys(result.variables);
    const call = (a: EngineActivities) =>
      result.outcome === 'bpmn-error'
        ? a.throwBpmnError({
            ...command(),
            errorCode: result.errorCode,
            errorMessage: result.errorMessage,
            variables: result.variables,
          })
        : a.completeTask({
            ...command(),
            variables: result.variables,
            ...(result.localVariables ? { localVariables: result.localVariables } : {}),
          });
    const attempts = topic.refusedCompletionAttempts ?? DEFAULT_REFUSED_COMPLETION_ATTEMPTS;
    let refusals = 0;
    let refusal = resumed;
    for (;;) {
      if (refusal === undefined) {
        const sent = await callEngine(what, call);
        if (sent.ok) break;
        if (sent.kind === 'gone' && !isBpmn) {
          // An earlier try may have landed with its answer lost (the engine did not answer in time, then the
          // retry found the task gone): then the engine's history has our success log. A rare path: one read.
          const landed = await callEngine("reading the task's history", (a) =>
            a.completedBy({ engine, taskId: task.id, workerId }),
          );
          if (landed.ok && landed.value) {
            log.info('the task was completed by an earlier try whose answer was lost', { taskId: task.id });
            break;
          }
        }
        if (sent.kind === 'gone') return end('abandoned', { reason: `the task is gone: ${sent.message}` });
        if (sent.kind === 'lost')
          return end('abandoned', { reason: `another worker holds the task: ${sent.message}` });
        if (sent.kind === 'unknown-engine') return end('abandoned', { reason: sent.message });
        if (sent.kind === 'rejected') {
          // A 4xx: the output itself does not fit (a value the engine cannot convert): an incident.
          return reportFailure(`the engine refused the work unit's output: ${sent.message}`, [
            `work unit: ${topic.workUnit}`,
            `variables: ${names.join(', ')}`,
            workflowLine(),
            '',
            describeFailure(sent.error),
          ]);
        }
        // Refused: the engine's next synchronous step failed. Try a few times; then an incident.
        refusals++;
        if (refusals < attempts) {
          await sleep(1_000 * 2 ** (refusals - 1));
          continue;
        }
        refusal = `${isBpmn ? 'BPMN error' : 'completion'} refused by the engine: ${sent.message}`;
        const abandoned = await sendFailure(
          refusal,
          [
            `work unit: ${topic.workUnit} (it ran; its ${isBpmn ? 'BPMN error is' : 'output is'} kept)`,
            `${isBpmn ? `BPMN error: ${result.outcome === 'bpmn-error' ? result.errorCode : ''}; ` : ''}variables: ${names.length > 0 ? names.join(', ') : '(none)'}`,
            `tried: ${refusals} times; the engine answered ${engineAnswer(sent.error)}`,
            'what to do: fix the cause the message names, then retry this incident: BPTL then completes the task with the kept output, the work unit does not run again.',
            workflowLine(),
            '',
            describeFailure(sent.error),
          ],
          0,
          0,
        );
        if (abandoned) return abandoned;
      }
      setState(
        isBpmn ? TaskStates.BpmnErrorRefused : TaskStates.CompletionRefused,
        `${refusal} — an incident is open; once the cause is fixed, retry it in Cockpit: the task is then completed with the kept ${isBpmn ? 'BPMN error' : 'output'} (${names.join(', ') || 'no variables'}), without running the work unit again`,
      );
      const gone = await awaitIncidentRetry({ phase: 'refused', result, refusal });
      if (gone) return gone;
      refusal = undefined;
      refusals = 0;
    }

    if (result.outcome === 'bpmn-error') {
      return end('bpmn-error', { reason: `${result.errorCode}: ${result.errorMessage}` });
    }
    const callbackUrl = task.variables.callbackUrl;
    if (callbackUrl?.type === 'String' && typeof callbackUrl.value === 'string' && callbackUrl.value !== '') {
      try {
        await callbacks.postCallback({
          url: callbackUrl.value,
          body: {
            externalTaskId: task.id,
            topic: task.topicName,
            processInstanceId: task.processInstanceId ?? null,
            businessKey: task.businessKey ?? null,
            outcome: 'completed',
            variables: result.variables,
          },
        });
      } catch (error) {
        log.error('the callback failed; the task is completed all the same', {
          error: rootCause(error).message,
        });
        return end('completed', { variables: names, callback: 'failed' });
      }
      return end('completed', { variables: names, callback: 'sent' });
    }
    return end('completed', { variables: names });
  }

  // ---- the task's way ------------------------------------------------------------------------------------
  const resume = input.resume;
  if (resume?.phase === 'refused') return deliver(resume.result, resume.refusal);

  const outcome = await runUnit(resume?.phase === 'retry' ? resume.attempt : 1);
  if (outcome.kind === 'lost') return end('abandoned', { reason: outcome.reason });
  if (outcome.kind === 'failed') {
    const cause = rootCause(outcome.error);
    return reportFailure(outcome.message ?? failureMessage(outcome.error, topic, outcome.attempt), [
      `work unit: ${topic.workUnit}`,
      `failure type: ${failureType(outcome.error) ?? cause.name}`,
      `attempts: ${outcome.attempt} (at most ${topic.retry.maximumAttempts})`,
      workflowLine(),
      '',
      describeFailure(outcome.error),
    ]);
  }
  return deliver(outcome.result);
}
