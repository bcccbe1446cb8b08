/**
 * BPTL's processes dying or stopping in the middle of work, on the real Temporal server and the real Camunda
 * engine, as an operator would see it happen:
 *
 *  1. a worker killed (SIGKILL) during a work unit, then started again: the task completes, exactly once;
 *  2. a poller stopped (SIGTERM) during its long poll: it exits at once, and leaves no task locked for its
 *     worker id without a workflow (a lock nobody would ever complete);
 *  3. the Camunda engine stopped while a work unit runs, then started again: the completion arrives.
 *
 * Workers and pollers run as `bptl worker` / `bptl poller` child processes where the test kills or signals
 * them, and in this process (the harness) otherwise. Every wait polls a condition; nothing asserts on a sleep.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeVariables } from '../../src/engine/variables.ts';
import { startCamundaEngine } from '../../src/local/camunda-engine.ts';
import { historicVariables, waitForProcessEnd } from '../../src/local/demo.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { externalTaskWorkflowId } from '../../src/workflows/external-task-input.ts';
import { type EngineProxy, startEngineProxy } from '../support/engine-proxy.ts';
import { type BptlChild, freePort, spawnBptl, waitForOutput, writeConfigFile } from '../support/processes.ts';
import { createHarness, ENGINE, eventually, type Harness, workerProcesses } from './harness.ts';

const { EventType, PendingActivityState, TimeoutType } = proto.temporal.api.enums.v1;

/** Measured figures (durations, counters), printed at the end of the file for the record. */
const figures: Record<string, number> = {};

afterAll(() => {
  console.log(`processes.test.ts figures: ${JSON.stringify(figures)}`);
});

/** The id of the (one) external task of a process instance, once it exists. */
async function externalTaskOf(h: Harness, processInstanceId: string): Promise<string> {
  return eventually(async () => {
    const [task] = await h.camunda.get<Array<{ id: string }>>('/external-task', { processInstanceId });
    return task?.id;
  }, `the external task of ${processInstanceId}`);
}

/** The runWorkUnit activity while it is pending (scheduled, running or waiting for its next attempt). */
async function pendingWorkUnit(handle: WorkflowHandle) {
  const description = await handle.describe();
  return description.raw.pendingActivities?.find((a) => a.activityType?.name === 'runWorkUnit');
}

/** Polls until the workflow's runWorkUnit activity has been picked up by a worker. */
async function waitUntilWorkUnitRuns(handle: WorkflowHandle, timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const pending = await pendingWorkUnit(handle);
      return pending?.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED ? true : undefined;
    },
    `the work unit of ${handle.workflowId} to run`,
    timeoutMs,
  );
}

/** The ACTIVITY_TASK_STARTED events of runWorkUnit in a closed workflow's history (one per recorded attempt). */
async function workUnitStarts(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Set(
    events
      .filter(
        (e) =>
          e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
          e.activityTaskScheduledEventAttributes?.activityType?.name === 'runWorkUnit',
      )
      .map((e) => String(e.eventId)),
  );
  return events
    .filter(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
        scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)),
    )
    .map((e) => e.activityTaskStartedEventAttributes!);
}

/** Camunda's successful completions of a task (its history's success log). */
async function completionsOf(h: Harness, externalTaskId: string): Promise<unknown[]> {
  return h.camunda.get<unknown[]>('/history/external-task-log', { externalTaskId, successLog: true });
}

/** The runs of a workflow id, once the visibility store shows them all closed. */
async function closedRunsOf(h: Harness, workflowId: string) {
  return eventually(async () => {
    const runs = await Array.fromAsync(h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }));
    return runs.length > 0 && runs.every((r) => r.status.name !== 'RUNNING') ? runs : undefined;
  }, `the runs of ${workflowId} in the visibility store`);
}

/**
 * 1. A worker killed with SIGKILL in the middle of a work unit, and a new worker started: Temporal notices the
 *    missing heartbeats and runs the work unit again on the new worker; the task completes, exactly once, in
 *    one workflow run. The poller runs in this process; the workers are `bptl worker` child processes.
 */
describe('a worker killed in the middle of a work unit', () => {
  let h: Harness;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    h = await createHarness('kill-worker');
  });

  afterAll(async () => {
    await Promise.allSettled(cleanups.map((c) => c()));
    await h?.close();
  });

  it('runs the work unit again on the restarted worker and completes the task exactly once', {
    timeout: 240_000,
  }, async () => {
    const topic = h.topicName('sleep');
    // A short heartbeat time-out, so that Temporal gives up on the dead worker's attempt soon.
    const settings = { lockDurationMs: 10_000, heartbeatTimeoutMs: 2_000 };
    await h.deploy({ key: `${h.id}-sleep`, topic });
    const processes = await workerProcesses(h, { topic, workUnit: 'sleep', ...settings });
    cleanups.push(() => processes.killAll());
    const startWorker = () => processes.start();
    const first = startWorker();
    h.createPoller([h.topicConfig(topic, 'sleep', settings)]).start();

    const started = await h.camunda.startProcess(`${h.id}-sleep`, {
      variables: encodeVariables({ sleepMs: 6_000 }),
    });
    const taskId = await externalTaskOf(h, started.id);
    const handle = h.client.workflow.getHandle(externalTaskWorkflowId(ENGINE, taskId));
    // The child bundles the workflows at start: on two cores that can take a while.
    await waitUntilWorkUnitRuns(handle, 90_000);
    expect(first.hasExited(), first.output()).toBe(false);

    await first.kill();
    expect((await first.exited).signal).toBe('SIGKILL');
    const restartedAt = Date.now();
    const second = startWorker();

    const { state } = await waitForProcessEnd(h.camunda, started.id, 120_000);
    figures.workerRestartToCompletionMs = Date.now() - restartedAt;
    expect(state, second.output()).toBe('COMPLETED');

    // Camunda recorded one completion of the task, and Temporal one run of its workflow, which completed.
    expect(await completionsOf(h, taskId)).toHaveLength(1);
    expect(await handle.result()).toMatchObject({ outcome: 'completed' });
    const runs = await closedRunsOf(h, handle.workflowId);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status.name).toBe('COMPLETED');

    // The workflow runs each attempt as an activity of its own: the first ended by a heartbeat time-out (its
    // worker was killed), the second completed on the new worker.
    const starts = await workUnitStarts(handle);
    expect(starts).toHaveLength(2);
    const timedOut = ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.activityTaskTimedOutEventAttributes,
    );
    expect(timedOut).toHaveLength(1);
    expect(timedOut[0]?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType).toBe(
      TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
    );
    figures.workUnitAttempts = starts.length;

    // The unit ran again from the start on the new worker: a whole sleep.
    const slept = (await historicVariables(h.camunda, started.id)).find((v) => v.name === 'sleptMs');
    expect(slept?.value).toBeGreaterThanOrEqual(6_000);
  });
});

/**
 * 2. A `bptl poller` stopped with SIGTERM while its long poll is open, just as new tasks arrive (the race in
 *    which Camunda locks tasks for a request the poller no longer reads): it exits with 0 within 2 s, and no
 *    task stays locked for its worker id without a running workflow. A poller started again with the same
 *    worker id then brings every instance to its end. The worker runs in this process.
 */
describe('a poller stopped with SIGTERM during a long poll', () => {
  let h: Harness;
  const pollers: BptlChild[] = [];
  const proxies: EngineProxy[] = [];

  beforeAll(async () => {
    h = await createHarness('stop-poller');
    await h.startWorker();
  });

  afterAll(async () => {
    await Promise.allSettled(pollers.map((p) => p.kill()));
    await Promise.allSettled(proxies.map((p) => p.close()));
    await h?.close();
  });

  /**
   * Deploys a process for a new topic and runs `bptl poller` for it, through a proxy that sees its requests reach
   * the engine; resolves once its long poll is open at the engine.
   */
  async function startPollerChild(suffix: string, workerId: string, settings: Record<string, unknown>) {
    const topic = h.topicName(suffix);
    const key = `${h.id}-${suffix}`;
    await h.deploy({ key, topic });
    const proxy = await startEngineProxy(inject('camundaUrl'));
    proxies.push(proxy);
    const configFile = await writeConfigFile({
      engines: [{ name: ENGINE, url: proxy.baseUrl }],
      topics: [{ topic, workUnit: 'echo', ...settings }],
    });
    const poller = spawnBptl('poller', configFile, {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      BPTL_TASK_QUEUE: h.taskQueue,
      BPTL_WORK_UNIT_TASK_QUEUE: h.workUnitTaskQueue,
      BPTL_WORKER_ID: workerId,
      BPTL_ASYNC_RESPONSE_TIMEOUT_MS: '20000',
      LOG_LEVEL: 'info',
    });
    pollers.push(poller);
    await waitForOutput(poller, 'polling');
    // The first long poll at the engine (nothing to fetch yet, so it stays open for 20 s).
    await eventually(
      async () => (proxy.pendingFetches() > 0 ? true : undefined),
      "the poller's long poll to reach the engine",
      20_000,
    );
    return { topic, key, poller, proxy };
  }

  /** Waits for the child's exit (at most 15 s) and returns how long after `signalledAt` it came. */
  async function exitOf(poller: BptlChild, signalledAt: number) {
    const exit = await Promise.race([
      poller.exited,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000)),
    ]);
    expect(exit, `the poller did not exit within 15 s:\n${poller.output()}`).toBeDefined();
    return { code: exit!.code, afterMs: exit!.at - signalledAt };
  }

  /** Tasks locked for `workerId` whose workflow is not running: nobody will ever complete them. */
  async function orphansOf(workerId: string): Promise<string[]> {
    const found: string[] = [];
    for (const task of await h.camunda.lockedTasks(workerId)) {
      const status = await h.client.workflow
        .getHandle(externalTaskWorkflowId(ENGINE, task.id))
        .describe()
        .then((d) => d.status.name)
        .catch(() => 'NOT FOUND');
      if (status !== 'RUNNING') found.push(`${task.id} (workflow ${status})`);
    }
    return found;
  }

  it('exits within 2 s and leaves no task locked without a workflow', async () => {
    // A lock longer than the test: a task left locked would not be offered again by itself in time.
    const settings = { lockDurationMs: 300_000 };
    const { topic, key, poller, proxy } = await startPollerChild('echo', h.workerId, settings);

    // Five instances at once; the poller is told to stop as soon as the first one exists.
    const starts = Array.from({ length: 5 }, (_, i) =>
      h.camunda.startProcess(key, { businessKey: `${h.id}-${i}`, variables: encodeVariables({ n: i }) }),
    );
    await Promise.race(starts);
    const signalledAt = Date.now();
    poller.process.kill('SIGTERM');
    const instances = await Promise.all(starts);

    const exit = await exitOf(poller, signalledAt);
    figures.pollerExitAfterSigtermMs = exit.afterMs;
    expect(exit.code, poller.output()).toBe(0);
    expect(exit.afterMs, poller.output()).toBeLessThan(2_000);
    // What the poller did before it stopped (its last log line), for the record.
    const stoppedLine = poller.output().match(/\[[^\]]*\] stopped (.*)/)?.[1] ?? '';
    for (const [, name, value] of stoppedLine.matchAll(/(\w+)=(\d+)/g))
      figures[`poller.${name}`] = Number(value);

    // The engine has answered every long poll of the stopped poller (the aborted one too, which it may answer
    // late, with tasks locked for nobody): far sooner than the 20 s long-poll time, as the poller's last fetch
    // dropped it. Then no task is locked for its worker id unless its workflow runs (it will complete it).
    await eventually(
      async () => (proxy.pendingFetches() === 0 ? true : undefined),
      'the engine to answer the long polls of the stopped poller',
      10_000,
    );
    expect(await orphansOf(h.workerId), poller.output()).toEqual([]);

    // A poller with the same worker id brings every instance to its end, each task completed once.
    h.createPoller([h.topicConfig(topic, 'echo', settings)]).start();
    const ends = await Promise.all(instances.map((i) => waitForProcessEnd(h.camunda, i.id, 60_000)));
    expect(ends.map((e) => e.state)).toEqual(Array(5).fill('COMPLETED'));
    for (const instance of instances) {
      // From the history: a completed task is no longer listed as a task.
      const [created] = await h.camunda.get<Array<{ externalTaskId: string }>>('/history/external-task-log', {
        processInstanceId: instance.id,
        creationLog: true,
      });
      expect(await completionsOf(h, created!.externalTaskId)).toHaveLength(1);
    }
  });

  /**
   * Camunda keeps a long poll pending until its asyncResponseTimeout, whether or not the client still
   * listens. A task that arrives after the poller exited, within that time, would be locked for the stopped
   * poller's worker id, with no workflow, for the topic's whole lockDuration. The stopping poller therefore
   * sends one more fetch of its worker id that asks for nothing; the engine (with
   * fetch-and-lock-unique-worker-request, as the local engine is set up) then drops the pending long poll.
   */
  it('leaves no task locked for it when a task arrives after it exited, within its long-poll time', async () => {
    const workerId = `${h.workerId}-late`;
    const { key, poller, proxy } = await startPollerChild('echo-late', workerId, { lockDurationMs: 300_000 });
    const signalledAt = Date.now();
    poller.process.kill('SIGTERM');
    expect((await exitOf(poller, signalledAt)).code).toBe(0);
    // The pending long poll was dropped by the poller's last fetch: answered long before its 20 s were up.
    // Without that, it would still be pending here and lock the task started next.
    await eventually(
      async () => (proxy.pendingFetches() === 0 ? true : undefined),
      'the engine to drop the long poll of the stopped poller',
      10_000,
    );

    const late = await h.camunda.startProcess(key);
    const [task] = await h.camunda.get<Array<{ id: string }>>('/external-task', {
      processInstanceId: late.id,
    });
    try {
      // No request of the stopped poller is open at the engine any more: nothing can lock the task. Checked
      // once the engine has made the task fetchable (it is listed), and with no answer delivered meanwhile.
      expect(task, 'the late external task').toBeDefined();
      expect(proxy.pendingFetches()).toBe(0);
      expect(await orphansOf(workerId), `task ${task?.id}`).toEqual([]);
      expect(await h.camunda.lockedTasks(workerId)).toEqual([]);
    } finally {
      // Nobody polls this topic again: hand the task back rather than leave it locked.
      if (task) await h.camunda.unlock(task.id).catch(() => {});
    }
  });
});

/**
 * 3. The Camunda engine stopped while a work unit runs, and started again (same database, same port) after
 *    the task's lock has expired: the workflow's lock keeping and completion are retried while the engine is
 *    down, the lock is taken again, and the completion arrives: the instance completes, the task once.
 *    This test starts its own engine, so it never stops the one the other tests use.
 */
describe('the Camunda engine stopped during a work unit and started again', () => {
  const log = createLogger('test.camunda-restart', { level: 'warn' });
  let dataDir: string;
  let port: number;
  let engine: Awaited<ReturnType<typeof startCamundaEngine>> | undefined;
  let h: Harness;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'bptl-camunda-restart-'));
    port = await freePort();
    engine = await startCamundaEngine({ dataDir, port, log });
    expect(engine.reused).toBe(false);
    figures.camundaStartupMs = engine.startupMs;
    h = await createHarness('camunda-restart', { camundaUrl: engine.restUrl });
  });

  afterAll(async () => {
    // The engine is stopped even if closing the harness fails: a JVM left running slows every later test.
    await Promise.allSettled([h?.close()]);
    await engine?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('completes the task once the engine is back', { timeout: 180_000 }, async () => {
    const topic = h.topicName('sleep');
    // A lock shorter than the engine's downtime, so that it has expired when the engine is back.
    const settings = { lockDurationMs: 4_000 };
    await h.deploy({ key: `${h.id}-sleep`, topic });
    await h.startWorker();
    const poller = h.createPoller([h.topicConfig(topic, 'sleep', settings)]);
    poller.start();

    const started = await h.camunda.startProcess(`${h.id}-sleep`, {
      variables: encodeVariables({ sleepMs: 8_000 }),
    });
    const taskId = await externalTaskOf(h, started.id);
    const handle = h.client.workflow.getHandle(externalTaskWorkflowId(ENGINE, taskId));
    await waitUntilWorkUnitRuns(handle, 60_000);

    const stoppedAt = Date.now();
    await engine!.stop();
    await expect(h.camunda.engines()).rejects.toThrow(/did not answer/);
    // Down for longer than the lock: the last renewal came before the stop, so the lock has expired for sure
    // lockDurationMs after it. A wait for a point in time, not for an event: nothing else tells it.
    const lockExpiredAt = stoppedAt + settings.lockDurationMs;
    while (Date.now() < lockExpiredAt) await new Promise((resolve) => setTimeout(resolve, 100));
    engine = await startCamundaEngine({ dataDir, port, log });
    expect(engine.reused).toBe(false);
    const backAt = Date.now();
    figures.camundaDowntimeMs = backAt - stoppedAt;
    figures.camundaRestartMs = engine.startupMs;

    const { state } = await waitForProcessEnd(h.camunda, started.id, 120_000);
    figures.camundaBackToCompletionMs = Date.now() - backAt;
    // The engine has the completion before the workflow task that made it is recorded: wait for the workflow to
    // close before reading its history (reading it at once lost this race once, with no keepLock marker yet).
    expect(await handle.result()).toMatchObject({ outcome: 'completed' });
    // The runner renewed the lock while the unit ran and retried its renewals through the outage; the lock
    // may have expired meanwhile (the same worker id completes it all the same, unless another took it).
    const memo = (await handle.describe()).memo as { lock?: { status: string; expiresAt: string } };
    // For the record: whether the poller fetched the task again once its lock had expired (a second start
    // joins the running workflow), and what the runner's last renewal said.
    figures.camundaPollerWorkflowStarts = poller.stats.workflowsStarted;
    console.log(`camunda restart: the runner's last renewal: ${memo.lock?.status ?? 'none succeeded'}`);
    expect(state).toBe('COMPLETED');
    expect(await completionsOf(h, taskId)).toHaveLength(1);
    const slept = (await historicVariables(h.camunda, started.id)).find((v) => v.name === 'sleptMs');
    expect(slept?.value).toBeGreaterThanOrEqual(8_000);
  });
});
