/**
 * Activities that talk to the engine on a task's behalf: complete, report a failure, throw a BPMN error, keep
 * the lock, read the task, and call a task's callbackUrl. What goes wrong travels as an ApplicationFailure whose
 * type says what it means (FailureTypes, after EngineError's `kind`): the engine did not answer or said "try
 * again" (retried), the instance is suspended (retried), the task is gone or held by another worker (final), the
 * engine rejected the request (4xx, final), or it refused it because its next step failed (5xx, final here: the
 * workflow decides how often to try again before it raises an incident). The workflow reacts to the type only.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Counter } from 'prom-client';
import type { CamundaClient } from '../engine/camunda-client.ts';
import type { EngineClients } from '../engine/engine-clients.ts';
import { EngineError, type EngineErrorKind } from '../engine/engine-error.ts';
import { truncateErrorMessage } from '../engine/error-message.ts';
import { HttpRequestError } from '../http/http-request-error.ts';
import { createOutboundClient } from '../http/outbound-client.ts';
import { OutboundPolicy, OutboundRefusedError, parseOriginPatterns } from '../http/outbound-policy.ts';
import type { BptlMetrics } from '../observability/metrics.ts';
import { keepLock } from './keep-lock.ts';
import { ENGINE_UNKNOWN_LIMIT_MS, type EngineActivities, FailureTypes } from './types.ts';

/** Clients by engine name, as configured. */
export type { EngineClients } from '../engine/engine-clients.ts';

const FAILURE_TYPE_OF_KIND: Record<EngineErrorKind, string> = {
  unavailable: FailureTypes.EngineUnavailable,
  suspended: FailureTypes.EngineSuspended,
  gone: FailureTypes.TaskGone,
  lost: FailureTypes.TaskLost,
  rejected: FailureTypes.EngineRejected,
  refused: FailureTypes.EngineRefused,
};

/** Turns an engine error into the failure the workflow reacts to; anything else is rethrown (and retried). */
export function toEngineFailure(error: unknown): never {
  if (!(error instanceof EngineError)) throw error;
  const kind = error.kind;
  throw ApplicationFailure.create({
    type: FAILURE_TYPE_OF_KIND[kind],
    message: error.message,
    nonRetryable: kind === 'gone' || kind === 'lost' || kind === 'rejected' || kind === 'refused',
    details: [{ status: error.status, engineType: error.engineType, engineCode: error.engineCode }],
    cause: error,
  });
}

/** Counts what the engine took (metrics.ts); a command without its topic counts as topic `unknown`. */
function counter(metrics: BptlMetrics | undefined, pick: (m: BptlMetrics) => Counter<'topic'>) {
  return (command: { topic?: string }) => {
    if (metrics) pick(metrics).inc({ topic: command.topic ?? 'unknown' });
  };
}

/** The setting a topic's own allowed origins come from, as refusals name it. */
export const TOPIC_ALLOWED_ORIGINS_SETTING = "the topic's outbound.allowedOrigins";

/** How long a callback may take. */
export const CALLBACK_TIMEOUT_MS = 20_000;

export function createEngineActivities(
  engines: EngineClients,
  metrics?: BptlMetrics,
  policy: OutboundPolicy = new OutboundPolicy(),
): EngineActivities {
  const completed = counter(metrics, (m) => m.tasksCompleted);
  const failed = counter(metrics, (m) => m.tasksFailed);
  const bpmnError = counter(metrics, (m) => m.bpmnErrors);
  const renewed = counter(metrics, (m) => m.lockRenewals);
  const relocked = counter(metrics, (m) => m.relocks);
  /**
   * The engine's client. A worker that lags the configuration store may not know a new engine yet: retried
   * (the store's change arrives within seconds) for ENGINE_UNKNOWN_LIMIT_MS from the call's first schedule.
   */
  const client = (name: string): CamundaClient => {
    const found = engines.get(name);
    if (found) return found;
    const { scheduledTimestampMs } = Context.current().info;
    const waitedMs = Date.now() - scheduledTimestampMs;
    throw ApplicationFailure.create({
      type: FailureTypes.UnknownEngine,
      message: `engine '${name}' is not configured on this worker (waited ${Math.round(waitedMs / 1000)} s)`,
      nonRetryable: waitedMs >= ENGINE_UNKNOWN_LIMIT_MS,
    });
  };
  return {
    async completeTask(command) {
      const { engine, taskId, workerId, variables, localVariables } = command;
      await client(engine)
        .complete(taskId, { workerId, variables, ...(localVariables ? { localVariables } : {}) })
        .catch(toEngineFailure);
      completed(command);
    },
    async reportFailure(command) {
      const { engine, taskId, workerId, errorMessage, errorDetails, retries, retryTimeoutMs } = command;
      await client(engine)
        .failure(taskId, {
          workerId,
          errorMessage: truncateErrorMessage(errorMessage),
          errorDetails,
          retries,
          retryTimeout: retryTimeoutMs,
        })
        .catch((error: unknown) => {
          // A failure report cannot become an incident when the engine refuses it: retried like no answer.
          if (error instanceof EngineError && error.kind === 'refused') {
            throw ApplicationFailure.create({
              type: FailureTypes.EngineUnavailable,
              message: `the engine refuses to record the failure: ${error.message}`,
              cause: error,
            });
          }
          return toEngineFailure(error);
        });
      // Retries 0: an incident. A failure with retries left is not counted here (the engine offers it again).
      if (retries === 0) failed(command);
    },
    async throwBpmnError(command) {
      const { engine, taskId, workerId, errorCode, errorMessage, variables } = command;
      await client(engine)
        .bpmnError(taskId, { workerId, errorCode, errorMessage, variables })
        .catch(toEngineFailure);
      bpmnError(command);
    },
    async keepLock(command) {
      const { engine, taskId, workerId, lockDurationMs } = command;
      const result = await keepLock(client(engine), { taskId, workerId, lockDurationMs }).catch(
        toEngineFailure,
      );
      if (result.status === 'extended') renewed(command);
      if (result.status === 'relocked') relocked(command);
      return result;
    },
    async inspectTask({ engine, taskId }) {
      try {
        const task = await client(engine).getTask(taskId);
        const text = (v: unknown) => (typeof v === 'string' ? v : null);
        return {
          exists: true,
          retries: typeof task.retries === 'number' ? task.retries : null,
          workerId: text(task.workerId),
          lockExpirationTime: text(task.lockExpirationTime),
        };
      } catch (error) {
        if (error instanceof EngineError && error.kind === 'gone') return { exists: false };
        return toEngineFailure(error);
      }
    },
    async completedBy({ engine, taskId, workerId }) {
      try {
        const logs = await client(engine).get<Array<{ workerId?: string }>>('/history/external-task-log', {
          externalTaskId: taskId,
          successLog: true,
        });
        return logs.some((log) => log.workerId === workerId);
      } catch (error) {
        // No history (history level none, or no access to it): the task cannot be shown completed.
        if (error instanceof EngineError && (error.kind === 'rejected' || error.kind === 'gone'))
          return false;
        return toEngineFailure(error);
      }
    },
    async postCallback({ url, body, allowedOrigins }) {
      const scope = policy.scope(
        allowedOrigins
          ? { allowedOrigins: parseOriginPatterns(allowedOrigins), setting: TOPIC_ALLOWED_ORIGINS_SETTING }
          : {},
      );
      try {
        await createOutboundClient(scope, CALLBACK_TIMEOUT_MS).post(url, body, {
          headers: { 'content-type': 'application/json' },
        });
      } catch (thrown) {
        if (thrown instanceof OutboundRefusedError) {
          throw ApplicationFailure.create({
            type: thrown.name,
            message: `callbackUrl: ${thrown.message}`,
            nonRetryable: true,
          });
        }
        // The sanitised error: no headers, no body, and the URL without its query string or credentials.
        const error = thrown;
        const status = error instanceof HttpRequestError ? error.status : undefined;
        const message = error instanceof Error ? error.message : String(error);
        const rejected =
          status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
        throw ApplicationFailure.create({
          type: rejected ? 'CallbackRejected' : 'CallbackFailed',
          message,
          nonRetryable: rejected,
          ...(error instanceof Error ? { cause: error } : {}),
        });
      }
    },
  };
}
