/**
 * `bptl run` stopped with one SIGTERM while a work unit runs, on the real Temporal server and Camunda engine: the
 * documented order holds (the pollers stop first, then the worker, which lets the unit finish), the task still
 * completes in Camunda, and the process exits with 0. The Temporal SDK's own signal handlers would shut the worker
 * down at the first signal, at the same time as the pollers: BPTL's handler (src/cli/shutdown.ts) is the one owner.
 * And `bptl run`, `worker` and `poller` stopped while they still wait for an unreachable Temporal: they stop waiting
 * at once and exit with 0.
 */
import proto from '@temporalio/proto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeVariables } from '../../src/engine/variables.ts';
import { waitForProcessEnd } from '../../src/local/demo.ts';
import { externalTaskWorkflowId } from '../../src/workflows/external-task-input.ts';
import { type BptlChild, freePort, spawnBptl, waitForOutput, writeConfigFile } from '../support/processes.ts';
import { createHarness, ENGINE, eventually, type Harness } from './harness.ts';

const { PendingActivityState } = proto.temporal.api.enums.v1;

/** Where `pattern` first matches in `output` (-1 when it does not). The SDK's log lines span several lines. */
function positionOf(output: string, pattern: RegExp): number {
  return output.search(pattern);
}

describe('bptl run stopped with one SIGTERM during a work unit', () => {
  let h: Harness;
  let child: BptlChild | undefined;

  beforeAll(async () => {
    h = await createHarness('shutdown');
  });

  afterAll(async () => {
    await child?.kill();
    await h?.close();
  });

  it('stops the pollers, then the worker, completes the task and exits with 0', {
    timeout: 180_000,
  }, async () => {
    const topic = h.topicName('sleep');
    await h.deploy({ key: `${h.id}-sleep`, topic });
    const configFile = await writeConfigFile({
      engines: [{ name: ENGINE, url: inject('camundaUrl') }],
      topics: [{ topic, workUnit: 'sleep', lockDurationMs: 60_000 }],
    });
    child = spawnBptl('run', configFile, {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      BPTL_TASK_QUEUE: h.taskQueue,
      BPTL_WORK_UNIT_TASK_QUEUE: h.workUnitTaskQueue,
      BPTL_WORKER_ID: h.workerId,
      BPTL_ASYNC_RESPONSE_TIMEOUT_MS: '2000',
      // debug: the Temporal SDK's own INFO lines, among them the worker's state changes, reach the output.
      LOG_LEVEL: 'debug',
    });
    // The child bundles the workflows at start: on two cores that can take a while.
    await waitForOutput(child, 'polling', 90_000);

    const started = await h.camunda.startProcess(`${h.id}-sleep`, {
      variables: encodeVariables({ sleepMs: 4_000 }),
    });
    const taskId = await eventually(async () => {
      const [task] = await h.camunda.get<Array<{ id: string }>>('/external-task', {
        processInstanceId: started.id,
      });
      return task?.id;
    }, `the external task of ${started.id}`);
    const handle = h.client.workflow.getHandle(externalTaskWorkflowId(ENGINE, taskId));
    await eventually(
      async () => {
        const description = await handle.describe();
        const unit = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'runWorkUnit');
        return unit?.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED ? true : undefined;
      },
      `the work unit of ${handle.workflowId} to run`,
      60_000,
    );

    child.process.kill('SIGTERM');
    const exit = await child.exited;
    const output = child.output();
    expect(exit.code, output).toBe(0);

    const pollersStopped = positionOf(output, /\[[^\]]*poller[^\]]*\] stopped\b/);
    const workerStopping = positionOf(output, /Worker state changed \{[^}]*state: 'STOPPING'/);
    expect(pollersStopped, output).toBeGreaterThanOrEqual(0);
    expect(workerStopping, output).toBeGreaterThanOrEqual(0);
    expect(pollersStopped, output).toBeLessThan(workerStopping);

    const { state } = await waitForProcessEnd(h.camunda, started.id, 30_000);
    expect(state, output).toBe('COMPLETED');
    const completions = await h.camunda.get<unknown[]>('/history/external-task-log', {
      externalTaskId: taskId,
      successLog: true,
    });
    expect(completions).toHaveLength(1);
  });
});

describe('a process stopped with SIGTERM while Temporal is unreachable', () => {
  let child: BptlChild | undefined;

  afterEach(async () => {
    await child?.kill();
  });

  // run and worker connect with the worker's NativeConnection, which fails at once on a closed port: the signal
  // comes during the back-off. The poller's client connection waits for the server within each attempt: the
  // signal comes during an attempt (the debug line says it began).
  it.each([
    { command: 'run', waitFor: 'Temporal is not reachable; trying again' },
    { command: 'worker', waitFor: 'Temporal is not reachable; trying again' },
    { command: 'poller', waitFor: 'connecting to Temporal' },
  ] as const)(
    'bptl $command stops waiting for Temporal at once, says so, and exits with 0',
    { timeout: 60_000 },
    async ({ command, waitFor }) => {
      const configFile = await writeConfigFile({
        engines: [{ name: ENGINE, url: inject('camundaUrl') }],
        topics: [{ topic: 'shutdown-unreachable-temporal', workUnit: 'echo' }],
      });
      const closedPort = await freePort();
      child = spawnBptl(command, configFile, {
        TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}`,
        LOG_LEVEL: 'debug',
      });
      await waitForOutput(child, waitFor, 30_000);

      child.process.kill('SIGTERM');
      // A deadline, not a synchronisation: a process that goes on retrying fails here instead of hanging the test.
      // How soon it exits is not asserted (a connection attempt under way may take its time to end on a busy
      // machine); that it exits by itself, with 0 and the line, is: before, SIGTERM killed it (no exit code).
      const exit = await Promise.race([
        child.exited,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000)),
      ]);
      const output = child.output();
      expect(exit, `still running 10 s after SIGTERM:\n${output}`).toBeDefined();
      expect(exit?.code, output).toBe(0);
      expect(output).toContain('stopped before Temporal answered');
    },
  );
});
