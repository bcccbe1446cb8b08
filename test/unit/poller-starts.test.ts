/**
 * The poller's start path with a fake engine and a fake Temporal client: a start that cannot succeed becomes an
 * incident at once, a transient one a failure with Camunda retries left (never an unlock that loops), a task
 * that failed before is started with signal-with-start, and a followed workflow counts until its chain closes.
 */
import { type Client, ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { type TopicConfig, topicConfigSchema } from '../../src/config/topic-config.ts';
import type { CamundaClient, FetchedTask } from '../../src/engine/camunda-client.ts';
import type { LockedExternalTask } from '../../src/engine/external-task.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { Poller, type PollerOptions } from '../../src/poller/poller.ts';

const topic = { ...topicConfigSchema.parse({ topic: 't', workUnit: 'echo' }), engine: 'e' } as TopicConfig;

/** An error shaped as @grpc/grpc-js throws it, wrapped as the Temporal client wraps it. */
function grpcError(code: number, name: string, details: string): ServiceError {
  const cause = Object.assign(new Error(`${code} ${name}: ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to start Workflow', { cause });
}

interface FailureCall {
  taskId: string;
  body: Parameters<CamundaClient['failure']>[1];
}

function setUp(
  options: {
    task?: Partial<LockedExternalTask>;
    start?: () => Promise<unknown>;
    result?: () => Promise<unknown>;
    failure?: () => Promise<void>;
    /** Temporal's getSystemInfo (the poller's probe while Temporal is unreachable). */
    systemInfo?: () => Promise<unknown>;
    poller?: Partial<PollerOptions>;
  } = {},
) {
  const task = { id: 'task-1', topicName: 't', retries: null, variables: {}, ...options.task };
  const calls = {
    failures: [] as FailureCall[],
    unlocks: [] as string[],
    starts: [] as Array<Record<string, unknown>>,
    signalWithStarts: [] as Array<Record<string, unknown>>,
    results: [] as Array<{ workflowId: string; runId: string | undefined; opts: unknown }>,
    /** fetch, failure, probe:ok / probe:failed, in order. */
    events: [] as string[],
  };
  const lines: string[] = [];
  const camunda = {
    baseUrl: 'http://engine.invalid/engine-rest',
    async fetchAndLock(): Promise<FetchedTask[]> {
      calls.events.push('fetch');
      await new Promise((resolve) => setTimeout(resolve, 5)); // a network round trip: timers get their turn
      return [{ ok: true, task }];
    },
    async failure(taskId: string, body: FailureCall['body']) {
      calls.events.push('failure');
      calls.failures.push({ taskId, body });
      await options.failure?.();
    },
    async unlock(taskId: string) {
      calls.unlocks.push(taskId);
    },
    async lockedTasks() {
      return [];
    },
  };
  const handle = (workflowId: string) => ({
    workflowId,
    firstExecutionRunId: 'run-1',
    signaledRunId: 'run-1',
    eagerlyStarted: false,
  });
  const temporal = {
    workflowService: {
      async getSystemInfo() {
        try {
          const info = await (options.systemInfo?.() ?? Promise.resolve({}));
          calls.events.push('probe:ok');
          return info;
        } catch (error) {
          calls.events.push('probe:failed');
          throw error;
        }
      },
    },
    workflow: {
      async start(_wf: unknown, opts: Record<string, unknown>) {
        calls.starts.push(opts);
        await options.start?.();
        return handle(opts.workflowId as string);
      },
      async signalWithStart(_wf: unknown, opts: Record<string, unknown>) {
        calls.signalWithStarts.push(opts);
        await options.start?.();
        return handle(opts.workflowId as string);
      },
      result(workflowId: string, runId: string | undefined, opts: unknown) {
        calls.results.push({ workflowId, runId, opts });
        return options.result?.() ?? new Promise(() => {});
      },
    },
  };
  const poller = new Poller({
    engine: 'e',
    camunda: camunda as unknown as CamundaClient,
    temporal: temporal as unknown as Client,
    topics: [topic],
    workerId: 'bptl-w',
    taskQueue: 'q',
    workUnitTaskQueue: 'q-units',
    logger: createLogger('poller', { level: 'debug', write: (line) => lines.push(line) }),
    ...options.poller,
  });
  return { poller, calls, lines };
}

describe('Poller: a workflow that cannot be started', () => {
  it('raises an incident at once when Temporal refuses the start (the input exceeds the blob limit)', async () => {
    const { poller, calls } = setUp({
      start: () => Promise.reject(grpcError(3, 'INVALID_ARGUMENT', 'Blob data size exceeds limit.')),
    });
    await poller.pollOnce();
    expect(calls.starts).toHaveLength(1); // not retried: it cannot succeed
    expect(calls.unlocks).toEqual([]);
    expect(calls.failures).toHaveLength(1);
    const [failure] = calls.failures;
    expect(failure?.taskId).toBe('task-1');
    expect(failure?.body).toMatchObject({ workerId: 'bptl-w', retries: 0 });
    expect(failure?.body.errorMessage).toMatch(
      /^BPTL cannot start a workflow for this task: the task's input is larger than Temporal accepts \(\d+ bytes; limit/,
    );
    expect(failure?.body.errorMessage.length).toBeLessThanOrEqual(666);
    expect(failure?.body.errorDetails).toContain('ServiceError');
    expect(failure?.body.errorDetails).toContain('Blob data size exceeds limit.');
    expect(failure?.body.errorDetails).toContain('camunda/e/task-1');
    expect(poller.stats.startErrors).toBe(1);
  });

  it('retries a transient error, then reports a failure with Camunda retries left and a retry timeout', async () => {
    const { poller, calls, lines } = setUp({
      start: () => Promise.reject(grpcError(14, 'UNAVAILABLE', 'No connection established.')),
      poller: { startRetry: { attempts: 3, camundaRetries: 4, retryTimeoutMs: 5_000 } },
    });
    await poller.pollOnce();
    expect(calls.starts).toHaveLength(3);
    expect(calls.unlocks).toEqual([]);
    expect(calls.failures).toHaveLength(1);
    expect(calls.failures[0]?.body).toMatchObject({ workerId: 'bptl-w', retries: 3, retryTimeout: 5_000 });
    expect(calls.failures[0]?.body.errorMessage).toMatch(
      /^BPTL could not start a workflow for this task \(3 tries\): Temporal: UNAVAILABLE: No connection established\./,
    );
    expect(lines.some((l) => l.includes('ERROR') && l.includes('unlock'))).toBe(false);
  });

  it("counts Camunda's retries down from the task's own, and raises the incident on the last", async () => {
    const { poller, calls } = setUp({
      task: { retries: 1 },
      start: () => Promise.reject(grpcError(4, 'DEADLINE_EXCEEDED', 'context deadline exceeded')),
      poller: { startRetry: { attempts: 1 } },
    });
    await poller.pollOnce();
    expect(calls.signalWithStarts).toHaveLength(1);
    expect(calls.failures[0]?.body).toMatchObject({ retries: 0, retryTimeout: 60_000 });
  });

  it('stops fetching while Temporal is unreachable, and resumes once it answers', async () => {
    let probes = 0;
    const { poller, calls, lines } = setUp({
      start: () => Promise.reject(grpcError(14, 'UNAVAILABLE', 'No connection established.')),
      systemInfo: async () => {
        if (++probes <= 2) throw grpcError(14, 'UNAVAILABLE', 'No connection established.');
        return {};
      },
      poller: { startRetry: { attempts: 1 } },
    });
    poller.start();
    const resumed = () => {
      const ok = calls.events.indexOf('probe:ok');
      return ok >= 0 && calls.events.indexOf('fetch', ok) > ok;
    };
    const deadline = Date.now() + 20_000;
    while (!resumed() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await poller.stop();
    const firstProbe = calls.events.indexOf('probe:failed');
    const ok = calls.events.indexOf('probe:ok');
    expect(firstProbe, calls.events.join(' ')).toBeGreaterThan(0);
    // Nothing fetched while Temporal did not answer: the tasks wait in the engine, their retries untouched.
    expect(calls.events.slice(firstProbe, ok + 1)).toEqual(['probe:failed', 'probe:failed', 'probe:ok']);
    expect(calls.events[ok + 1]).toBe('fetch');
    // Before the pause: the fetch that saw the error, and at most the one already on its way.
    const before = calls.events.slice(0, firstProbe).filter((e) => e === 'fetch').length;
    expect(before).toBeLessThanOrEqual(2);
    expect(poller.stats.temporalPauses).toBeGreaterThanOrEqual(1); // and again after the resumed fetch failed
    expect(lines.some((l) => l.includes('WARN') && l.includes('fetching paused'))).toBe(true);
    expect(lines.some((l) => l.includes('Temporal answers again: fetching resumed'))).toBe(true);
  });

  it('fetches no more while a start hangs (Temporal silent, not refusing): the tasks wait in the engine', async () => {
    let releaseStart: () => void = () => {};
    const hanging = new Promise<void>((resolve) => {
      releaseStart = resolve;
    });
    // Room for many pending starts: only the slow start may hold the fetches back.
    const { poller, calls } = setUp({
      start: () => hanging,
      poller: { slowStartMs: 200, maxPendingStarts: 10_000, maxInFlight: 10_000 },
    });
    const fetches = () => calls.events.filter((e) => e === 'fetch').length;
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 600)); // the first start is slow by now
    const held = fetches();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fetches()).toBe(held); // nothing fetched while the starts hang
    releaseStart();
    const deadline = Date.now() + 5_000;
    while (fetches() <= held && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await poller.stop();
    expect(fetches()).toBeGreaterThan(held); // answered: fetching goes on
  });

  it('logs an error with the task id when the failure cannot be reported either', async () => {
    const { poller, calls, lines } = setUp({
      start: () => Promise.reject(grpcError(3, 'INVALID_ARGUMENT', 'Blob data size exceeds limit.')),
      failure: () => Promise.reject(new Error('connect ECONNREFUSED')),
    });
    await poller.pollOnce();
    expect(calls.failures).toHaveLength(1);
    expect(calls.unlocks).toEqual([]);
    const line = lines.find((l) => l.includes('ERROR') && l.includes('cannot report'));
    expect(line).toContain('taskId=task-1');
    expect(line).toContain('ECONNREFUSED');
  });
});

describe('Poller: starting a task', () => {
  it('starts a task that never failed with a plain start', async () => {
    const { poller, calls } = setUp();
    await poller.pollOnce();
    expect(calls.starts).toHaveLength(1);
    expect(calls.signalWithStarts).toHaveLength(0);
    expect(calls.failures).toEqual([]);
  });

  it('signals a task that failed before (retries set) with signal-with-start', async () => {
    const { poller, calls } = setUp({ task: { retries: 2 } });
    await poller.pollOnce();
    expect(calls.starts).toHaveLength(0);
    expect(calls.signalWithStarts).toHaveLength(1);
    const opts = calls.signalWithStarts[0] as { signal: { name: string }; signalArgs: unknown[] };
    expect(opts.signal.name).toBe('bptl.taskFetchedAgain');
    expect(opts.signalArgs).toEqual([{ workerId: 'bptl-w', lockedAtMs: expect.any(Number), retries: 2 }]);
    expect(poller.workflowsInFlight).toBe(1);
  });

  it('follows the chain of runs of a started workflow, and a rejection frees the capacity', async () => {
    let reject: (error: Error) => void = () => {};
    const { poller, calls } = setUp({
      result: () => new Promise((_, r) => (reject = r)),
    });
    await poller.pollOnce();
    expect(calls.results).toEqual([
      { workflowId: 'camunda/e/task-1', runId: 'run-1', opts: { followRuns: true } },
    ]);
    expect(poller.workflowsInFlight).toBe(1);
    reject(new Error('the connection closed'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(poller.workflowsInFlight).toBe(0);
  });
});
