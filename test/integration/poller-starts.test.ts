/**
 * Starting a task's workflow, when it cannot be done or the workflow runs already, on the real Camunda engine
 * and the real Temporal dev server:
 *
 *  1. a task whose input exceeds Temporal's payload limit: one incident with a clear message, fetched once,
 *     no workflow;
 *  2. Temporal unreachable: the task's retries go down with the reason in its error message, Camunda offers it
 *     again only after the retry timeout, and the last failure is an incident;
 *  3. a task fetched again (an operator retried it) while its workflow runs: the running workflow is signalled;
 *     after its workflow closed: a new run, which has the signal too;
 *  4. the errors the Temporal client really throws, through the start-error classifier.
 *
 * No BPTL worker runs here: no workflow needs to make progress.
 */
import { Client, Connection, type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { CamundaClient, type FetchedTask } from '../../src/engine/camunda-client.ts';
import type { FetchAndLockRequest } from '../../src/engine/external-task.ts';
import { encodeVariables, typed } from '../../src/engine/variables.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { Poller } from '../../src/poller/poller.ts';
import { classifyStartError } from '../../src/poller/start-error.ts';
import { workflowStartOptions } from '../../src/poller/task-to-workflow.ts';
import { externalTaskWorkflowId } from '../../src/workflows/external-task-input.ts';
import { externalTask } from '../../src/workflows/external-task-workflow.ts';
import type { TaskFetchedAgain } from '../../src/workflows/task-state.ts';
import { createHarness, ENGINE, eventually, type Harness, testCodec } from './harness.ts';

const { EventType } = proto.temporal.api.enums.v1;

let h: Harness;

beforeAll(async () => {
  h = await createHarness('starts');
});

afterAll(async () => {
  await h?.close();
});

interface ExternalTaskRow {
  id: string;
  retries: number | null;
  errorMessage: string | null;
}

async function externalTaskOf(processInstanceId: string): Promise<ExternalTaskRow | undefined> {
  const rows = await h.camunda.get<ExternalTaskRow[]>('/external-task', { processInstanceId });
  return rows[0];
}

async function incidentsOf(processInstanceId: string) {
  return h.camunda.get<Array<{ incidentType: string; incidentMessage: string; configuration: string }>>(
    '/incident',
    { processInstanceId },
  );
}

/** A Camunda client that notes when each task was fetched. */
class RecordingCamunda extends CamundaClient {
  readonly fetchedAt: Array<{ taskId: string; atMs: number }> = [];
  override async fetchAndLock(request: FetchAndLockRequest, signal?: AbortSignal): Promise<FetchedTask[]> {
    const fetched = await super.fetchAndLock(request, signal);
    for (const entry of fetched)
      if (entry.ok) this.fetchedAt.push({ taskId: entry.task.id, atMs: Date.now() });
    return fetched;
  }
}

describe('starting a workflow for a task', () => {
  it('raises one incident with a clear message for a task whose input Temporal cannot take', async () => {
    const topic = h.topicName('too-large');
    await h.deploy({ key: `${h.id}-too-large`, topic });
    const instance = await h.camunda.startProcess(`${h.id}-too-large`, {
      // A Json variable: Camunda keeps a String variable in a 4000-character column.
      variables: encodeVariables({ document: typed.json('x'.repeat(2.5 * 1024 * 1024)) }),
    });
    const poller = h.createPoller([h.topicConfig(topic, 'echo')]);
    onTestFinished(() => poller.stop());
    poller.start();

    const [incident] = await eventually(async () => {
      const rows = await incidentsOf(instance.id);
      return rows.length > 0 ? rows : undefined;
    }, 'an incident for the task whose input is too large');
    await poller.stop();

    expect(await incidentsOf(instance.id)).toHaveLength(1);
    expect(incident?.incidentType).toBe('failedExternalTask');
    expect(incident?.incidentMessage).toMatch(
      /^BPTL cannot start a workflow for this task: the task's input is larger than Temporal accepts \(\d{7} bytes; limit /,
    );
    const taskId = incident?.configuration ?? '';
    const details = await h.camunda.get<string>(`/external-task/${taskId}/errorDetails`);
    expect(details).toContain('Blob data size exceeds limit');
    expect(poller.stats.tasksFetched).toBe(1);
    expect(poller.stats.startErrors).toBe(1);
    await expect(
      h.client.workflow.getHandle(externalTaskWorkflowId(ENGINE, taskId)).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  /** A poller whose Temporal client reaches nothing (port 1), with short start retries. */
  function unreachablePoller(topic: string, temporalProbe?: () => Promise<unknown>) {
    // Nothing listens on port 1. `Connection.connect` would throw at once; a lazy connection fails each call.
    // No retry interceptor: the client's own retries (about 20 s per call) would only slow the test.
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 200, interceptors: [] });
    onTestFinished(() => connection.close());
    const camunda = new RecordingCamunda({ baseUrl: inject('camundaUrl') });
    const poller = new Poller({
      engine: ENGINE,
      camunda,
      temporal: new Client({ connection }),
      topics: [h.topicConfig(topic, 'echo')],
      workerId: `${h.workerId}-${topic}`,
      taskQueue: h.taskQueue,
      workUnitTaskQueue: h.workUnitTaskQueue,
      asyncResponseTimeoutMs: 1_000,
      startRetry: { attempts: 2, camundaRetries: 2, retryTimeoutMs: 1_000 },
      ...(temporalProbe ? { temporalProbe } : {}),
      logger: createLogger('test.starts', { level: 'error', write: () => {} }),
    });
    onTestFinished(() => poller.stop());
    return { poller, camunda };
  }

  it('fetches nothing more while Temporal is unreachable: the task waits with its retries left', async () => {
    const topic = h.topicName('paused');
    await h.deploy({ key: `${h.id}-paused`, topic });
    const instance = await h.camunda.startProcess(`${h.id}-paused`, {
      variables: encodeVariables({ text: 'hello' }),
    });
    const { poller, camunda } = unreachablePoller(topic);
    poller.start();
    const failed = await eventually(async () => {
      const task = await externalTaskOf(instance.id);
      return task?.retries === 1 ? task : undefined;
    }, 'the first failure reported, with one Camunda retry left');
    expect(failed.errorMessage).toContain('UNAVAILABLE');
    // Three retry time-outs later: not fetched again, no retry spent, no incident.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await poller.stop();
    expect(camunda.fetchedAt.filter((f) => f.taskId === failed.id)).toHaveLength(1);
    expect((await externalTaskOf(instance.id))?.retries).toBe(1);
    expect(await incidentsOf(instance.id)).toEqual([]);
    expect(poller.stats.temporalPauses).toBe(1);
  });

  it('counts Camunda retries down while starts fail although Temporal answers, then raises an incident', async () => {
    const topic = h.topicName('unreachable');
    await h.deploy({ key: `${h.id}-unreachable`, topic });
    const instance = await h.camunda.startProcess(`${h.id}-unreachable`, {
      variables: encodeVariables({ text: 'hello' }),
    });
    // The probe answers (as a Temporal that is up but refuses starts for a while would): fetching goes on.
    const { poller, camunda } = unreachablePoller(topic, async () => {});
    const retryTimeoutMs = 1_000;
    poller.start();

    const failed = await eventually(async () => {
      const task = await externalTaskOf(instance.id);
      return task?.retries === 1 ? task : undefined;
    }, 'the first failure reported, with one Camunda retry left');
    expect(failed.errorMessage).toMatch(/^BPTL could not start a workflow for this task \(2 tries\): /);
    expect(failed.errorMessage).toContain('UNAVAILABLE');

    const [incident] = await eventually(async () => {
      const rows = await incidentsOf(instance.id);
      return rows.length > 0 ? rows : undefined;
    }, 'an incident after the retries');
    await poller.stop();
    expect(incident?.incidentMessage).toMatch(/^BPTL could not start a workflow for this task/);
    expect((await externalTaskOf(instance.id))?.retries).toBe(0);

    const fetches = camunda.fetchedAt.filter((f) => f.taskId === failed.id);
    expect(fetches).toHaveLength(2);
    expect(fetches[1]!.atMs - fetches[0]!.atMs).toBeGreaterThanOrEqual(retryTimeoutMs);
    expect(poller.stats.startErrors).toBe(4);
  });

  /**
   * A task of a new instance, locked for the harness's worker id, and a workflow started for it that waits: it
   * is on a task queue that no worker polls. Then an operator retries the task: Camunda offers it again, with
   * retries set. Everything is cleaned up when the test finishes.
   */
  async function retriedTaskWithWorkflow(
    name: string,
    beforeRetry: (handle: WorkflowHandle) => Promise<void>,
  ) {
    const topic = h.topicName(name);
    await h.deploy({ key: `${h.id}-${name}`, topic });
    const instance = await h.camunda.startProcess(`${h.id}-${name}`, {
      variables: encodeVariables({ text: 'hello' }),
    });
    onTestFinished(() => h.camunda.delete(`/process-instance/${instance.id}`).catch(() => {}));
    const topicConfig = h.topicConfig(topic, 'echo');
    const [fetched] = await eventually(async () => {
      const tasks = await h.camunda.fetchAndLock({
        workerId: h.workerId,
        maxTasks: 1,
        topics: [{ topicName: topic, lockDuration: 60_000 }],
      });
      return tasks.length > 0 ? tasks : undefined;
    }, 'the task locked by the test');
    if (!fetched?.ok) throw new Error('the fetched task does not parse');
    const handle = await h.client.workflow.start(
      externalTask,
      workflowStartOptions(fetched.task, topicConfig, {
        engine: ENGINE,
        workerId: h.workerId,
        taskQueue: `${h.id}-nobody`,
        workUnitTaskQueue: h.workUnitTaskQueue,
        lockedAtMs: Date.now(),
      }),
    );
    onTestFinished(async () => {
      // The latest run: the test's own, or the one the poller started.
      await h.client.workflow
        .getHandle(handle.workflowId)
        .terminate('test over')
        .catch(() => {});
    });
    await beforeRetry(handle);
    await h.camunda.put(`/external-task/${fetched.task.id}/retries`, { retries: 1 });
    await h.camunda.unlock(fetched.task.id);
    const poller = h.createPoller([topicConfig]);
    onTestFinished(() => poller.stop());
    poller.start();
    return { handle, poller };
  }

  /** The `bptl.taskFetchedAgain` signal in a run's history, once it is there. */
  function fetchedAgainSignal(handle: WorkflowHandle) {
    return eventually(async () => {
      const history = await handle.fetchHistory();
      const event = history.events?.find(
        (e) =>
          e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED &&
          e.workflowExecutionSignaledEventAttributes?.signalName === 'bptl.taskFetchedAgain',
      );
      const [payload] = event?.workflowExecutionSignaledEventAttributes?.input?.payloads ?? [];
      if (!payload) return undefined;
      // The history holds the payload as Temporal has it: encrypted by BPTL's codec.
      const [decoded] = await testCodec().decode([payload]);
      return defaultPayloadConverter.fromPayload<TaskFetchedAgain>(decoded!);
    }, 'the taskFetchedAgain signal in the workflow');
  }

  it('signals the running workflow of a task that an operator retried', async () => {
    const { handle, poller } = await retriedTaskWithWorkflow('fetched-again', async () => {});
    const signal = await fetchedAgainSignal(handle);
    expect(signal).toEqual({ workerId: h.workerId, lockedAtMs: expect.any(Number), retries: 1 });
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.runId).toBe(handle.firstExecutionRunId); // the same run: it was told, not replaced
    expect(poller.stats.workflowsStarted).toBe(1);
    expect(poller.workflowsInFlight).toBe(1);
  });

  it('starts a new run, which has the signal too, when the workflow of a retried task has closed', async () => {
    const { handle } = await retriedTaskWithWorkflow('closed-then-retried', async (closing) => {
      await closing.terminate('closed before the retry');
    });
    const latest = h.client.workflow.getHandle(handle.workflowId);
    const signal = await fetchedAgainSignal(latest);
    expect(signal).toEqual({ workerId: h.workerId, lockedAtMs: expect.any(Number), retries: 1 });
    const description = await latest.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    expect(description.taskQueue).toBe(h.taskQueue);
  });
});

describe("the Temporal client's start errors, classified", () => {
  /** Starts a workflow nobody runs, with this argument; returns what the client threw. */
  async function startError(client: Client, argument: string): Promise<unknown> {
    try {
      const handle = await client.workflow.start('externalTask', {
        workflowId: `${h.id}-classify-${argument.length}`,
        taskQueue: `${h.id}-nobody`,
        args: [argument],
      });
      await handle.terminate('the start should have failed');
    } catch (error) {
      return error;
    }
    throw new Error('the start succeeded');
  }

  it('calls an argument over the blob size limit (2.5 MB) deterministic, too large', async () => {
    const error = await startError(h.client, 'x'.repeat(2.5 * 1024 * 1024));
    expect(classifyStartError(error)).toEqual({
      kind: 'deterministic',
      status: 'INVALID_ARGUMENT',
      detail: 'Blob data size exceeds limit.',
      tooLarge: {},
    });
  });

  it('calls a request over the gRPC message limit (5 MB) deterministic, with the size and the limit', async () => {
    // The client's retry interceptor retries RESOURCE_EXHAUSTED for about 40 s: this connection does not.
    const connection = await Connection.connect({ address: inject('temporalAddress'), interceptors: [] });
    onTestFinished(() => connection.close());
    const error = await startError(new Client({ connection }), 'x'.repeat(5 * 1024 * 1024));
    expect(classifyStartError(error)).toMatchObject({
      kind: 'deterministic',
      status: 'RESOURCE_EXHAUSTED',
      tooLarge: { sizeBytes: expect.any(Number), limitBytes: 4 * 1024 * 1024 },
    });
  });

  it('calls a server where nothing listens transient (UNAVAILABLE)', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 200, interceptors: [] });
    onTestFinished(() => connection.close());
    const error = await startError(new Client({ connection }), 'small');
    expect(classifyStartError(error)).toMatchObject({ kind: 'transient', status: 'UNAVAILABLE' });
  });
});
