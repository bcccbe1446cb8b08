/**
 * The work-unit runner: one activity that runs whichever unit a topic names. It decodes the task's
 * variables, validates them against the unit's input schema, runs the unit with a context (heartbeats,
 * cancellation, logger, idempotency key), validates and encodes the output, and keeps the task's lock while
 * the unit runs (runner-lock.ts). The type of what goes wrong decides what happens: VariableError,
 * NonRetryableError and schema failures are non-retryable; RetryableError may set the delay; BpmnError becomes a
 * result the workflow turns into a BPMN error; anything else is retried (attempt-failures.ts). A failure keeps
 * the unit's own error (its stack and `cause` chain), so the incident and the Temporal UI show what the unit
 * threw. The output's way back (schema, local values, payload size) is in work-unit-output.ts.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { formatIssues } from '../config/format-issues.ts';
import { decodeVariables, encodeOutput, encodeVariables } from '../engine/variables.ts';
import { BpmnError, DEFAULT_BLOB_SIZE_LIMIT_BYTES, ensureError } from '../errors.ts';
import { createOutboundClient } from '../http/outbound-client.ts';
import { OutboundPolicy, parseOriginPatterns } from '../http/outbound-policy.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { BptlMetrics } from '../observability/metrics.ts';
import type { TaskMetadata } from '../work-units/define-work-unit.ts';
import { idempotencyKeyOf } from '../work-units/idempotency-key.ts';
import { OutboundLog } from '../work-units/outbound-log.ts';
import type { WorkUnitRegistry } from '../work-units/registry.ts';
import { type ServiceResolver, serviceClientsFor } from '../work-units/service-clients.ts';
import { lostFailure, nonRetryable, toFailure } from './attempt-failures.ts';
import { type EngineClients, TOPIC_ALLOWED_ORIGINS_SETTING } from './engine-activities.ts';
import { RunnerLockKeeper } from './runner-lock.ts';
import {
  type AttemptFailureDetails,
  FailureTypes,
  type RunWorkUnitInput,
  type WorkUnitActivities,
  type WorkUnitResult,
} from './types.ts';
import { checkedOutput, withinPayloadLimit } from './work-unit-output.ts';

/** Sleeps `ms`, or rejects with the signal's reason when it aborts first (cancellation, lost task). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(ensureError(signal.reason));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(ensureError(signal.reason));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** How often (at most) the runner heartbeats on a unit's behalf, so that cancellation reaches every unit. */
export const AUTO_HEARTBEAT_INTERVAL_MS = 2_000;

/** Options of the work-unit runner beyond its registry and logger. */
export interface WorkUnitActivityOptions {
  /**
   * The worker's engine clients, by engine name: a unit gets the client of its task's engine as
   * `context.camunda`. @default none (`context.camunda` is undefined)
   */
  engines?: EngineClients;
  /** Finds services and their credentials, for units that declare service aliases. @default none */
  services?: ServiceResolver;
  /**
   * The largest result, in bytes, that Temporal accepts (the server's `limit.blobSize.error`); a larger output
   * fails the task non-retryably. @default 2097152 (DEFAULT_BLOB_SIZE_LIMIT_BYTES)
   */
  payloadLimitBytes?: number;
  /** Where each run's duration is recorded (bptl_work_unit_duration_seconds). @default none */
  metrics?: BptlMetrics;
  /**
   * Where the units' outbound calls may go (BPTL_OUTBOUND_*). @default any public origin, no private address
   */
  outboundPolicy?: OutboundPolicy;
}

/** How long a call of a unit's `http` client may take unless the request says otherwise. */
export const UNIT_HTTP_TIMEOUT_MS = 30_000;

export function createWorkUnitActivities(
  registry: WorkUnitRegistry,
  logger?: Logger,
  options: WorkUnitActivityOptions = {},
): WorkUnitActivities {
  const baseLog = logger ?? createLogger('work-unit');
  const payloadLimitBytes = options.payloadLimitBytes ?? DEFAULT_BLOB_SIZE_LIMIT_BYTES;
  const policy = options.outboundPolicy ?? new OutboundPolicy();
  return {
    async runWorkUnit(input: RunWorkUnitInput): Promise<WorkUnitResult> {
      const ctx = Context.current();
      // Heartbeats from the first moment, not from the unit's start: what comes before it (the services'
      // credentials, a repeated attempt's lock check) can take seconds on a loaded engine, and an attempt that
      // says nothing for the heartbeat time-out is timed out (measured: a 10,000-task burst, npm run chaos).
      // A local activity (execution: local) has no heartbeats: cancellation reaches it in-process.
      const heartbeat = ctx.info.isLocal ? undefined : startHeartbeats(ctx);
      const endTimer = options.metrics?.workUnitDuration.startTimer({ unit: input.workUnit });
      let outcome = 'error';
      try {
        const result = await runAttempt(input, ctx);
        outcome = result.outcome;
        return result;
      } finally {
        clearInterval(heartbeat);
        endTimer?.({ outcome });
      }
    },
  };

  async function runAttempt(input: RunWorkUnitInput, ctx: Context): Promise<WorkUnitResult> {
    const attempt = input.attempt ?? ctx.info.attempt;
    // The attempt's outbound requests, for the console's task detail: in its result or its failure's details.
    const outbound = new OutboundLog();
    const baseDetails = (): AttemptFailureDetails => ({ attempt, ...outbound.summary() });
    const unit = registry.get(input.workUnit);
    if (!unit) {
      // Retried (a while: the workflow bounds it): another worker, of a newer version, may have it.
      throw ApplicationFailure.create({
        type: FailureTypes.UnknownWorkUnit,
        message: `work unit '${input.workUnit}' is not registered on this worker (it has: ${[...registry.names()].join(', ')})`,
        details: [baseDetails()],
      });
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
      throw toFailure(ensureError(error), baseDetails());
    }
    const parsed = unit.input.safeParse(values);
    if (!parsed.success) {
      throw nonRetryable(
        'InputError',
        `the variables do not fit work unit '${unit.name}':\n${formatIssues(parsed.error.issues)}`,
        baseDetails(),
      );
    }
    const log = baseLog.child(unit.name);
    const appId = applicationOf(values.bptlAppId, input, baseDetails);
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
        outbound,
        policy,
      );
    } catch (error) {
      throw toFailure(ensureError(error), baseDetails());
    }
    const allowedOrigins = input.outbound?.allowedOrigins;
    let http: ReturnType<typeof createOutboundClient>;
    try {
      http = createOutboundClient(
        policy.scope(
          allowedOrigins
            ? { allowedOrigins: parseOriginPatterns(allowedOrigins), setting: TOPIC_ALLOWED_ORIGINS_SETTING }
            : {},
        ),
        UNIT_HTTP_TIMEOUT_MS,
        outbound,
      );
    } catch (error) {
      throw toFailure(ensureError(error), baseDetails());
    }
    // The lock is kept from here while the unit runs; a repeated attempt first makes sure the task is still
    // ours (it may have been deleted during the back-off), so a unit never runs for a task that is gone.
    const camunda = options.engines?.get(input.engine);
    const keeper =
      input.lock && camunda
        ? new RunnerLockKeeper(camunda, input.task.id, input.lock, log, (status) => {
            const labels = { topic: input.task.topicName };
            if (status === 'extended') options.metrics?.lockRenewals.inc(labels);
            else options.metrics?.relocks.inc(labels);
          })
        : undefined;
    const failureDetails = (): AttemptFailureDetails => ({
      ...baseDetails(),
      ...(keeper?.state ? { lock: keeper.state } : {}),
    });
    if (keeper && attempt > 1) {
      const kept = await keeper.renewNow().catch(() => true); // no answer: the unit may still run
      if (!kept) throw lostFailure(keeper, failureDetails());
    }
    keeper?.start();
    const signal = keeper ? AbortSignal.any([ctx.cancellationSignal, keeper.signal]) : ctx.cancellationSignal;
    const isLocal = ctx.info.isLocal;
    let output: unknown;
    try {
      output = await unit.run({
        input: parsed.data,
        task,
        attempt,
        idempotencyKey: idempotencyKeyOf(input.engine, input.task.id),
        log,
        signal,
        heartbeat: isLocal ? () => {} : (details?: unknown) => ctx.heartbeat(details),
        sleep: (ms: number) => abortableSleep(ms, signal),
        camunda,
        services,
        http,
        outboundErrorDetails: input.outbound?.errorDetails === true,
        outbound,
      });
    } catch (thrown) {
      const error = ensureError(thrown);
      if (keeper?.lost) throw lostFailure(keeper, failureDetails());
      if (error instanceof BpmnError) {
        try {
          return withinPayloadLimit(
            {
              outcome: 'bpmn-error',
              errorCode: error.code,
              errorMessage: error.message,
              variables: encodeVariables(error.variables),
              ...(keeper?.state ? { lock: keeper.state } : {}),
              ...outbound.summary(),
            },
            payloadLimitBytes,
          );
        } catch (encodeError) {
          throw toFailure(ensureError(encodeError), failureDetails());
        }
      }
      if (ctx.cancellationSignal.aborted) throw error; // let the SDK report the cancellation
      log.warn('work unit failed', { taskId: task.taskId, attempt, error });
      throw toFailure(error, failureDetails());
    } finally {
      keeper?.stop();
    }
    // A unit that finished after its task was lost: its output has nowhere to go.
    if (keeper?.lost) throw lostFailure(keeper, failureDetails());
    const outputValues = checkedOutput(output, unit.name, unit.output, failureDetails());
    try {
      return withinPayloadLimit(
        {
          outcome: 'completed',
          ...encodeOutput(outputValues),
          ...(keeper?.state ? { lock: keeper.state } : {}),
          ...outbound.summary(),
        },
        payloadLimitBytes,
      );
    } catch (error) {
      throw toFailure(ensureError(error), failureDetails());
    }
  }
}

/**
 * Heartbeats now and then well within the activity's heartbeat time-out (a third of it, at most every
 * AUTO_HEARTBEAT_INTERVAL_MS), so that cancellation reaches every unit and a healthy attempt is never timed out.
 */
function startHeartbeats(ctx: Context): NodeJS.Timeout {
  const timeoutMs = ctx.info.heartbeatTimeoutMs;
  const everyMs = timeoutMs
    ? Math.min(AUTO_HEARTBEAT_INTERVAL_MS, Math.floor(timeoutMs / 3))
    : AUTO_HEARTBEAT_INTERVAL_MS;
  ctx.heartbeat();
  return setInterval(() => ctx.heartbeat(), everyMs);
}

/**
 * The application a task names (its `bptlAppId` variable), whose credentials it calls the bound services with;
 * undefined (the services' default credentials) when it names none: no variable, null or empty text. Fails
 * non-retryably (InputError) when the variable is not text, or when the topic's `applications` do not list it.
 */
function applicationOf(
  value: unknown,
  input: RunWorkUnitInput,
  details: () => AttemptFailureDetails,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const topic = input.task.topicName;
  if (typeof value !== 'string') {
    throw nonRetryable(
      'InputError',
      `bptlAppId must be text (an application id), not ${typeof value}: leave it out to use the services' default credentials`,
      details(),
    );
  }
  if (input.applications !== undefined && !input.applications.includes(value)) {
    const listed =
      input.applications.length === 0 ? 'none' : input.applications.map((a) => `'${a}'`).join(', ');
    throw nonRetryable(
      'InputError',
      `topic '${topic}' does not allow application '${value}' (the task's bptlAppId): its setting applications lists ${listed}`,
      details(),
    );
  }
  return value;
}
