/**
 * The external-task workflow on Temporal's time-skipping test server, with in-process activities that
 * record their calls. Each outcome: completed, retried then completed, failed (incident), BPMN error,
 * abandoned (task gone), and engine calls retried until they land.
 * With BPTL_RECORD_HISTORIES=1 the histories are written to test/workflows/histories/ for the replay tests.
 */

import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  EngineActivities,
  KeepLockResult,
  WorkUnitActivities,
  WorkUnitResult,
} from '../../src/activities/types.ts';
import { FailureTypes } from '../../src/activities/types.ts';
import type { ExternalTaskInput } from '../../src/workflows/external-task-input.ts';
import { externalTask } from '../../src/workflows/external-task-workflow.ts';
import { historiesDir } from '../support/paths.ts';
import { createTimeSkippingEnv, workflowBundle } from './workflow-env.ts';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
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
  keepLock: number;
  callbacks: Array<Parameters<EngineActivities['postCallback']>[0]>;
  complete: Array<Parameters<EngineActivities['completeTask']>[0]>;
  failure: Array<Parameters<EngineActivities['reportFailure']>[0]>;
  bpmnError: Array<Parameters<EngineActivities['throwBpmnError']>[0]>;
}

/** Runs the workflow once with the given activity behaviour; returns its result, the calls and the history. */
async function run(
  name: string,
  behaviour: {
    runWorkUnit: (attempt: number) => Promise<WorkUnitResult>;
    completeTask?: (attempt: number) => Promise<void>;
    keepLock?: (call: number) => Promise<KeepLockResult>;
  },
  topic: Partial<ExternalTaskInput['topic']> = {},
  taskVariables: ExternalTaskInput['task']['variables'] = {},
) {
  const taskQueue = `wf-${name}-${randomUUID()}`;
  const calls: Calls = {
    runWorkUnit: 0,
    keepLock: 0,
    callbacks: [],
    complete: [],
    failure: [],
    bpmnError: [],
  };
  let completeAttempts = 0;
  const activities: EngineActivities & WorkUnitActivities = {
    runWorkUnit: async () => behaviour.runWorkUnit(++calls.runWorkUnit),
    completeTask: async (command) => {
      await behaviour.completeTask?.(++completeAttempts);
      calls.complete.push(command);
    },
    reportFailure: async (command) => {
      calls.failure.push(command);
    },
    throwBpmnError: async (command) => {
      calls.bpmnError.push(command);
    },
    keepLock: async () => {
      const call = ++calls.keepLock;
      return behaviour.keepLock ? behaviour.keepLock(call) : { status: 'extended' };
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
  const result = await worker.runUntil(
    env.client.workflow.execute(externalTask, { workflowId, taskQueue, args: [args] }),
  );
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  if (process.env.BPTL_RECORD_HISTORIES === '1') {
    await writeFile(path.join(historiesDir, `${name}.json`), historyToJSON(history));
  }
  return { result, calls, args, history };
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
  it('completes the task with the work unit output, sending the worker id', async () => {
    const { result, calls, args } = await run('completed', { runWorkUnit: completed });
    expect(result).toEqual({ outcome: 'completed', variables: ['greeting'] });
    expect(calls.complete).toEqual([
      {
        engine: 'test',
        taskId: args.task.id,
        workerId: 'worker-1',
        variables: { greeting: { type: 'String', value: 'Hello, Ada' } },
      },
    ]);
    expect(calls.failure).toEqual([]);
  });

  it('retries a failing work unit under the topic policy, then completes once', async () => {
    const { result, calls } = await run('retried', {
      runWorkUnit: async (attempt) => {
        if (attempt < 3) throw new Error(`flaky ${attempt}`);
        return completed();
      },
    });
    expect(result.outcome).toBe('completed');
    expect(calls.runWorkUnit).toBe(3);
    expect(calls.complete).toHaveLength(1);
  });

  it('reports a failure with Camunda retries from the topic when the attempts are exhausted', async () => {
    const { result, calls } = await run(
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

  it('does not retry a non-retryable failure', async () => {
    const { result, calls } = await run('non-retryable', {
      runWorkUnit: async () => {
        throw ApplicationFailure.nonRetryable("variable 'name': must be a string", 'VariableError');
      },
    });
    expect(result.outcome).toBe('failed');
    expect(calls.runWorkUnit).toBe(1);
    expect(calls.failure[0]!.errorMessage).toBe("variable 'name': must be a string");
    expect(calls.failure[0]!.errorDetails).toContain('failure type: VariableError');
  });

  it('throws a BPMN error, never retried', async () => {
    const { result, calls } = await run('bpmn-error', {
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

  it('ends as abandoned when the task is gone at completion', async () => {
    const { result, calls } = await run('abandoned', {
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

  it('retries a completion until the engine takes it', async () => {
    const { result, calls } = await run('complete-retried', {
      runWorkUnit: completed,
      completeTask: async (attempt) => {
        if (attempt <= 2) throw new Error('ECONNREFUSED');
      },
    });
    expect(result.outcome).toBe('completed');
    expect(calls.complete).toHaveLength(1);
    expect(calls.runWorkUnit).toBe(1);
  });

  it('keeps the lock through hours of back-off between attempts, then completes once', async () => {
    const { result, calls } = await run(
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
    // Three hours of back-off, renewed every five minutes (half the lock): about 36 renewals.
    expect(calls.keepLock).toBeGreaterThanOrEqual(35);
    expect(calls.keepLock).toBeLessThanOrEqual(38);
    expect(calls.complete).toHaveLength(1);
  });

  it('stops retrying and ends as abandoned when the task is lost during back-off, without calling the engine', async () => {
    const { result, calls } = await run(
      'lost',
      {
        runWorkUnit: async () => {
          throw new Error('service unavailable');
        },
        keepLock: async (call) =>
          call < 3
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
    // Lost at the third renewal (15 minutes in), while the first attempt's hour of back-off ran.
    expect(calls.runWorkUnit).toBe(1);
    expect(calls.keepLock).toBe(3);
    expect(calls.complete).toEqual([]);
    expect(calls.failure).toEqual([]);
  });

  it('reports a failure when the engine refuses the output', async () => {
    const { result, calls } = await run('output-refused', {
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

  it('posts to the callbackUrl after completing', async () => {
    const { result, calls, args } = await run(
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
  it('runs the work unit and the completion in one workflow task: no activity task, no timer', async () => {
    const { result, calls, history } = await run(
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

  it('costs an activity task, a timer and a second workflow task as an activity (what local saves)', async () => {
    const { history } = await run('completed-as-activity', { runWorkUnit: completed });
    const types = eventTypes(history);
    expect(count(types, 'WORKFLOW_TASK_COMPLETED')).toBe(2);
    expect(count(types, 'ACTIVITY_TASK_SCHEDULED')).toBe(1);
    expect(count(types, 'TIMER_STARTED')).toBe(1);
    expect(count(types, 'TIMER_CANCELED')).toBe(1);
  });

  it('retries a failing local work unit under the topic policy, then completes once', async () => {
    const { result, calls } = await run(
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

  it('reports the failure once the attempts are exhausted, and never retries a non-retryable one', async () => {
    const retry = { ...input('q').topic.retry, initialIntervalMs: 100 };
    const exhausted = await run(
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

describe('workflow stack traces', () => {
  it("a worker created without BPTL's switch answers the stack trace query with the workflow's stack", async () => {
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
      // Source-mapped frames of the workflow, waiting on its work unit and its lock timer.
      expect(stack).toContain('src/workflows/external-task-workflow.ts');
      expect(stack).toMatch(/at work \(/);
    });
  });
});
