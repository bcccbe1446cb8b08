/**
 * The work-unit runner: one activity that runs whichever unit a topic names. It decodes the task's
 * variables, validates them against the unit's input schema, runs the unit with a context (heartbeats,
 * cancellation, logger), validates and encodes the output. The type of what goes wrong decides what happens:
 * VariableError, NonRetryableError and schema failures are non-retryable; RetryableError may set the delay;
 * BpmnError becomes a result the workflow turns into a BPMN error; anything else is retried.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { formatIssues } from '../config/format-issues.ts';
import { decodeVariables, encodeOutput, encodeVariables, LocalValue, local } from '../engine/variables.ts';
import { BpmnError, ensureError, NonRetryableError, RetryableError } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { TaskMetadata } from '../work-units/define-work-unit.ts';
import { idempotencyKeyOf } from '../work-units/idempotency-key.ts';
import type { WorkUnitRegistry } from '../work-units/registry.ts';
import { type ServiceResolver, serviceClientsFor } from '../work-units/service-clients.ts';
import type { EngineClients } from './engine-activities.ts';
import type { RunWorkUnitInput, WorkUnitActivities, WorkUnitResult } from './types.ts';

/** How often (at most) the runner heartbeats on a unit's behalf, so that cancellation reaches every unit. */
export const AUTO_HEARTBEAT_INTERVAL_MS = 2_000;

function nonRetryable(type: string, message: string, cause?: Error, attempt?: number): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    ...(cause ? { cause } : {}),
    details: [{ attempt }],
  });
}

/** Maps what a unit threw to the failure Temporal should see. */
function toFailure(error: Error, attempt: number): Error {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof RetryableError) {
    return ApplicationFailure.create({
      type: error.name,
      message: error.message,
      ...(error.retryDelayMs !== undefined ? { nextRetryDelay: error.retryDelayMs } : {}),
      details: [{ attempt }],
    });
  }
  if (error instanceof NonRetryableError) return nonRetryable(error.name, error.message, error, attempt);
  return ApplicationFailure.create({
    type: error.name || 'Error',
    message: error.message,
    details: [{ attempt }],
  });
}

/** Options of the work-unit runner beyond its registry and logger. */
export interface WorkUnitActivityOptions {
  /**
   * The worker's engine clients, by engine name: a unit gets the client of its task's engine as
   * `context.camunda`. @default none (`context.camunda` is undefined)
   */
  engines?: EngineClients;
  /** Finds services and their credentials, for units that declare service aliases. @default none */
  services?: ServiceResolver;
}

export function createWorkUnitActivities(
  registry: WorkUnitRegistry,
  logger?: Logger,
  options: WorkUnitActivityOptions = {},
): WorkUnitActivities {
  const baseLog = logger ?? createLogger('work-unit');
  return {
    async runWorkUnit(input: RunWorkUnitInput): Promise<WorkUnitResult> {
      const ctx = Context.current();
      const attempt = ctx.info.attempt;
      const unit = registry.get(input.workUnit);
      if (!unit) {
        throw nonRetryable(
          'UnknownWorkUnit',
          `work unit '${input.workUnit}' is not registered on this worker`,
        );
      }
      const task: TaskMetadata = {
        taskId: input.task.id,
        engine: input.engine,
        topic: input.task.topicName,
        processInstanceId: input.task.processInstanceId,
        processDefinitionKey: input.task.processDefinitionKey,
        businessKey: input.task.businessKey,
        activityId: input.task.activityId,
        tenantId: input.task.tenantId,
      };
      let values: Record<string, unknown>;
      try {
        values = decodeVariables(input.variables);
      } catch (error) {
        throw toFailure(ensureError(error), attempt);
      }
      const parsed = unit.input.safeParse(values);
      if (!parsed.success) {
        throw nonRetryable(
          'InputError',
          `the variables do not fit work unit '${unit.name}':\n${formatIssues(parsed.error.issues)}`,
          undefined,
          attempt,
        );
      }
      const log = baseLog.child(unit.name);
      const appId =
        typeof values.bptlAppId === 'string' && values.bptlAppId !== '' ? values.bptlAppId : undefined;
      let services: Awaited<ReturnType<typeof serviceClientsFor>>;
      try {
        services = await serviceClientsFor(
          unit.services,
          input.services ?? {},
          appId,
          options.services,
          log,
          {
            workUnit: unit.name,
            topic: input.task.topicName,
          },
        );
      } catch (error) {
        throw toFailure(ensureError(error), attempt);
      }
      // Well within the activity's heartbeat time-out (a third of it), else a healthy worker's attempt times out.
      // A local activity (execution: local) has no heartbeats: cancellation reaches it in-process.
      const heartbeatTimeoutMs = ctx.info.heartbeatTimeoutMs;
      const heartbeatEveryMs = heartbeatTimeoutMs
        ? Math.min(AUTO_HEARTBEAT_INTERVAL_MS, Math.floor(heartbeatTimeoutMs / 3))
        : AUTO_HEARTBEAT_INTERVAL_MS;
      const isLocal = ctx.info.isLocal;
      const heartbeat = isLocal ? undefined : setInterval(() => ctx.heartbeat(), heartbeatEveryMs);
      let output: unknown;
      try {
        output = await unit.run({
          input: parsed.data,
          task,
          attempt,
          idempotencyKey: idempotencyKeyOf(input.engine, input.task.id),
          log,
          signal: ctx.cancellationSignal,
          heartbeat: isLocal ? () => {} : (details?: unknown) => ctx.heartbeat(details),
          sleep: (ms: number) => ctx.sleep(ms),
          camunda: options.engines?.get(input.engine),
          services,
        });
      } catch (thrown) {
        const error = ensureError(thrown);
        if (error instanceof BpmnError) {
          try {
            return {
              outcome: 'bpmn-error',
              errorCode: error.code,
              errorMessage: error.message,
              variables: encodeVariables(error.variables),
            };
          } catch (encodeError) {
            throw toFailure(ensureError(encodeError), attempt);
          }
        }
        if (ctx.cancellationSignal.aborted) throw error; // let the SDK report the cancellation
        log.warn('work unit failed', { taskId: task.taskId, attempt, error: error.message });
        throw toFailure(error, attempt);
      } finally {
        clearInterval(heartbeat);
      }
      // Values marked local() are validated as what they hold, and set on the task's execution.
      const localNames = new Set<string>();
      const plain: Record<string, unknown> = {};
      if (output !== null && typeof output === 'object') {
        for (const [name, value] of Object.entries(output)) {
          if (value instanceof LocalValue) localNames.add(name);
          plain[name] = value instanceof LocalValue ? value.value : value;
        }
      }
      const checked = unit.output.safeParse(output !== null && typeof output === 'object' ? plain : output);
      if (!checked.success) {
        throw nonRetryable(
          'OutputError',
          `work unit '${unit.name}' returned output that does not fit its schema:\n${formatIssues(checked.error.issues)}`,
          undefined,
          attempt,
        );
      }
      try {
        const values = Object.fromEntries(
          Object.entries(checked.data as Record<string, unknown>).map(([k, v]) => [
            k,
            localNames.has(k) ? local(v) : v,
          ]),
        );
        return { outcome: 'completed', ...encodeOutput(values) };
      } catch (error) {
        throw toFailure(ensureError(error), attempt);
      }
    },
  };
}
