/**
 * Turns a locked task into the external-task workflow's input and start options, and chooses how to start it
 * (a plain start, or signal-with-start for a task that failed before). Pure functions, so the mapping
 * (workflow id, search attributes, memo) and the choice are unit-tested without a server.
 */

import type { WorkflowSignalWithStartOptions, WorkflowStartOptions } from '@temporalio/client';
import type { SearchAttributePair, WithWorkflowArgs } from '@temporalio/common';
import { localWorkflowTaskTimeoutMs } from '../config/lock-timings.ts';
import type { TopicConfig } from '../config/topic-config.ts';
import type { LockedExternalTask } from '../engine/external-task.ts';
import {
  type ExternalTaskInput,
  externalTaskWorkflowId,
  type TaskSnapshot,
  type TopicOutboundSnapshot,
  type TopicSnapshot,
} from '../workflows/external-task-input.ts';
import type { externalTask } from '../workflows/external-task-workflow.ts';
import {
  BptlBusinessKey,
  BptlEngine,
  BptlProcessDefinitionKey,
  BptlProcessInstanceId,
  BptlState,
  BptlTopic,
  BptlWorkUnit,
} from '../workflows/search-attributes.ts';
import { type TaskFetchedAgain, TaskStates, taskFetchedAgainSignal } from '../workflows/task-state.ts';
import { approximateJsonBytes } from './approximate-json-bytes.ts';

function defined<T extends Record<string, unknown>>(
  record: T,
): { [K in keyof T]: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined)) as never;
}

function topicOutboundSnapshot(outbound: NonNullable<TopicConfig['outbound']>): TopicOutboundSnapshot {
  return {
    ...(outbound.allowedOrigins ? { allowedOrigins: [...outbound.allowedOrigins] } : {}),
    ...(outbound.errorDetails ? { errorDetails: true } : {}),
  };
}

export function topicSnapshot(topic: TopicConfig): TopicSnapshot {
  return {
    topic: topic.topic,
    workUnit: topic.workUnit,
    lockDurationMs: topic.lockDurationMs,
    retry: { ...topic.retry },
    startToCloseTimeoutMs: topic.startToCloseTimeoutMs,
    heartbeatTimeoutMs: topic.heartbeatTimeoutMs,
    ...(topic.services && Object.keys(topic.services).length > 0 ? { services: { ...topic.services } } : {}),
    ...(topic.applications ? { applications: [...topic.applications] } : {}),
    camundaRetries: topic.camundaRetries,
    camundaRetryTimeoutMs: topic.camundaRetryTimeoutMs,
    refusedCompletionAttempts: topic.refusedCompletionAttempts,
    // The fleet resolved a topic without one to its unit's (effectiveExecution); activity if it did not.
    execution: topic.execution ?? 'activity',
    ...(topic.outbound ? { outbound: topicOutboundSnapshot(topic.outbound) } : {}),
  };
}

export function taskSnapshot(task: LockedExternalTask): TaskSnapshot {
  const variables: TaskSnapshot['variables'] = {};
  for (const [name, v] of Object.entries(task.variables ?? {})) {
    variables[name] = { type: v.type, value: v.value, ...(v.valueInfo ? { valueInfo: v.valueInfo } : {}) };
  }
  return {
    id: task.id,
    topicName: task.topicName,
    ...defined({
      processInstanceId: task.processInstanceId,
      processDefinitionId: task.processDefinitionId,
      processDefinitionKey: task.processDefinitionKey,
      businessKey: task.businessKey,
      activityId: task.activityId,
      tenantId: task.tenantId,
      retries: task.retries,
      lockExpirationTime: task.lockExpirationTime,
    }),
    variables,
  };
}

export interface StartContext {
  engine: string;
  workerId: string;
  taskQueue: string;
  workUnitTaskQueue: string;
  /** When the fetch that locked the task answered (epoch ms). */
  lockedAtMs?: number;
}

/** The arguments of `client.workflow.start(externalTask, …)` for one task. */
export function workflowStartOptions(
  task: LockedExternalTask,
  topic: TopicConfig,
  ctx: StartContext,
): WorkflowStartOptions<typeof externalTask> {
  const input: ExternalTaskInput = {
    engine: ctx.engine,
    workerId: ctx.workerId,
    workUnitTaskQueue: ctx.workUnitTaskQueue,
    task: taskSnapshot(task),
    topic: topicSnapshot(topic),
    ...(ctx.lockedAtMs !== undefined ? { lockedAtMs: ctx.lockedAtMs } : {}),
  };
  const attributes: SearchAttributePair[] = [
    { key: BptlEngine, value: ctx.engine },
    { key: BptlTopic, value: task.topicName },
    { key: BptlWorkUnit, value: topic.workUnit },
    ...(task.processInstanceId ? [{ key: BptlProcessInstanceId, value: task.processInstanceId }] : []),
    ...(task.processDefinitionKey
      ? [{ key: BptlProcessDefinitionKey, value: task.processDefinitionKey }]
      : []),
    ...(task.businessKey ? [{ key: BptlBusinessKey, value: task.businessKey }] : []),
    // The first state, set at start so that it costs the workflow no event.
    { key: BptlState, value: TaskStates.UnitRunning },
  ];
  return {
    workflowId: externalTaskWorkflowId(ctx.engine, task.id),
    taskQueue: ctx.taskQueue,
    args: [input],
    // A task fetched again while its workflow runs (lock expired and re-fetched, two pollers) joins the
    // running workflow; once closed, the id may be used again: Camunda offers a task again only after a
    // failure with retries left, or a resolved incident, and then it deserves a new run.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: attributes,
    // A local unit runs inside the workflow task: a time-out repeats it, so a large input gets longer
    // (src/config/lock-timings.ts).
    ...(topic.execution === 'local'
      ? {
          workflowTaskTimeout: localWorkflowTaskTimeoutMs(
            topic.lockDurationMs,
            approximateJsonBytes(input.task.variables),
          ),
        }
      : {}),
    memo: defined({
      activityId: task.activityId,
      processInstanceId: task.processInstanceId,
      businessKey: task.businessKey,
      lockExpirationTime: task.lockExpirationTime,
    }),
    staticSummary: `${task.topicName} → ${topic.workUnit}${task.businessKey ? ` (${task.businessKey})` : ''}`,
  };
}

/** How the poller starts a task's workflow: the client call and its options. */
export type WorkflowStart =
  | { method: 'start'; options: WorkflowStartOptions<typeof externalTask> }
  | {
      method: 'signalWithStart';
      options: WithWorkflowArgs<typeof externalTask, WorkflowSignalWithStartOptions<[TaskFetchedAgain]>>;
    };

/**
 * Chooses the start of a fetched task. A task that never failed (`retries` null) has no workflow that could still
 * run: a plain start (eager when asked), the fast path. A task whose `retries` is set failed before and was
 * offered again (a failure with retries left, or an operator who retried its incident); its workflow may still
 * run, e.g. waiting after the engine refused its completion. `USE_EXISTING` alone would join that workflow
 * without a word, so it is started with signal-with-start: a running workflow receives `taskFetchedAgainSignal`
 * with the new lock; a closed one gets a new run (`ALLOW_DUPLICATE`), which receives the signal too.
 */
export function workflowStart(
  task: LockedExternalTask,
  topic: TopicConfig,
  ctx: StartContext & { lockedAtMs: number; eagerStart?: boolean },
): WorkflowStart {
  const options = workflowStartOptions(task, topic, ctx);
  if (typeof task.retries !== 'number') {
    return { method: 'start', options: ctx.eagerStart ? { ...options, requestEagerStart: true } : options };
  }
  // Signal-with-start takes every start option but the eager start, which the plain options never carry.
  const fetchedAgain: TaskFetchedAgain = {
    workerId: ctx.workerId,
    lockedAtMs: ctx.lockedAtMs,
    retries: task.retries,
  };
  return {
    method: 'signalWithStart',
    options: { ...options, signal: taskFetchedAgainSignal, signalArgs: [fetchedAgain] },
  };
}
