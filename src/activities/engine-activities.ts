/**
 * Activities that talk to the engine on a task's behalf: complete, report a failure, throw a BPMN error,
 * keep the lock, and call a task's callbackUrl. They must land, so the workflow retries them without limit
 * while the error is transient (no answer, 5xx); a 4xx is final and travels as a non-retryable failure whose
 * type says what happened: the task is gone (404), another worker holds it, or the engine refused the call.
 */
import { ApplicationFailure } from '@temporalio/common';
import axios, { isAxiosError } from 'axios';
import type { CamundaClient } from '../engine/camunda-client.ts';
import { EngineError } from '../engine/engine-error.ts';
import { type EngineActivities, FailureTypes, type KeepLockResult } from './types.ts';

/** Clients by engine name, as configured. */
export type EngineClients = ReadonlyMap<string, CamundaClient>;

/** Camunda truncates errorMessage to 666 characters; we shorten it ourselves so the end is marked. */
export const MAX_ERROR_MESSAGE_LENGTH = 666;

export function truncateErrorMessage(message: string): string {
  return message.length <= MAX_ERROR_MESSAGE_LENGTH
    ? message
    : `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…`;
}

/** The failure type of a final engine error, or undefined when the error is transient. */
function finalFailureType(error: EngineError): string | undefined {
  if (error.isRetryable) return undefined;
  if (error.isGone) return FailureTypes.TaskGone;
  if (error.isLockedByOtherWorker) return FailureTypes.TaskLost;
  return FailureTypes.EngineRejected;
}

function rethrow(error: unknown): never {
  const type = error instanceof EngineError ? finalFailureType(error) : undefined;
  if (type && error instanceof EngineError) {
    throw ApplicationFailure.create({
      type,
      message: error.message,
      nonRetryable: true,
      details: [{ status: error.status, engineType: error.engineType, engineCode: error.engineCode }],
    });
  }
  throw error;
}

function isExpiredLock(error: unknown): boolean {
  return error instanceof EngineError && error.status === 400 && /lock that expired/i.test(error.message);
}

export function createEngineActivities(engines: EngineClients): EngineActivities {
  const client = (name: string): CamundaClient => {
    const found = engines.get(name);
    if (!found) {
      throw ApplicationFailure.nonRetryable(
        `engine '${name}' is not configured on this worker`,
        FailureTypes.UnknownEngine,
      );
    }
    return found;
  };
  const lost = (error: unknown): KeepLockResult | undefined => {
    if (!(error instanceof EngineError)) return undefined;
    if (error.isGone) return { status: 'lost', reason: `the task is gone (${error.message})` };
    if (error.isLockedByOtherWorker) return { status: 'lost', reason: error.message };
    return undefined;
  };
  return {
    async completeTask({ engine, taskId, workerId, variables, localVariables }) {
      await client(engine)
        .complete(taskId, { workerId, variables, ...(localVariables ? { localVariables } : {}) })
        .catch(rethrow);
    },
    async reportFailure({ engine, taskId, workerId, errorMessage, errorDetails, retries, retryTimeoutMs }) {
      await client(engine)
        .failure(taskId, {
          workerId,
          errorMessage: truncateErrorMessage(errorMessage),
          errorDetails,
          retries,
          retryTimeout: retryTimeoutMs,
        })
        .catch(rethrow);
    },
    async throwBpmnError({ engine, taskId, workerId, errorCode, errorMessage, variables }) {
      await client(engine).bpmnError(taskId, { workerId, errorCode, errorMessage, variables }).catch(rethrow);
    },
    async keepLock({ engine, taskId, workerId, lockDurationMs }) {
      const camunda = client(engine);
      try {
        await camunda.extendLock(taskId, { workerId, newDuration: lockDurationMs });
        return { status: 'extended' };
      } catch (error) {
        const gone = lost(error);
        if (gone) return gone;
        if (!isExpiredLock(error)) return rethrow(error);
      }
      // The lock expired (the worker or the engine was down for a while): take it again if nobody else has.
      try {
        await camunda.lock(taskId, { workerId, lockDuration: lockDurationMs });
        return { status: 'relocked' };
      } catch (error) {
        return lost(error) ?? rethrow(error);
      }
    },
    async postCallback({ url, body }) {
      try {
        await axios.post(url, body, { timeout: 20_000, headers: { 'content-type': 'application/json' } });
      } catch (error) {
        const status = isAxiosError(error) ? error.response?.status : undefined;
        const message = `POST ${url}: ${status ? `HTTP ${status}` : (error as Error).message}`;
        if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
          throw ApplicationFailure.nonRetryable(message, 'CallbackRejected');
        }
        throw new Error(message);
      }
    },
  };
}
