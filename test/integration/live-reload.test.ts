/**
 * Topics managed through the API reach running pollers without a restart, on the real Camunda engine and the
 * real Temporal server: a topic created through the API gets its tasks processed within seconds (the long poll
 * in progress is restarted with the new topics), a disabled topic is no longer fetched while the poller keeps
 * running, and an enabled one is fetched again; engines added and removed start and stop their pollers. Also:
 * running a work unit over HTTP (`POST /work-units/{name}/run`) through Temporal.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { followSource, storeConfigSource } from '../../src/config/config-source.ts';
import { BpmnError, NonRetryableError } from '../../src/errors.ts';
import { waitForProcessEnd } from '../../src/local/demo.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { PollerFleet } from '../../src/poller/poller-fleet.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { createTestApi, type TestApi } from '../support/api.ts';
import { engineInput } from '../support/store-inputs.ts';
import { createHarness, ENGINE, eventually, type Harness } from './harness.ts';

const failing = defineWorkUnit({
  name: 'test-run-fails',
  description: 'always fails, without retry',
  input: z.object({}),
  output: z.object({}),
  run: async () => {
    throw new NonRetryableError('the service said no');
  },
});
const bpmn = defineWorkUnit({
  name: 'test-run-bpmn',
  description: 'raises a BPMN error',
  input: z.object({ code: z.string() }),
  output: z.object({}),
  run: async ({ input }) => {
    throw new BpmnError(input.code, 'nothing to do', { reason: 'empty' });
  },
});

let h: Harness;
let api: TestApi;
let fleet: PollerFleet;
const following = new AbortController();
let follow: Promise<void>;

/** The external task of an instance: whether (and for whom) it is locked. */
async function taskOf(processInstanceId: string) {
  const [task] = await h.camunda.get<
    Array<{ id: string; workerId: string | null; lockExpirationTime: string | null }>
  >('/external-task', { processInstanceId });
  return task;
}

/** A topic of its own with a deployed process, fetched by the same poller: proof that the poller keeps fetching. */
let other: Promise<string> | undefined;
function otherProcess(): Promise<string> {
  other ??= (async () => {
    const topic = h.topicName('other');
    await h.deploy({ key: `${h.id}-other`, topic });
    expect(
      (await api.request('POST', '/topics', { body: { engine: ENGINE, topic, workUnit: 'echo' } })).status,
    ).toBe(201);
    await eventually(
      async () => (fleet.pollers.get(ENGINE)?.topicNames().includes(topic) ? true : undefined),
      'the other topic',
    );
    return `${h.id}-other`;
  })();
  return other;
}

/**
 * Asserts that the task of `processInstanceId` is not fetched although the poller fetches: an instance of the
 * other topic is started after it and runs to its end, which takes a fetch that would have locked this task too
 * (its topic fetched in the same request); the task stays unlocked all along, and after.
 */
async function expectNotFetched(processInstanceId: string): Promise<void> {
  const key = await otherProcess();
  const poller = fleet.pollers.get(ENGINE)!;
  const fetchedBefore = poller.stats.tasksFetched;
  const witness = await h.camunda.startProcess(key);
  const ended = waitForProcessEnd(h.camunda, witness.id, 30_000);
  let done = false;
  const settle = () => {
    done = true;
  };
  ended.then(settle, settle);
  while (!done) {
    const task = await taskOf(processInstanceId);
    expect(task, 'the external task exists').toBeDefined();
    expect(task?.workerId ?? null).toBeNull();
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 200))]).catch(() => {});
  }
  expect((await ended).state).toBe('COMPLETED');
  // The poller fetched meanwhile (the witness's task, exactly: nothing else of ours was waiting).
  expect(poller.stats.tasksFetched).toBe(fetchedBefore + 1);
  expect((await taskOf(processInstanceId))?.workerId ?? null).toBeNull();
}

beforeAll(async () => {
  h = await createHarness('reload');
  await h.startWorker([failing, bpmn]);
  api = await createTestApi({
    units: [failing, bpmn],
    temporal: h.client,
    taskQueue: h.taskQueue,
    workUnitTaskQueue: h.workUnitTaskQueue,
  });
  await api.store.engines.create(engineInput({ name: ENGINE, url: inject('camundaUrl') }), { actor: 'test' });
  const log = createLogger('test.reload', { level: (process.env.LOG_LEVEL as 'info') ?? 'warn' });
  fleet = new PollerFleet({
    temporal: h.client,
    workerId: h.workerId,
    taskQueue: h.taskQueue,
    workUnitTaskQueue: h.workUnitTaskQueue,
    maxTasks: 10,
    // As long as in production: a change must not wait for the long poll to end.
    asyncResponseTimeoutMs: 20_000,
    logger: log,
    workUnitNames: new Set(['echo', 'sleep', 'noop', failing.name, bpmn.name]),
  });
  // What `bptl poller` does with the store: apply a snapshot, then follow the revision (every second).
  const source = storeConfigSource(api.store);
  const first = await source.snapshot();
  await fleet.apply(first.config);
  follow = followSource(source, {
    since: first.revision,
    intervalMs: 1_000,
    signal: following.signal,
    onSnapshot: (snapshot) => fleet.apply(snapshot.config),
  });
});

afterAll(async () => {
  following.abort();
  await follow;
  await fleet?.stop();
  await h?.close();
  await api?.close();
});

describe('topics through the API, live', () => {
  it('fetches a topic created through the API within seconds, even during a long poll', async () => {
    // A first topic, so that the poller sits in a 20 s long poll when the second one is created.
    const busy = h.topicName('busy');
    expect(
      (await api.request('POST', '/topics', { body: { engine: ENGINE, topic: busy, workUnit: 'echo' } }))
        .status,
    ).toBe(201);
    // The poller fetched nothing before (no topics); the first fetch it counts is a long poll with the busy topic.
    expect(fleet.pollers.get(ENGINE)?.topicNames() ?? []).toEqual([]);
    const fetchesBefore = fleet.pollers.get(ENGINE)?.stats.fetches ?? 0;
    await eventually(async () => {
      const poller = fleet.pollers.get(ENGINE);
      return poller?.topicNames().includes(busy) && poller.stats.fetches > fetchesBefore ? true : undefined;
    }, 'a long poll with the busy topic');
    // That long poll lasts 20 s (nothing to fetch): it is under way when the next topic is created.

    const topic = h.topicName('live');
    await h.deploy({ key: `${h.id}-live`, topic });
    const instance = await h.camunda.startProcess(`${h.id}-live`, {
      variables: { greeting: { type: 'String', value: 'hi' } },
    });
    const createdAt = Date.now();
    const res = await api.request('POST', '/topics', {
      body: { engine: ENGINE, topic, workUnit: 'echo', lockDurationMs: 30_000 },
    });
    expect(res.status).toBe(201);
    await eventually(
      async () => {
        const task = await taskOf(instance.id);
        return !task || task.workerId ? true : undefined; // locked, or already completed
      },
      'the task to be locked by the poller',
      10_000,
    );
    const pickedUpMs = Date.now() - createdAt;
    expect(pickedUpMs).toBeLessThan(5_000);
    const end = await waitForProcessEnd(h.camunda, instance.id, 30_000);
    expect(end.state).toBe('COMPLETED');
  });

  it('stops fetching a disabled topic (while the poller runs) and fetches it again once enabled', async () => {
    const topic = h.topicName('toggle');
    await h.deploy({ key: `${h.id}-toggle`, topic });
    const created = await api.request('POST', '/topics', {
      body: { engine: ENGINE, topic, workUnit: 'echo' },
    });
    const etag = created.headers.get('etag')!;
    await eventually(
      async () => (fleet.pollers.get(ENGINE)?.topicNames().includes(topic) ? true : undefined),
      'the topic',
    );

    const disabledAt = Date.now();
    const disabled = await api.request('PUT', `/topics/${ENGINE}/${encodeURIComponent(topic)}`, {
      body: { workUnit: 'echo', enabled: false },
      headers: { 'if-match': etag },
    });
    expect(disabled.status).toBe(200);
    await eventually(
      async () => (fleet.pollers.get(ENGINE)?.topicNames().includes(topic) ? undefined : true),
      'the poller to drop the disabled topic',
      10_000,
    );
    expect(Date.now() - disabledAt).toBeLessThan(5_000);

    const instance = await h.camunda.startProcess(`${h.id}-toggle`);
    // The poller keeps fetching its other topics, and not this one: the task stays unlocked.
    const fetchesBefore = fleet.pollers.get(ENGINE)!.stats.fetches;
    await expectNotFetched(instance.id);
    expect(fleet.pollers.get(ENGINE)!.stats.fetches).toBeGreaterThan(fetchesBefore);

    const enabled = await api.request('PUT', `/topics/${ENGINE}/${encodeURIComponent(topic)}`, {
      body: { workUnit: 'echo', enabled: true },
      headers: { 'if-match': '"2"' },
    });
    expect(enabled.status).toBe(200);
    const end = await waitForProcessEnd(h.camunda, instance.id, 30_000);
    expect(end.state).toBe('COMPLETED');
  });

  it('stops fetching a deleted topic', async () => {
    const topic = h.topicName('deleted');
    await h.deploy({ key: `${h.id}-deleted`, topic });
    await api.request('POST', '/topics', { body: { engine: ENGINE, topic, workUnit: 'echo' } });
    await eventually(
      async () => (fleet.pollers.get(ENGINE)?.topicNames().includes(topic) ? true : undefined),
      'the topic',
    );
    expect((await api.request('DELETE', `/topics/${ENGINE}/${encodeURIComponent(topic)}`)).status).toBe(204);
    await eventually(
      async () => (fleet.pollers.get(ENGINE)?.topicNames().includes(topic) ? undefined : true),
      'the poller to drop the deleted topic',
      5_000,
    );
    const instance = await h.camunda.startProcess(`${h.id}-deleted`);
    await expectNotFetched(instance.id);
    await h.camunda.delete(`/process-instance/${instance.id}`);
  });

  it('starts a poller for an added engine and stops the poller of a removed one', async () => {
    const res = await api.request('POST', '/engines', {
      body: { name: 'second', url: inject('camundaUrl'), workerIdPrefix: 'second' },
    });
    expect(res.status).toBe(201);
    await eventually(
      async () => (fleet.pollers.has('second') ? true : undefined),
      'a poller for the new engine',
      5_000,
    );
    expect((await api.request('DELETE', '/engines/second')).status).toBe(204);
    await eventually(
      async () => (fleet.pollers.has('second') ? undefined : true),
      'its poller to stop',
      10_000,
    );
    expect(fleet.pollers.has(ENGINE)).toBe(true);
  });
});

describe('running a work unit over HTTP', () => {
  it('returns the output of a unit run through Temporal', async () => {
    const res = await api.request('POST', '/work-units/echo/run', {
      body: {
        variables: {
          greeting: 'hello',
          order: { id: 42 },
          when: { type: 'Date', value: '2026-01-02T03:04:05.000+0000' },
        },
        timeoutMs: 20_000,
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as {
      outcome: string;
      output: Record<string, unknown>;
      variables: Record<string, { type: string }>;
    };
    expect(body.outcome).toBe('completed');
    expect(body.output).toMatchObject({ echo_greeting: 'hello', echo_order: { id: 42 } });
    expect(body.variables.echo_when?.type).toBe('Date');
    expect(body.variables.echoedAt?.type).toBe('Date');
  });

  it('answers a BPMN error as an outcome, input that does not fit with 422, a failure with 502', async () => {
    const thrown = await api.request('POST', '/work-units/test-run-bpmn/run', {
      body: { variables: { code: 'EMPTY' } },
    });
    expect(thrown.status).toBe(200);
    expect(await thrown.json()).toMatchObject({
      outcome: 'bpmn-error',
      errorCode: 'EMPTY',
      variables: { reason: { type: 'String' } },
    });

    const bad = await api.request('POST', '/work-units/sleep/run', {
      body: { variables: { sleepMs: 'long' } },
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { detail: string }).detail).toContain('sleepMs');

    const failed = await api.request('POST', '/work-units/test-run-fails/run', { body: {} });
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as { detail: string }).detail).toContain('the service said no');
  });

  it('says 504 when the unit does not finish in time, and ends the run', async () => {
    const started = Date.now();
    const res = await api.request('POST', '/work-units/sleep/run', {
      body: { variables: { sleepMs: 60_000 }, timeoutMs: 1_500 },
    });
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(10_000);
    const { workflowId } = (await res.json()) as { workflowId: string };
    const description = await h.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('TERMINATED');
  });
});
