/**
 * What the camunda units share: the task's engine client, and the mapping of engine errors to work-unit
 * errors (no answer, 5xx, 408, 429 → RetryableError; another 4xx → NonRetryableError with the status).
 */

import { z } from 'zod';
import type { CamundaClient } from '../../../engine/camunda-client.ts';
import {
  type CamundaVariables,
  engineVariableSchema,
  withoutNullInfo,
} from '../../../engine/camunda-variable.ts';
import { EngineError } from '../../../engine/engine-error.ts';
import { ensureError, NonRetryableError, RetryableError } from '../../../errors.ts';
import type { WorkUnitContext } from '../../define-work-unit.ts';

/** A running instance's variables, by name (`GET /process-instance/{id}/variables`). */
const variablesSchema = z.record(z.string(), engineVariableSchema);
/** An ended instance's variables (`GET /history/variable-instance`). */
const historySchema = z.array(engineVariableSchema.extend({ name: z.string() }));

/** The client of the task's engine; thrown at when the runner was created without engines. */
export function engineOf(context: WorkUnitContext<unknown>): CamundaClient {
  if (!context.camunda) {
    throw new NonRetryableError(
      `this worker has no client for engine '${context.task.engine}' (the runner was created without engines)`,
    );
  }
  return context.camunda;
}

/** The id of the task's process instance; a unit that needs one cannot run without. */
export function processInstanceOf(context: WorkUnitContext<unknown>): string {
  const id = context.task.processInstanceId;
  if (!id) throw new NonRetryableError(`task ${context.task.taskId} has no process instance id`);
  return id;
}

/** Runs an engine call; its failure becomes a RetryableError or a NonRetryableError saying `what` failed. */
export async function callEngine<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (thrown) {
    const error = ensureError(thrown);
    if (!(error instanceof EngineError)) throw error;
    const status = error.status === undefined ? 'no answer' : `HTTP ${error.status}`;
    const message = `${what}: the engine answered ${status}: ${error.message}`;
    if (error.isRetryable) throw new RetryableError(message, { cause: error });
    throw new NonRetryableError(message, { cause: error });
  }
}

/**
 * The variables of a process instance, serialized as the engine holds them (so they keep their type): of a
 * running instance, else from the history of an ended one. An instance the engine never had is a
 * NonRetryableError naming it; an answer of another shape fails its parse (a ZodError: retried).
 */
export async function variablesOfInstance(
  engine: CamundaClient,
  processInstanceId: string,
): Promise<CamundaVariables> {
  const what = `reading the variables of process instance ${processInstanceId}`;
  const path = `/process-instance/${encodeURIComponent(processInstanceId)}`;
  const running = await callEngine(what, () =>
    engine.get(path).then(
      () => true,
      (error: unknown) => {
        if (error instanceof EngineError && error.status === 404) return false;
        throw error;
      },
    ),
  );
  if (running) {
    const variables = await callEngine(what, () =>
      engine.get(`${path}/variables`, { deserializeValues: false }),
    );
    return Object.fromEntries(
      Object.entries(variablesSchema.parse(variables)).map(([name, v]) => [name, withoutNullInfo(v)]),
    );
  }
  const ended = await callEngine(what, () =>
    engine.get<unknown[]>('/history/process-instance', { processInstanceId, maxResults: 1 }),
  );
  if (ended.length === 0) throw new NonRetryableError(`process instance ${processInstanceId} does not exist`);
  const history = await callEngine(what, () =>
    engine.get('/history/variable-instance', {
      processInstanceId,
      deserializeValues: false,
      maxResults: 10_000,
    }),
  );
  return Object.fromEntries(historySchema.parse(history).map((v) => [v.name, withoutNullInfo(v)]));
}
