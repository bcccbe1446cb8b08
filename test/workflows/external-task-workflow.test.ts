/**
 * The external-task workflow on Temporal's time-skipping test server, with in-process activities that
 * record their calls. Each outcome: completed, retried then completed, failed (incident), BPMN error,
 * abandoned (task gone), and engine calls retried until they land.
 * With BPTL_RECORD_HISTORIES=1 the histories are written to test/workflows/histories/ for the replay tests.
 */

import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { describe, expect, test } from 'vitest';
import type {
  EngineActivities,
  KeepLockResult,
  TaskInspection,
  WorkUnitActivities,
  WorkUnitResult,
} from '../../src/activities/types.ts';
import { FailureTypes } from '../../src/activities/types.ts';
import type { ExternalTaskInput } from '../../src/workflows/external-task-input.ts';
import { externalTask, HISTORY_EVENTS_LIMIT } from '../../src/workflows/external-task-workflow.ts';
import { BptlState } from '../../src/workflows/search-attributes.ts';
import { type TaskStateMemo, TaskStates, taskFetchedAgainSignal } from '../../src/workflows/task-state.ts';
import { historiesDir } from '../support/paths.ts';
import { createTimeSkippingEnv, workflowBundle } from './workflow-env.ts';

/** The file's time-skipping test server (one per file: it takes a few seconds to start), torn down at its end. */
const it = test
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('env', { scope: 'file' }, async ({}, { onCleanup }) => {
    const env = await createTimeSkippingEnv();
    onCleanup(() => env.teardown());
    return env;
  });

function input(taskQueue: string, overrides: Partial<ExternalTaskInput['topic']> = {}): ExternalTaskInput {
  return {
    engine: 'test',
    workerId: 'worker-1',
    workUnitTaskQueue: taskQueue,
    task: {
      id: `task-${randomUUID()}`,
      topicName: 'orders',
      processInstanceId: 'pi-1',
      businessKey: 'order-42',
      variables: { name: { type: 'String', value: 'Ada' } },
    },
    topic: {
      topic: 'orders',
      workUnit: 'greet',
      lockDurationMs: 60_000,
      retry: {
        initialIntervalMs: 1_000,
        backoffCoefficient: 2,
        maximumIntervalMs: 60_000,
        maximumAttempts: 3,
      },
      startToCloseTimeoutMs: 60_000,
      heartbeatTimeoutMs: 30_000,
      camundaRetries: 0,
      camundaRetryTimeoutMs: 0,
      ...overrides,
    },
  };
}

interface Calls {
  runWorkUnit: number;
  /** The input of each attempt. */
  attempts: Array<Parameters<WorkUnitActivities['runWorkUnit']>[0]>;
  keepLock: Array<Parameters<EngineActivities['keepLock']>[0]>;
  inspectTask: number;
  callbacks: Array<Parameters<EngineActivities['postCallback']>[0]>;
  complete: Array<Parameters<EngineActivities['completeTask']>[0]>;
  failure: Array<Parameters<EngineActivities['reportFailure']>[0]>;
  bpmnError: Array<Parameters<EngineActivities['throwBpmnError']>[0]>;
}

/** Runs the workflow once with the given activity behaviour; returns its result, the calls and the history. */
async function run(
  env: TestWorkflowEnvironment,
  name: string,
  behaviour: {
    runWorkUnit: (attempt: number) => Promise<WorkUnitResult>;
    completeTask?: (attempt: number) => Promise<void>;
    reportFailure?: (call: number) => Promise<void>;
    keepLock?: (call: number) => Promise<KeepLockResult>;
    throwBpmnError?: (call: number) => Promise<void>;
    completedBy?: () => Promise<boolean>;
    inspectTask?: (call: number) => Promise<TaskInspection>;
    /** Runs beside the workflow once it has started (signals, queries, a look at its state). */
    meanwhile?: (handle: WorkflowHandle) => Promise<void>;
  },
  topic: Partial<ExternalTaskInput['topic']> = {},
  taskVariables: ExternalTaskInput['task']['variables'] = {},
) {
  const taskQueue = `wf-${name}-${randomUUID()}`;
  const calls: Calls = {
    runWorkUnit: 0,
    attempts: [],
    keepLock: [],
    inspectTask: 0,
    callbacks: [],
    complete: [],
    failure: [],
    bpmnError: [],
  };
  let completeAttempts = 0;
  let failureCalls = 0;
  const activities: EngineActivities & WorkUnitActivities = {
    runWorkUnit: async (attempt) => {
      calls.attempts.push(attempt);
      return behaviour.runWorkUnit(++calls.runWorkUnit);
    },
    completeTask: async (command) => {
      await behaviour.completeTask?.(++completeAttempts);
      calls.complete.push(command);
    },
    reportFailure: async (command) => {
      await behaviour.reportFailure?.(++failureCalls);
      calls.failure.push(command);
    },
    throwBpmnError: async (command) => {
      await behaviour.throwBpmnError?.(calls.bpmnError.length + 1);
      calls.bpmnError.push(command);
    },
    keepLock: async (command) => {
      calls.keepLock.push(command);
      return behaviour.keepLock ? behaviour.keepLock(calls.keepLock.length) : { status: 'extended' };
    },
    completedBy: async () => (behaviour.completedBy ? behaviour.completedBy() : false),
    inspectTask: async () => {
      const call = ++calls.inspectTask;
      return behaviour.inspectTask
        ? behaviour.inspectTask(call)
        : { exists: true, retries: 0, workerId: 'worker-1', lockExpirationTime: null };
    },
    postCallback: async (request) => {
      calls.callbacks.push(request);
    },
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
  const args = input(taskQueue, topic);
  Object.assign(args.task.variables, taskVariables);
  const workflowId = `camunda/test/${args.task.id}`;
  let firstRunId = '';
  const result = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(externalTask, {
      workflowId,
      taskQueue,
      args: [args],
      // As the poller starts it (task-to-workflow.ts): the first state costs no event.
      typedSearchAttributes: [{ key: BptlState, value: TaskStates.UnitRunning }],
    });
    firstRunId = handle.firstExecutionRunId;
    const [value] = await Promise.all([handle.result(), behaviour.meanwhile?.(handle)]);
    return value;
  });
  // The history of the last run (a workflow that continued as new has more than one).
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  if (process.env.BPTL_RECORD_HISTORIES === '1') {
    await writeFile(path.join(historiesDir, `${name}.json`), historyToJSON(history));
  }
  const firstRun = await env.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
  return { result, calls, args, history, firstRun };
}

/** The history's event types, e.g. `TIMER_STARTED`. */
function eventTypes(history: Awaited<ReturnType<typeof run>>['history']): string[] {
  return (history.events ?? []).map((e) =>
    String(temporal.api.enums.v1.EventType[e.eventType ?? 0]).replace(/^EVENT_TYPE_/, ''),
  );
}

const count = (types: string[], type: string) => types.filter((t) => t === type).length;

const completed = (): Promise<WorkUnitResult> =>
  Promise.resolve({ outcome: 'completed', variables: { greeting: { type: 'String', value: 'Hello, Ada' } } });

describe('externalTask workflow', () => {
  it('completes the task with the work unit output, sending the worker id', async ({ env }) => {
    const { result, calls, args } = await run(env, 'completed', { runWorkUnit: completed });
    expect(result).toEqual({ outcome: 'completed', variables: ['greeting'] });
    expect(calls.complete).toEqual([
      {
        engine: 'test',
        taskId: args.task.id,
        workerId: 'worker-1',
        // The topic labels the worker's metrics.
        topic: args.task.topicName,
        variables: { greeting: { type: 'String', value: 'Hello, Ada' } },
      },
    ]);
    expect(calls.failure).toEqual([]);
  });

  it("gives each attempt the topic's service bindings and applications, and none when the topic has none", async ({
    env,
  }) => {
    const { calls } = await run(
      env,
      'applications',
      { runWorkUnit: completed },
      { services: { zrc: 'zaken' }, applications: ['app-1', 'app-2'] },
    );
    expect(calls.attempts[0]).toMatchObject({ services: { zrc: 'zaken' }, applications: ['app-1', 'app-2'] });
    const { calls: plain } = await run(env, 'no-applications', { runWorkUnit: completed });
    expect(plain.attempts[0]).not.toHaveProperty('applications');
  });

  it('retries a failing work unit under the topic policy, then completes once', async ({ env }) => {
    const { result, calls } = await run(env, 'retried', {
      runWorkUnit: async (attempt) => {
        if (attempt < 3) throw new Error(`flaky ${attempt}`);
        return completed();
      },
    });
    expect(result.outcome).toBe('completed');
    expect(calls.runWorkUnit).toBe(3);
    expect(calls.complete).toHaveLength(1);
  });

  it('reports a failure with Camunda retries from the topic when the attempts are exhausted', async ({
    env,
  }) => {
    const { result, calls } = await run(
      env,
      'failed',
      {
        runWorkUnit: async (attempt) => {
          throw new Error(`service down (attempt ${attempt})`);
        },
      },
      { camundaRetries: 2, camundaRetryTimeoutMs: 30_000 },
    );
    expect(result).toEqual({ outcome: 'failed', reason: 'service down (attempt 3)' });
    expect(calls.runWorkUnit).toBe(3);
    expect(calls.complete).toEqual([]);
    expect(calls.failure).toHaveLength(1);
    expect(calls.failure[0]).toMatchObject({
      errorMessage: 'service down (attempt 3)',
      retries: 2,
      retryTimeoutMs: 30_000,
      workerId: 'worker-1',
    });
    expect(calls.failure[0]!.errorDetails).toContain('work unit: greet');
  });

  it('an attempt that never heartbeats: its incident says the worker sent no heartbeat, not just "Heartbeat timeout"', async ({
    env,
  }) => {
    const { result, calls } = await run(
      env,
      'silent',
      {
        // A worker too busy to heartbeat: the attempt says nothing for longer than the heartbeat time-out.
        runWorkUnit: () =>
          new Promise((resolve) => setTimeout(() => resolve({ outcome: 'completed', variables: {} }), 3_000)),
      },
      { heartbeatTimeoutMs: 1_000, retry: { ...input('q').topic.retry, maximumAttempts: 2 } },
    );
    expect(result.outcome).toBe('failed');
    expect(calls.runWorkUnit).toBe(2);
    expect(calls.failure[0]?.errorMessage).toMatch(
      /^the work unit's worker sent no heartbeat for 1 s \(2 attempts\): it died, or was too busy to heartbeat/,
    );
    expect(calls.failure[0]?.errorDetails).toContain('failure type: TimeoutFailure');
  });

  it('does not retry a non-retryable failure', async ({ env }) => {
    const { result, calls } = await run(env, 'non-retryable', {
      runWorkUnit: async () => {
        throw ApplicationFailure.nonRetryable("variable 'name': must be a string", 'VariableError');
      },
    });
    expect(result.outcome).toBe('failed');
    expect(calls.runWorkUnit).toBe(1);
    expect(calls.failure[0]!.errorMessage).toBe("variable 'name': must be a string");
    expect(calls.failure[0]!.errorDetails).toContain('failure type: VariableError');
  });

  it('throws a BPMN error, never retried', async ({ env }) => {
    const { result, calls } = await run(env, 'bpmn-error', {
      runWorkUnit: async () => ({
        outcome: 'bpmn-error',
        errorCode: 'NOT_FOUND',
        errorMessage: 'no such order',
        variables: { reason: { type: 'String', value: 'gone' } },
      }),
    });
    expect(result).toEqual({ outcome: 'bpmn-error', reason: 'NOT_FOUND: no such order' });
    expect(calls.bpmnError).toEqual([
      expect.objectContaining({
        errorCode: 'NOT_FOUND',
        variables: { reason: { type: 'String', value: 'gone' } },
      }),
    ]);
    expect(calls.complete).toEqual([]);
  });

  it('ends as abandoned when the task is gone at completion', async ({ env }) => {
    const { result, calls } = await run(env, 'abandoned', {
      runWorkUnit: completed,
      completeTask: async () => {
        throw ApplicationFailure.nonRetryable('task not found', FailureTypes.TaskGone);
      },
    });
    expect(result.outcome).toBe('abandoned');
    expect(result.reason).toContain('task not found');
    expect(calls.complete).toEqual([]);
    expect(calls.failure).toEqual([]);
  });

  it('a completion whose answer was lost: the retry finds the task gone, the history shows it landed: completed', async ({
    env,
  }) => {
    const { result, calls } = await run(env, 'completed-answer-lost', {
      runWorkUnit: completed,
      completeTask: async (attempt) => {
        if (attempt === 1)
          throw new Error('POST /external-task/x/complete: the engine did not answer (timed out)');
        throw ApplicationFailure.nonRetryable(
          'External task with id x does not exist',
          FailureTypes.TaskGone,
        );
      },
      completedBy: async () => true,
    });
    expect(result).toEqual({ outcome: 'completed', variables: ['greeting'] });
    expect(calls.failure).toEqual([]);
  });

  it('retries a completion until the engine takes it', async ({ env }) => {
    const { result, calls } = await run(env, 'complete-retried', {
      runWorkUnit: completed,
      completeTask: async (attempt) => {
        if (attempt <= 2) throw new Error('ECONNREFUSED');
      },
    });
    expect(result.outcome).toBe('completed');
    expect(calls.complete).toHaveLength(1);
    expect(calls.runWorkUnit).toBe(1);
  });

  it('keeps the lock through hours of back-off between attempts with one renewal per wait, then completes once', async ({
    env,
  }) => {
    const { result, calls } = await run(
      env,
      'lock-kept-over-hours',
      {
        runWorkUnit: async (attempt) => {
          if (attempt < 4) throw new Error(`down for maintenance (attempt ${attempt})`);
          return completed();
        },
      },
      {
        lockDurationMs: 10 * 60_000,
        retry: {
          initialIntervalMs: 3_600_000,
          backoffCoefficient: 1,
          maximumIntervalMs: 3_600_000,
          maximumAttempts: 4,
        },
      },
    );
    expect(result.outcome).toBe('completed');
    expect(calls.runWorkUnit).toBe(4);
    // Three hours of back-off: each wait extends the lock once, over the hour plus one lock duration.
    expect(calls.keepLock.map((c) => c.lockDurationMs)).toEqual([4_200_000, 4_200_000, 4_200_000]);
    // The workflow numbers the attempts and hands the runner the lock to keep while the unit runs.
    expect(calls.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(calls.attempts[1]?.lock).toMatchObject({ workerId: 'worker-1', lockDurationMs: 600_000 });
    expect(calls.complete).toHaveLength(1);
  });

  it('stops retrying and ends as abandoned when the task is found lost during the back-off, without calling the engine', async ({
    env,
  }) => {
    const { result, calls } = await run(
      env,
      'lost',
      {
        runWorkUnit: async () => {
          throw new Error('service unavailable');
        },
        keepLock: async (call) =>
          call < 2
            ? { status: 'extended' }
            : { status: 'lost', reason: 'the task is gone (External task with id x does not exist)' },
      },
      {
        lockDurationMs: 10 * 60_000,
        retry: {
          initialIntervalMs: 3_600_000,
          backoffCoefficient: 1,
          maximumIntervalMs: 3_600_000,
          maximumAttempts: 5,
        },
      },
    );
    expect(result).toEqual({
      outcome: 'abandoned',
      reason: 'the task is gone (External task with id x does not exist)',
    });
    // Lost at the second back-off's renewal: the third attempt never ran.
    expect(calls.runWorkUnit).toBe(2);
    expect(calls.keepLock).toHaveLength(2);
    expect(calls.complete).toEqual([]);
    expect(calls.failure).toEqual([]);
  });

  it('ends as abandoned when the runner reports the task gone during an attempt', async ({ env }) => {
    const { result, calls } = await run(env, 'lost-while-running', {
      runWorkUnit: async () => {
        throw ApplicationFailure.create({
          type: FailureTypes.TaskGone,
          nonRetryable: true,
          message: 'the task is gone (External task with id x does not exist)',
        });
      },
    });
    expect(result.outcome).toBe('abandoned');
    expect(result.reason).toContain('the task is gone');
    expect(calls.runWorkUnit).toBe(1);
    expect(calls.failure).toEqual([]);
  });

  it('reports a failure when the engine refuses the output', async ({ env }) => {
    const { result, calls } = await run(env, 'output-refused', {
      runWorkUnit: completed,
      completeTask: async () => {
        throw ApplicationFailure.nonRetryable(
          "Cannot convert value 'x' of type 'Date' to java type java.util.Date",
          FailureTypes.EngineRejected,
        );
      },
    });
    expect(result.outcome).toBe('failed');
    expect(calls.failure).toHaveLength(1);
    expect(calls.failure[0]!.errorMessage).toBe(
      "the engine refused the work unit's output: Cannot convert value 'x' of type 'Date' to java type java.util.Date",
    );
  });

  it('posts to the callbackUrl after completing', async ({ env }) => {
    const { result, calls, args } = await run(
      env,
      'callback',
      { runWorkUnit: completed },
      {},
      {
        callbackUrl: { type: 'String', value: 'http://127.0.0.1:9/hook' },
      },
    );
    expect(result).toEqual({ outcome: 'completed', variables: ['greeting'], callback: 'sent' });
    expect(calls.callbacks).toEqual([
      {
        url: 'http://127.0.0.1:9/hook',
        body: expect.objectContaining({
          externalTaskId: args.task.id,
          outcome: 'completed',
          topic: 'orders',
        }),
      },
    ]);
  });
});

describe('externalTask workflow with execution: local (the work unit as a local activity)', () => {
  it('runs the work unit and the completion in one workflow task: no activity task, no timer', async ({
    env,
  }) => {
    const { result, calls, history } = await run(
      env,
      'local-completed',
      { runWorkUnit: completed },
      { execution: 'local' },
    );
    expect(result).toEqual({ outcome: 'completed', variables: ['greeting'] });
    expect(calls.runWorkUnit).toBe(1);
    expect(calls.complete).toHaveLength(1);
    const types = eventTypes(history);
    expect(count(types, 'WORKFLOW_TASK_COMPLETED')).toBe(1);
    expect(count(types, 'MARKER_RECORDED')).toBe(2); // the work unit and the completion
    // The lock timer was started and cancelled within the workflow task, so it never reached the server.
    expect(types.filter((t) => t.startsWith('ACTIVITY_TASK_') || t.startsWith('TIMER_'))).toEqual([]);
  });

  it('costs an activity task and a second workflow task as an activity, and no timer (the runner keeps the lock)', async ({
    env,
  }) => {
    const { history } = await run(env, 'completed-as-activity', { runWorkUnit: completed });
    const types = eventTypes(history);
    expect(count(types, 'WORKFLOW_TASK_COMPLETED')).toBe(2);
    expect(count(types, 'ACTIVITY_TASK_SCHEDULED')).toBe(1);
    expect(count(types, 'TIMER_STARTED')).toBe(0);
    // The happy path writes no state: the poller set it at start, the end sets outcome and state at once.
    expect(count(types, 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES')).toBe(1);
    expect(count(types, 'WORKFLOW_PROPERTIES_MODIFIED')).toBe(0);
  });

  it('retries a failing local work unit under the topic policy, then completes once', async ({ env }) => {
    const { result, calls } = await run(
      env,
      'local-retried',
      {
        runWorkUnit: async (attempt) => {
          if (attempt < 3) throw new Error(`flaky ${attempt}`);
          return completed();
        },
      },
      { execution: 'local', retry: { ...input('q').topic.retry, initialIntervalMs: 100 } },
    );
    expect(result.outcome).toBe('completed');
    expect(calls.runWorkUnit).toBe(3);
    expect(calls.complete).toHaveLength(1);
  });

  it('reports the failure once the attempts are exhausted, and never retries a non-retryable one', async ({
    env,
  }) => {
    const retry = { ...input('q').topic.retry, initialIntervalMs: 100 };
    const exhausted = await run(
      env,
      'local-failed',
      {
        runWorkUnit: async (attempt) => {
          throw ApplicationFailure.create({ message: `down (attempt ${attempt})`, details: [{ attempt }] });
        },
      },
      { execution: 'local', retry },
    );
    expect(exhausted.result).toEqual({ outcome: 'failed', reason: 'down (attempt 3)' });
    expect(exhausted.calls.runWorkUnit).toBe(3);
    expect(exhausted.calls.failure[0]!.errorDetails).toContain('attempts: 3 (at most 3)');

    const final = await run(
      env,
      'local-non-retryable',
      {
        runWorkUnit: async () => {
          throw ApplicationFailure.nonRetryable("variable 'name': must be a string", 'InputError');
        },
      },
      { execution: 'local', retry },
    );
    expect(final.result.outcome).toBe('failed');
    expect(final.calls.runWorkUnit).toBe(1);
    expect(final.calls.failure[0]!.errorDetails).toContain('failure type: InputError');
  });
});

/** Waits (in real time) until the workflow shows `state`; returns its memo's state entry. */
async function stateOf(handle: WorkflowHandle, state: string): Promise<TaskStateMemo> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const description = await handle.describe();
    const memo = (description.memo as { state?: TaskStateMemo } | undefined)?.state;
    if (description.typedSearchAttributes.get(BptlState) === state && memo?.state === state) return memo;
    if (Date.now() > deadline)
      throw new Error(`the workflow never showed ${state} (memo: ${JSON.stringify(memo)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What Camunda answers a completion whose next step fails (measured on 7.24; see shared/REFERENCE.md). */
const refusedByEngine = () =>
  ApplicationFailure.create({
    type: FailureTypes.EngineRefused,
    nonRetryable: true,
    details: [{ status: 500, engineType: 'ProcessEngineException', engineCode: 0 }],
    message:
      "POST /external-task/x/complete: Unknown property used in expression: ${undefinedVariable}. Cause: Cannot resolve identifier 'undefinedVariable'",
  });

/** The schedule of the workflow's looks at a task with an open incident: 1 min, 2 min, … 1 h apart. */
function probedAfterMs(probes: number): number {
  let total = 0;
  for (let i = 0, wait = 60_000; i < probes; i++, wait = Math.min(wait * 2, 3_600_000)) total += wait;
  return total;
}

const SEVEN_DAYS_MS = 7 * 24 * 3_600_000;

/**
 * An engine that refuses the completion, with the incident open (retries 0), until the workflow has looked at
 * the task `probes` times; then the incident is retried (retries 1) and the completion is taken.
 */
function incidentRetriedAfter(probes: number) {
  let seen = 0;
  return {
    completeTask: async () => {
      if (seen < probes) throw refusedByEngine();
    },
    inspectTask: async (): Promise<TaskInspection> => {
      seen++;
      return { exists: true, retries: seen < probes ? 0 : 1, workerId: 'worker-1', lockExpirationTime: null };
    },
  };
}

/** The states a history went through, as its memo upserts wrote them (what the UI showed at each point). */
function statesIn(history: Awaited<ReturnType<typeof run>>['history']): TaskStateMemo[] {
  const states: TaskStateMemo[] = [];
  for (const event of history.events ?? []) {
    const payload = event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.state;
    if (payload?.data) states.push(JSON.parse(Buffer.from(payload.data).toString('utf8')) as TaskStateMemo);
  }
  return states;
}

describe('failure paths: every wait visible and bounded', () => {
  it('a completion the engine refuses: an incident with its message after the configured attempts; retried, the kept output completes the task', async ({
    env,
  }) => {
    let fixed = false;
    let shown: TaskStateMemo | undefined;
    const { result, calls } = await run(
      env,
      'completion-refused',
      {
        runWorkUnit: completed,
        completeTask: async () => {
          if (!fixed) throw refusedByEngine();
        },
        meanwhile: async (handle) => {
          shown = await stateOf(handle, TaskStates.CompletionRefused);
          // The operator fixes the cause and retries the incident; the poller fetches the task again.
          fixed = true;
          await handle.signal(taskFetchedAgainSignal, {
            workerId: 'worker-2',
            lockedAtMs: Date.now(),
            retries: 1,
          });
        },
      },
      { refusedCompletionAttempts: 3 },
    );
    expect(result).toEqual({ outcome: 'completed', variables: ['greeting'] });
    expect(calls.runWorkUnit).toBe(1);
    expect(calls.failure).toHaveLength(1);
    expect(calls.failure[0]).toMatchObject({ retries: 0, workerId: 'worker-1' });
    expect(calls.failure[0]!.errorMessage).toMatch(
      /^completion refused by the engine: POST \/external-task\/x\/complete: Unknown property used in expression/,
    );
    expect(calls.failure[0]!.errorDetails).toContain('variables: greeting');
    expect(calls.failure[0]!.errorDetails).toContain('tried: 3 times');
    expect(calls.failure[0]!.errorDetails).toContain('the engine answered HTTP 500 ProcessEngineException');
    expect(shown?.reason).toContain('an incident is open');
    // Completed with the original output, under the worker id that fetched it again.
    expect(calls.complete).toEqual([
      expect.objectContaining({
        workerId: 'worker-2',
        variables: { greeting: { type: 'String', value: 'Hello, Ada' } },
      }),
    ]);
  });

  it('a completion refused for 7 days: the wait stays visible and its history bounded; then retried, completed once', async ({
    env,
  }) => {
    const fixedAfterProbes = (() => {
      let probes = 0;
      while (probedAfterMs(probes) < SEVEN_DAYS_MS) probes++;
      return probes;
    })();
    // The incident stays open for a week, then someone retries it (the poller is down: no signal).
    const { result, calls, history } = await run(env, 'completion-refused-week', {
      runWorkUnit: completed,
      ...incidentRetriedAfter(fixedAfterProbes),
    });
    expect(result.outcome).toBe('completed');
    expect(calls.runWorkUnit).toBe(1);
    expect(calls.failure).toHaveLength(1);
    expect(calls.inspectTask).toBe(fixedAfterProbes);
    const events = history.events?.length ?? 0;
    console.info(`completion refused for 7 days: ${fixedAfterProbes} looks at the task, ${events} events`);
    expect(events).toBeLessThan(10_240);
  });

  it('a completion refused for 30 days continues as new before its history grows long, and completes once', async ({
    env,
  }) => {
    const fixedAfterProbes = 6 + 30 * 24; // 1, 2, 4 … 32 min, then hourly for 30 days
    const { result, calls, history, firstRun } = await run(env, 'completion-refused-month', {
      runWorkUnit: completed,
      ...incidentRetriedAfter(fixedAfterProbes),
    });
    expect(result.outcome).toBe('completed');
    expect(calls.runWorkUnit).toBe(1);
    // One incident: the new run goes on waiting on it, with the kept output.
    expect(calls.failure).toHaveLength(1);
    expect(calls.complete).toEqual([
      expect.objectContaining({ variables: { greeting: { type: 'String', value: 'Hello, Ada' } } }),
    ]);
    const firstTypes = eventTypes(firstRun);
    expect(firstTypes.at(-1)).toBe('WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
    // The new run keeps the search attributes: it is still found by its state.
    const carried =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields;
    expect(Buffer.from(carried?.BptlState?.data ?? new Uint8Array()).toString()).toBe('"completion-refused"');
    expect(firstTypes.length).toBeLessThan(HISTORY_EVENTS_LIMIT + 20);
    expect(history.events?.length ?? 0).toBeLessThan(HISTORY_EVENTS_LIMIT + 20);
    console.info(
      `completion refused for 30 days: first run ${firstTypes.length} events, last run ${history.events?.length} events`,
    );
  });

  it('a task whose instance is deleted while its incident is open: found at the next look, abandoned', async ({
    env,
  }) => {
    const { result, calls } = await run(env, 'completion-refused-gone', {
      runWorkUnit: completed,
      completeTask: async () => {
        throw refusedByEngine();
      },
      inspectTask: async (call) =>
        call < 3
          ? { exists: true, retries: 0, workerId: 'worker-1', lockExpirationTime: null }
          : { exists: false },
    });
    expect(result.outcome).toBe('abandoned');
    expect(result.reason).toContain('gone while its incident was open');
    expect(calls.runWorkUnit).toBe(1);
  });

  it('a unit that runs for 7 days with a 60 s lock adds no event while it runs: the runner keeps the lock', async ({
    env,
  }) => {
    const { result, calls, history } = await run(
      env,
      'unit-seven-days',
      {
        // The attempt completes asynchronously, 7 days (of skipped time) later, as a long unit would.
        runWorkUnit: async () => {
          const { taskToken } = Context.current().info;
          void env.sleep(SEVEN_DAYS_MS).then(() =>
            env.client.activity.complete(taskToken, {
              outcome: 'completed',
              variables: { greeting: { type: 'String', value: 'Hello, Ada' } },
            }),
          );
          throw new CompleteAsyncError();
        },
      },
      {
        lockDurationMs: 60_000,
        startToCloseTimeoutMs: 8 * 24 * 3_600_000,
        heartbeatTimeoutMs: 8 * 24 * 3_600_000,
      },
    );
    expect(result.outcome).toBe('completed');
    expect(calls.keepLock).toEqual([]);
    const types = eventTypes(history);
    const started = Number(history.events?.[0]?.eventTime?.seconds ?? 0);
    const closed = Number(history.events?.at(-1)?.eventTime?.seconds ?? 0);
    console.info(
      `a unit running 7 days: ${types.length} events over ${((closed - started) / 86_400).toFixed(1)} days`,
    );
    expect(closed - started).toBeGreaterThanOrEqual(SEVEN_DAYS_MS / 1000);
    expect(types.length).toBeLessThan(20);
  });

  it('an attempt that failed shows unit-retrying with its error while it waits for the next one', async ({
    env,
  }) => {
    const { result, calls, history } = await run(
      env,
      'unit-retrying',
      {
        runWorkUnit: async (attempt) => {
          if (attempt === 1) throw new Error('zrc answered 503');
          return completed();
        },
      },
      {
        retry: {
          initialIntervalMs: 3_600_000,
          backoffCoefficient: 2,
          maximumIntervalMs: 3_600_000,
          maximumAttempts: 3,
        },
      },
    );
    expect(result.outcome).toBe('completed');
    expect(calls.runWorkUnit).toBe(2);
    const states = statesIn(history);
    expect(states.map((s) => s.state)).toEqual(['unit-retrying', 'unit-running', 'closed']);
    expect(states[0]?.reason).toBe('attempt failed: zrc answered 503; attempt 2 of 3 in 3600 s');
    expect(states[0]?.lastError).toMatchObject({ type: 'Error', message: 'zrc answered 503' });
    expect(states[1]?.reason).toBe("the work unit 'greet' runs: attempt 2 of 3");
  });

  it('an engine call that keeps failing becomes a normal activity, visible as engine-call-failing, and lands', async ({
    env,
  }) => {
    let seen = false;
    let shown: TaskStateMemo | undefined;
    const { result, calls, history } = await run(env, 'engine-call-failing', {
      runWorkUnit: completed,
      completeTask: async () => {
        if (!seen)
          throw new Error('POST /external-task/x/complete: the engine did not answer (ECONNREFUSED)');
      },
      meanwhile: async (handle) => {
        shown = await stateOf(handle, TaskStates.EngineCallFailing);
        seen = true;
      },
    });
    expect(result.outcome).toBe('completed');
    expect(calls.complete).toHaveLength(1);
    expect(shown?.lastError?.message).toContain('ECONNREFUSED');
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(scheduled).toEqual(['runWorkUnit', 'completeTask']);
  });

  it('a work unit no worker has: looked for a while, then an incident that says so', async ({ env }) => {
    const { result, calls } = await run(env, 'unknown-work-unit', {
      runWorkUnit: async () => {
        throw ApplicationFailure.create({
          type: FailureTypes.UnknownWorkUnit,
          message: "work unit 'greet' is not registered on this worker (it has: echo)",
        });
      },
    });
    expect(result.outcome).toBe('failed');
    expect(calls.runWorkUnit).toBe(7);
    expect(calls.failure[0]!.errorMessage).toBe(
      "no worker has the work unit 'greet' (looked 7 times): deploy a worker that has it, then retry this incident",
    );
    expect(calls.failure[0]!.errorDetails).toContain('is not registered on this worker (it has: echo)');
  });

  it('an engine the workers do not know (after its limit): abandoned with that reason, no endless retry', async ({
    env,
  }) => {
    const { result, calls } = await run(env, 'engine-unknown', {
      runWorkUnit: completed,
      completeTask: async () => {
        throw ApplicationFailure.create({
          type: FailureTypes.UnknownEngine,
          nonRetryable: true,
          message: "engine 'test' is not configured on this worker (waited 600 s)",
        });
      },
    });
    expect(result).toEqual({
      outcome: 'abandoned',
      reason: "engine 'test' is not configured on this worker (waited 600 s)",
    });
    expect(calls.failure).toEqual([]);
  });

  it('a BPMN error the engine refuses: an incident, then thrown again with the kept variables once retried', async ({
    env,
  }) => {
    let fixed = false;
    let bpmnCalls = 0;
    const { result, calls } = await run(env, 'bpmn-error-refused', {
      runWorkUnit: async () => ({
        outcome: 'bpmn-error',
        errorCode: 'NOT_FOUND',
        errorMessage: 'no such order',
        variables: { reason: { type: 'String', value: 'gone' } },
      }),
      throwBpmnError: async () => {
        bpmnCalls++;
        if (!fixed) throw refusedByEngine();
      },
      meanwhile: async (handle) => {
        await stateOf(handle, TaskStates.BpmnErrorRefused);
        fixed = true;
        await handle.signal(taskFetchedAgainSignal, {
          workerId: 'worker-1',
          lockedAtMs: Date.now(),
          retries: 1,
        });
      },
    });
    expect(result).toEqual({ outcome: 'bpmn-error', reason: 'NOT_FOUND: no such order' });
    expect(calls.runWorkUnit).toBe(1);
    expect(calls.failure[0]!.errorMessage).toMatch(/^BPMN error refused by the engine: /);
    expect(bpmnCalls).toBe(4);
    expect(calls.bpmnError).toEqual([
      expect.objectContaining({
        errorCode: 'NOT_FOUND',
        variables: { reason: { type: 'String', value: 'gone' } },
      }),
    ]);
  });

  it("a failure report carries the unit's own stack and its cause chain", async ({ env }) => {
    const { calls } = await run(env, 'failure-cause', {
      runWorkUnit: async () => {
        const cause = new Error('connect ECONNREFUSED 127.0.0.1:9');
        throw ApplicationFailure.create({
          type: 'ZaakNotCreated',
          message: 'cannot create the zaak',
          nonRetryable: true,
          cause,
        });
      },
    });
    const details = calls.failure[0]!.errorDetails;
    expect(details).toContain('ZaakNotCreated: cannot create the zaak');
    expect(details).toContain('caused by: Error: connect ECONNREFUSED 127.0.0.1:9');
    expect(details).toMatch(/at .*external-task-workflow\.test\.ts/);
  });
});

describe('workflow stack traces', () => {
  it("a worker created without BPTL's switch answers the stack trace query with the workflow's stack", async ({
    env,
  }) => {
    const taskQueue = `wf-stack-${randomUUID()}`;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: {
        runWorkUnit: async () => {
          started();
          await gate;
          return completed();
        },
        completeTask: async () => {},
        keepLock: async () => ({ status: 'extended' }),
      },
    });
    const args = input(taskQueue);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(externalTask, {
        workflowId: `camunda/test/${args.task.id}`,
        taskQueue,
        args: [args],
      });
      await running;
      const stack = await handle.query<string>('__stack_trace');
      release();
      await handle.result();
      // Source-mapped frames of the workflow, waiting on its work unit's attempt (run-unit.ts).
      expect(stack).toContain('src/workflows/external-task-workflow.ts');
      expect(stack).toMatch(/src\/workflows\/run-unit\.ts:\d+:\d+/);
    });
  });
});
