/**
 * Activities that talk to the engine on a task's behalf: complete, report a failure, throw a BPMN error.
 * They must land, so the workflow retries them without limit while the error is transient (no answer, 5xx);
 * a 404 (task gone) or another 4xx is final and travels as a non-retryable failure of a known type.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { CamundaClient } from '../engine/camunda-client.ts';
import { EngineError } from '../engine/engine-error.ts';
import { type EngineActivities, FailureTypes } from './types.ts';

/** Clients by engine name, as configured. */
export type EngineClients = ReadonlyMap<string, CamundaClient>;

/** Camunda truncates errorMessage to 666 characters; we shorten it ourselves so the end is marked. */
export const MAX_ERROR_MESSAGE_LENGTH = 666;

export function truncateErrorMessage(message: string): string {
  return message.length <= MAX_ERROR_MESSAGE_LENGTH
    ? message
    : `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…`;
}

function rethrow(error: unknown): never {
  if (error instanceof EngineError && !error.isRetryable) {
    throw ApplicationFailure.create({
      type: error.isGone ? FailureTypes.TaskGone : FailureTypes.EngineRejected,
      message: error.message,
      nonRetryable: true,
      details: [{ status: error.status, engineType: error.engineType, engineCode: error.engineCode }],
    });
  }
  throw error;
}

export function createEngineActivities(engines: EngineClients): EngineActivities {
  const client = (name: string): CamundaClient => {
    const found = engines.get(name);
    if (!found) {
      throw ApplicationFailure.nonRetryable(
        `engine '${name}' is not configured on this worker`,
        'UnknownEngine',
      );
    }
    return found;
  };
  return {
    async completeTask({ engine, taskId, workerId, variables }) {
      await client(engine).complete(taskId, { workerId, variables }).catch(rethrow);
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
  };
}
