/**
 * Runs a work unit in isolation, for tests: through the real runner activity (variables encoded as Camunda
 * would send them, the input schema, the output schema and encoding) in Temporal's MockActivityEnvironment,
 * without a Temporal server or an engine.
 *
 * ```ts
 * const result = await runWorkUnit(greet, { name: 'Ada' });
 * expect(result).toMatchObject({ outcome: 'completed', output: { greeting: 'Hello, Ada' } });
 * ```
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { WorkUnitResult } from '../activities/types.ts';
import { createWorkUnitActivities } from '../activities/work-unit-activities.ts';
import type { CamundaClient } from '../engine/camunda-client.ts';
import { decodeVariables, encodeVariables } from '../engine/variables.ts';
import type { OutboundPolicy } from '../http/outbound-policy.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { ServiceAuth } from '../store/schemas.ts';
import type { TopicOutboundSnapshot } from '../workflows/external-task-input.ts';
import type { TaskMetadata, WorkUnit } from './define-work-unit.ts';
import type { OutboundRequest } from './outbound-log.ts';
import { WorkUnitRegistry } from './registry.ts';
import { isUnderBaseUrl, type ServiceResolver } from './service-clients.ts';

export interface RunWorkUnitOptions {
  /** The engine client the unit gets as `context.camunda`. @default none */
  camunda?: CamundaClient;
  /** The task's metadata, over defaults (`taskId` `test-task`, `engine` `test`, `topic` `test`). */
  task?: Partial<TaskMetadata>;
  /** The attempt number the unit sees. @default 1 */
  attempt?: number;
  /** @default a logger that prints errors only */
  logger?: Logger;
  /**
   * Services the unit may call, by service name, and the topic's bindings (alias → service name); by default
   * each alias of the unit is bound to a service of the same name.
   */
  services?: Record<string, { baseUrl: string; auth: ServiceAuth }>;
  /** Credentials per application (a task's `bptlAppId`), by service name, then application id. @default none */
  credentials?: Record<string, Record<string, ServiceAuth>>;
  bindings?: Record<string, string>;
  /**
   * The outbound policy (BPTL_OUTBOUND_*). @default as in production: any public origin, no loopback or private
   * address — a test server on 127.0.0.1 must be allowed, e.g. with `topicOutbound: { allowedOrigins: [base] }`.
   */
  outboundPolicy?: OutboundPolicy;
  /** The topic's `outbound` settings (allowed origins, error details). @default none */
  topicOutbound?: TopicOutboundSnapshot;
  /** The topic's `applications`: the `bptlAppId`s its tasks may name. @default any */
  applications?: string[];
}

/**
 * What a unit did: its output (decoded back from Camunda's variables), a BPMN error, or a failure; with the
 * attempt's outbound requests as the runner recorded them (`outbound`: what the console's task detail shows).
 */
export type WorkUnitRunResult<O> = (
  | { outcome: 'completed'; output: O; localOutput: Record<string, unknown> }
  | { outcome: 'bpmn-error'; errorCode: string; errorMessage: string; variables: Record<string, unknown> }
  | {
      outcome: 'failed';
      /** Whether Temporal would try again (under the topic's retry policy). */
      retryable: boolean;
      /** The failure type: `NonRetryableError`, `RetryableError`, `VariableError`, `InputError`, … */
      type: string;
      message: string;
      error: ApplicationFailure;
    }
) & {
  /** The attempt's outbound requests (method, origin, path, status or code): empty when it made none. */
  outbound: OutboundRequest[];
};

/** The store's resolver in memory: an application's credentials when the service has them, else its default. */
function testResolver(
  services: NonNullable<RunWorkUnitOptions['services']>,
  credentials: NonNullable<RunWorkUnitOptions['credentials']>,
): ServiceResolver {
  const resolve: ServiceResolver['resolve'] = async (name, applicationId) => {
    const service = services[name];
    if (!service) return undefined;
    const own = applicationId === undefined ? undefined : credentials[name]?.[applicationId];
    return own ? { baseUrl: service.baseUrl, auth: own, applicationId } : service;
  };
  return {
    resolve,
    async resolveUrl(url, applicationId) {
      // The service whose base URL is the longest prefix of the URL, as the store's resolver finds it.
      let best: string | undefined;
      let bestLength = -1;
      for (const [name, service] of Object.entries(services)) {
        const length = service.baseUrl.replace(/\/+$/, '').length;
        if (isUnderBaseUrl(url, service.baseUrl) && length > bestLength) {
          best = name;
          bestLength = length;
        }
      }
      if (best === undefined) return undefined;
      const found = await resolve(best, applicationId);
      return found ? { name: best, ...found } : undefined;
    },
  };
}

/** Runs `unit` once with `variables` (plain values, typed like work-unit output) and returns what it did. */
export async function runWorkUnit<I, O>(
  unit: WorkUnit<I, O>,
  variables: Record<string, unknown>,
  options: RunWorkUnitOptions = {},
): Promise<WorkUnitRunResult<O>> {
  const engine = options.task?.engine ?? 'test';
  const activities = createWorkUnitActivities(
    new WorkUnitRegistry([unit]),
    options.logger ?? createLogger('test', { level: 'error' }),
    {
      ...(options.camunda ? { engines: new Map([[engine, options.camunda]]) } : {}),
      ...(options.services ? { services: testResolver(options.services, options.credentials ?? {}) } : {}),
      ...(options.outboundPolicy ? { outboundPolicy: options.outboundPolicy } : {}),
    },
  );
  const bindings = options.bindings ?? Object.fromEntries(unit.services.map((alias) => [alias, alias]));
  const task = { taskId: 'test-task', topic: 'test', ...options.task };
  const env = new MockActivityEnvironment(
    { attempt: options.attempt ?? 1 },
    { logger: new DefaultLogger('ERROR', () => {}) },
  );
  try {
    const result: WorkUnitResult = await env.run(activities.runWorkUnit, {
      workUnit: unit.name,
      engine,
      task: {
        id: task.taskId,
        topicName: task.topic,
        ...(task.processInstanceId ? { processInstanceId: task.processInstanceId } : {}),
        ...(task.processDefinitionKey ? { processDefinitionKey: task.processDefinitionKey } : {}),
        ...(task.businessKey ? { businessKey: task.businessKey } : {}),
        ...(task.activityId ? { activityId: task.activityId } : {}),
        ...(task.tenantId ? { tenantId: task.tenantId } : {}),
      },
      variables: encodeVariables(variables),
      ...(Object.keys(bindings).length > 0 ? { services: bindings } : {}),
      ...(options.topicOutbound ? { outbound: options.topicOutbound } : {}),
      ...(options.applications ? { applications: options.applications } : {}),
    });
    const outbound = result.requests ?? [];
    if (result.outcome === 'bpmn-error') {
      return {
        outcome: 'bpmn-error',
        errorCode: result.errorCode,
        errorMessage: result.errorMessage,
        variables: decodeVariables(result.variables),
        outbound,
      };
    }
    return {
      outcome: 'completed',
      output: decodeVariables(result.variables) as O,
      localOutput: decodeVariables(result.localVariables),
      outbound,
    };
  } catch (error) {
    if (!(error instanceof ApplicationFailure)) throw error;
    return {
      outcome: 'failed',
      retryable: !error.nonRetryable,
      type: error.type ?? 'Error',
      message: error.message,
      error,
      outbound: requestsOf(error),
    };
  }
}

/** The outbound requests in a failure's details (the runner puts the attempt's there). */
function requestsOf(failure: ApplicationFailure): OutboundRequest[] {
  const details = failure.details?.[0] as { requests?: OutboundRequest[] } | undefined;
  return Array.isArray(details?.requests) ? details.requests : [];
}
