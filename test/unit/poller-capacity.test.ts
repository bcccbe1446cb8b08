/**
 * The poller's capacity tracker: on its own (starts and followed workflows count until they settle), and in the
 * poller's loop against a loopback fake engine (a fetch asks only for the free capacity; capacity comes back
 * when a start settles).
 */
import { getEventListeners } from 'node:events';
import { Client, Connection } from '@temporalio/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type TopicConfig, topicConfigSchema } from '../../src/config/topic-config.ts';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { CapacityTracker } from '../../src/poller/capacity-tracker.ts';
import { Poller, type PollerOptions } from '../../src/poller/poller.ts';
import { FakeEngine } from '../support/fake-engine.ts';

const quiet = createLogger('capacity', { level: 'error', write: () => {} });

function deferred() {
  let resolve: () => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function tracker(maxPendingStarts: number, maxInFlight: number) {
  return new CapacityTracker({ maxPendingStarts, maxInFlight, slowStartMs: 2_000, log: quiet });
}

describe('CapacityTracker', () => {
  it('counts a start until it settles, fulfilled or rejected', async () => {
    const capacity = tracker(3, 10);
    const first = deferred();
    const second = deferred();
    void capacity.track(first.promise);
    capacity.track(second.promise).catch(() => {});
    expect(capacity.free()).toBe(1);
    first.resolve();
    second.reject(new Error('the start failed'));
    await capacity.settled();
    expect(capacity.pendingStarts).toBe(0);
    expect(capacity.free()).toBe(3);
  });

  it('counts a started workflow until it closes, once per workflow id, against maxInFlight', async () => {
    const capacity = tracker(50, 2);
    const closed = deferred();
    capacity.follow('wf-1', () => closed.promise);
    capacity.follow('wf-1', () => Promise.resolve()); // fetched again: joins its running workflow
    expect(capacity.workflowsInFlight).toBe(1);
    void capacity.track(deferred().promise); // a start in flight counts too
    expect(capacity.free()).toBe(0);
    const freed = capacity.waitForCapacity(new AbortController().signal);
    closed.reject(new Error('the connection closed'));
    await freed;
    expect(capacity.workflowsInFlight).toBe(0);
    expect(capacity.free()).toBe(1);
  });

  it('stops waiting for capacity when the signal aborts, and leaves no listener on it', async () => {
    const capacity = tracker(1, 1);
    void capacity.track(deferred().promise);
    const stop = new AbortController();
    const waiting = capacity.waitForCapacity(stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort();
    await waiting;
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    expect(capacity.free()).toBe(0);
  });

  it('takes its listener off the signal when capacity frees up (the poller waits once per task)', async () => {
    const capacity = tracker(1, 1);
    const start = deferred();
    void capacity.track(start.promise);
    const signal = new AbortController().signal;
    const waiting = capacity.waitForCapacity(signal);
    start.resolve();
    await waiting;
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(capacity.free()).toBe(1);
  });
});

describe('CapacityTracker.waitForBatch: fewer, fuller fetches', () => {
  it('does not wait when the poller is idle, when the batch is free, or when lingering is off', async () => {
    const signal = new AbortController().signal;
    const capacity = tracker(3, 10);
    expect(await capacity.waitForBatch(5, 60_000, signal)).toBe(false); // nothing runs: fetch at once
    void capacity.track(deferred().promise);
    expect(await capacity.waitForBatch(2, 60_000, signal)).toBe(false); // 2 of 3 free
    expect(await capacity.waitForBatch(3, 0, signal)).toBe(false); // lingering off
  });

  it('while busy, waits until the batch is free (a linger far off: only freed capacity ends the wait)', async () => {
    const capacity = tracker(4, 10);
    const starts = [deferred(), deferred(), deferred(), deferred()];
    for (const s of starts) void capacity.track(s.promise);
    const signal = new AbortController().signal;
    let done = false;
    const waiting = capacity.waitForBatch(2, 600_000, signal).then((waited) => {
      done = true;
      return waited;
    });
    starts[0]?.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false); // one free of the two it waits for
    expect(capacity.free()).toBe(1);
    starts[1]?.resolve();
    expect(await waiting).toBe(true);
    expect(capacity.free()).toBe(2);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('gives up after the linger with what is free, and stops at once when the signal aborts', async () => {
    const capacity = tracker(2, 10);
    void capacity.track(deferred().promise);
    const signal = new AbortController().signal;
    expect(await capacity.waitForBatch(2, 20, signal)).toBe(true);
    expect(capacity.free()).toBe(1);
    const stop = new AbortController();
    const waiting = capacity.waitForBatch(2, 600_000, stop.signal);
    stop.abort();
    expect(await waiting).toBe(true);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});

describe('the poller fetches only its free capacity', () => {
  let engine: FakeEngine | undefined;
  let connection: Connection | undefined;
  afterEach(async () => {
    await engine?.close();
    await connection?.close();
  });

  /**
   * A poller for topic `t` against the fake engine. Nothing reaches Temporal: the tasks these tests queue are on
   * topic `gone`, which is not configured, so the poller gives them back (an unlock the test can hold).
   */
  async function pollerOnFakeEngine(options: Partial<PollerOptions> & { workerId: string }) {
    engine = await FakeEngine.start();
    connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: [] });
    const topic = {
      ...topicConfigSchema.parse({ topic: 't', workUnit: 'echo' }),
      engine: 'e',
    } as TopicConfig;
    const poller = new Poller({
      engine: 'e',
      camunda: new CamundaClient({ baseUrl: engine.baseUrl }),
      temporal: new Client({ connection }),
      topics: [topic],
      taskQueue: 'q',
      workUnitTaskQueue: 'q-units',
      asyncResponseTimeoutMs: 300,
      logger: quiet,
      ...options,
    });
    return { engine, poller };
  }

  it('asks for what is free while starts are pending, and for more once they settled', async () => {
    const { engine, poller } = await pollerOnFakeEngine({ workerId: 'bptl-capacity', maxPendingStarts: 3 });
    // Two tasks whose "start" (here: the unlock of a topic no longer configured) waits for the test.
    const releaseUnlock1 = engine.hold('/external-task/gone-1/unlock');
    const releaseUnlock2 = engine.hold('/external-task/gone-2/unlock');
    engine.queue({ id: 'gone-1', topicName: 'gone' }, { id: 'gone-2', topicName: 'gone' });
    poller.start();
    try {
      const isFetch = (r: { path: string; body: { topics?: unknown[] } }) =>
        r.path === '/external-task/fetchAndLock' && (r.body.topics?.length ?? 0) > 0;
      const first = await engine.waitForRequest(isFetch);
      expect(first.body.maxTasks).toBe(3);
      await engine.waitForRequest((r) => r.path === '/external-task/gone-2/unlock');
      const second = await engine.waitForRequest(isFetch, { from: engine.requests.indexOf(first) + 1 });
      expect(second.body.maxTasks).toBe(1); // two of three starts are pending
      releaseUnlock1();
      releaseUnlock2();
      const after = engine.requests.length;
      const third = await engine.waitForRequest((r) => isFetch(r) && r.body.maxTasks === 3, { from: after });
      expect(third.body.workerId).toBe('bptl-capacity');
    } finally {
      await poller.stop();
    }
    expect(engine.lockedFor('bptl-capacity')).toEqual([]);
  });
  it('while busy, waits for half a fetch of capacity instead of fetching each freed slot (BPTL_FETCH_LINGER_MS)', async () => {
    const { engine, poller } = await pollerOnFakeEngine({
      workerId: 'bptl-batch',
      maxTasks: 4,
      maxPendingStarts: 4,
      // Far off: in this test only freed capacity ends the wait, so no step depends on a clock.
      fetchLingerMs: 600_000,
    });
    const ids = ['gone-1', 'gone-2', 'gone-3', 'gone-4'];
    const release = ids.map((id) => engine.hold(`/external-task/${id}/unlock`));
    engine.queue(...ids.map((id) => ({ id, topicName: 'gone' })));
    poller.start();
    try {
      const isFetch = (r: { path: string; body: { topics?: unknown[] } }) =>
        r.path === '/external-task/fetchAndLock' && (r.body.topics?.length ?? 0) > 0;
      const first = await engine.waitForRequest(isFetch);
      expect(first.body.maxTasks).toBe(4);
      await engine.waitForRequest((r) => r.path === '/external-task/gone-4/unlock');
      release[0]?.();
      // The freed slot reached the loop, which waits for a second one instead of fetching.
      await vi.waitFor(() => expect(poller.stats.batchWaits).toBe(1));
      release[1]?.();
      const second = await engine.waitForRequest(isFetch, { from: engine.requests.indexOf(first) + 1 });
      // One slot free is not worth a fetch: the next one asks for the two freed (the batch), not for one.
      expect(second.body.maxTasks).toBe(2);
    } finally {
      for (const r of release) r();
      await poller.stop();
    }
    expect(engine.lockedFor('bptl-batch')).toEqual([]);
  });
});
