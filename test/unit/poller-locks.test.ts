/**
 * The poller's lock bookkeeping against a loopback fake engine: a task that does not parse becomes a failure
 * report with no retries left (an incident naming the problem); a task whose topic was disabled between the
 * fetch and its start is unlocked; orphan release unlocks only the tasks without a running workflow; an answer
 * of the task query that does not parse is a logged warning, not a crash.
 */
import { Client, Connection } from '@temporalio/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TopicConfig, topicConfigSchema } from '../../src/config/topic-config.ts';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { LockBookkeeping } from '../../src/poller/lock-bookkeeping.ts';
import { Poller } from '../../src/poller/poller.ts';
import { FakeEngine } from '../support/fake-engine.ts';

const WORKER = 'bptl-locks';
const topic = { ...topicConfigSchema.parse({ topic: 't', workUnit: 'echo' }), engine: 'e' } as TopicConfig;

let engine: FakeEngine;
let connection: Connection;
let lines: string[];

beforeEach(async () => {
  engine = await FakeEngine.start();
  // A Temporal client that reaches nothing: none of these paths may call Temporal.
  connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: [] });
  lines = [];
});

afterEach(async () => {
  await engine.close();
  await connection.close();
});

const logger = () => createLogger('locks', { level: 'debug', write: (line) => lines.push(line) });

function poller(): Poller {
  return new Poller({
    engine: 'e',
    camunda: new CamundaClient({ baseUrl: engine.baseUrl }),
    temporal: new Client({ connection }),
    topics: [topic],
    workerId: WORKER,
    taskQueue: 'q',
    workUnitTaskQueue: 'q-units',
    asyncResponseTimeoutMs: 1_000,
    logger: logger(),
  });
}

describe('the poller reports what it cannot start', () => {
  it('reports a task that does not parse as a failure with no retries left, naming the problem', async () => {
    engine.queue({ id: 'bad-1', topicName: 't', retries: 'many' });
    const p = poller();
    expect(await p.pollOnce()).toBe(1);
    const [failure, ...more] = engine.requestsTo('/external-task/bad-1/failure', 'POST');
    expect(more).toEqual([]);
    expect(failure?.body).toMatchObject({ workerId: WORKER, retries: 0, retryTimeout: 0 });
    expect(failure?.body.errorMessage).toMatch(/^BPTL cannot read this task: .*retries/s);
    expect(failure?.body.errorDetails).toContain('retries');
    expect(p.stats.malformedTasks).toBe(1);
    expect(engine.lockedFor(WORKER)).toEqual([]);
  });

  it('unlocks a task whose topic was disabled between the fetch and its start', async () => {
    engine.queue({ id: 'task-1', topicName: 't' });
    const release = engine.hold('/external-task/fetchAndLock');
    const p = poller();
    const polled = p.pollOnce();
    await engine.waitForRequest((r) => r.path === '/external-task/fetchAndLock');
    p.setTopics([{ ...topic, enabled: false }]);
    release();
    expect(await polled).toBe(1);
    expect(engine.requestsTo('/external-task/task-1/unlock', 'POST')).toHaveLength(1);
    expect(engine.requestsTo('/external-task/task-1/failure')).toEqual([]);
    expect(engine.lockedFor(WORKER)).toEqual([]);
    expect(lines.some((l) => l.includes('task unlocked') && l.includes('its topic is disabled'))).toBe(true);
  });
});

describe('LockBookkeeping.releaseOrphans', () => {
  it('unlocks only the tasks locked for this worker id that have no running workflow', async () => {
    engine.lock({ id: 'running', topicName: 't' }, WORKER);
    engine.lock({ id: 'orphan', topicName: 't' }, WORKER);
    engine.lock({ id: 'other-worker', topicName: 't' }, 'someone-else');
    const locks = new LockBookkeeping(new CamundaClient({ baseUrl: engine.baseUrl }), WORKER, logger());
    const asked: string[] = [];
    const released = await locks.releaseOrphans(async (taskId) => {
      asked.push(taskId);
      return taskId === 'running';
    });
    expect(released).toBe(1);
    expect(asked.sort()).toEqual(['orphan', 'running']);
    expect(engine.requests.filter((r) => r.path.endsWith('/unlock')).map((r) => r.path)).toEqual([
      '/external-task/orphan/unlock',
    ]);
    expect(engine.lockedFor(WORKER)).toEqual(['running']);
    expect(engine.lockedFor('someone-else')).toEqual(['other-worker']);
    const query = engine.requestsTo('/external-task', 'GET')[0]?.query;
    expect(query?.get('workerId')).toBe(WORKER);
    expect(query?.get('locked')).toBe('true');
  });

  it('releases nothing, and warns, when the task query answers with something that is not a list of tasks', async () => {
    engine.lock({ id: 'no-topic' }, WORKER);
    const locks = new LockBookkeeping(new CamundaClient({ baseUrl: engine.baseUrl }), WORKER, logger());
    expect(await locks.releaseOrphans(async () => false)).toBe(0);
    expect(engine.requests.filter((r) => r.path.endsWith('/unlock'))).toEqual([]);
    const warning = lines.find((l) => l.includes('cannot check for orphaned locks'));
    expect(warning).toContain('the engine did not answer with a list of tasks');
    expect(warning).toContain('topicName');
  });
});

describe('LockBookkeeping.releaseOrphansUntilNone (a stopping poller)', () => {
  const fast = { waitsMs: [1, 1, 1, 1] };
  const checks = () => engine.requestsTo('/external-task', 'GET').length;

  it('checks twice when there is nothing to release, and does not warn', async () => {
    const locks = new LockBookkeeping(new CamundaClient({ baseUrl: engine.baseUrl }), WORKER, logger());
    expect(await locks.releaseOrphansUntilNone(async () => false, fast)).toBe(0);
    expect(checks()).toBe(2);
    expect(lines.some((l) => l.includes('orphaned locks may remain'))).toBe(false);
  });

  it('releases a task the engine locks for the aborted poll only after the first check', async () => {
    // A task with a running workflow is locked from the start; while the first check asks about it (its
    // answer is in), the engine locks one more for this worker id, as it would for the aborted long poll.
    engine.lock({ id: 'running', topicName: 't' }, WORKER);
    let asked = 0;
    const locks = new LockBookkeeping(new CamundaClient({ baseUrl: engine.baseUrl }), WORKER, logger());
    const released = await locks.releaseOrphansUntilNone(async (taskId) => {
      if (taskId === 'running' && ++asked === 1) engine.lock({ id: 'late', topicName: 't' }, WORKER);
      return taskId === 'running';
    }, fast);
    expect(released).toBe(1);
    expect(engine.requestsTo('/external-task/late/unlock', 'POST')).toHaveLength(1);
    expect(engine.lockedFor(WORKER)).toEqual(['running']);
    expect(checks()).toBe(3); // the first found no orphan, the second released 'late', the third found none
    expect(lines.some((l) => l.includes('orphaned locks may remain'))).toBe(false);
  });

  it('gives up after the last check and warns that orphaned locks may remain, naming the count', async () => {
    let n = 0;
    engine.lock({ id: `orphan-${n}`, topicName: 't' }, WORKER);
    const locks = new LockBookkeeping(new CamundaClient({ baseUrl: engine.baseUrl }), WORKER, logger());
    // Each check finds an orphan, and the engine locks another one meanwhile: it never gets quiet.
    const released = await locks.releaseOrphansUntilNone(async () => {
      engine.lock({ id: `orphan-${++n}`, topicName: 't' }, WORKER);
      return false;
    }, fast);
    expect(checks()).toBe(5);
    expect(released).toBe(5);
    const warning = lines.find((l) => l.includes('orphaned locks may remain'));
    expect(warning).toContain('foundAtLastCheck=1');
    expect(warning).toContain('checks=5');
  });

  it('stops at the first check that fails: an engine that does not answer is not waited for', async () => {
    engine.lock({ id: 'no-topic' }, WORKER); // the task query does not parse: the check fails
    const locks = new LockBookkeeping(new CamundaClient({ baseUrl: engine.baseUrl }), WORKER, logger());
    expect(await locks.releaseOrphansUntilNone(async () => false, fast)).toBe(0);
    expect(checks()).toBe(1);
    expect(lines.some((l) => l.includes('cannot check for orphaned locks'))).toBe(true);
    expect(lines.some((l) => l.includes('orphaned locks may remain'))).toBe(false);
  });
});
