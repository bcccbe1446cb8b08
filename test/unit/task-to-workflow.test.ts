import { describe, expect, it } from 'vitest';
import { type TopicConfig, topicConfigSchema } from '../../src/config/topic-config.ts';
import { Backoff } from '../../src/poller/backoff.ts';
import { workflowStart, workflowStartOptions } from '../../src/poller/task-to-workflow.ts';

const topic = {
  ...topicConfigSchema.parse({ topic: 'orders', workUnit: 'echo' }),
  engine: 'gemeente',
} as TopicConfig;
const ctx = {
  engine: 'gemeente',
  workerId: 'bptl-1',
  taskQueue: 'bptl',
  workUnitTaskQueue: 'bptl-work-units',
};

describe('workflowStartOptions', () => {
  const task = {
    id: 'abc-123',
    topicName: 'orders',
    processInstanceId: 'pi-9',
    processDefinitionKey: 'order',
    businessKey: 'ORD-1',
    activityId: 'send',
    retries: null,
    variables: { email: { type: 'String', value: 'a@example.org', valueInfo: {} } },
  };

  it('derives the workflow id from engine and task id, and joins a running workflow', () => {
    const options = workflowStartOptions(task, topic, ctx);
    expect(options.workflowId).toBe('camunda/gemeente/abc-123');
    expect(options.workflowIdConflictPolicy).toBe('USE_EXISTING');
    expect(options.workflowIdReusePolicy).toBe('ALLOW_DUPLICATE');
    expect(options.taskQueue).toBe('bptl');
  });

  it('carries the worker id, the task snapshot without nulls, and the topic snapshot', () => {
    const [input] = workflowStartOptions(task, topic, ctx).args;
    expect(input.workerId).toBe('bptl-1');
    expect(input.task).toEqual({
      id: 'abc-123',
      topicName: 'orders',
      processInstanceId: 'pi-9',
      processDefinitionKey: 'order',
      businessKey: 'ORD-1',
      activityId: 'send',
      variables: { email: { type: 'String', value: 'a@example.org', valueInfo: {} } },
    });
    expect(input.topic).toMatchObject({ workUnit: 'echo', lockDurationMs: 60_000, camundaRetries: 0 });
  });

  it("carries the topic's applications in its snapshot, and nothing when it lists none", () => {
    const listed = { ...topic, applications: ['app-1'] } as TopicConfig;
    expect(workflowStartOptions(task, listed, ctx).args[0].topic.applications).toEqual(['app-1']);
    const empty = { ...topic, applications: [] } as TopicConfig;
    expect(workflowStartOptions(task, empty, ctx).args[0].topic.applications).toEqual([]);
    expect(workflowStartOptions(task, topic, ctx).args[0].topic).not.toHaveProperty('applications');
  });

  it("gives a local task's workflow task 4 s, and more for a large input as far as the lock allows", () => {
    const local = (lockDurationMs: number) =>
      ({ ...topic, execution: 'local', lockDurationMs }) as TopicConfig;
    const withPayload = (kib: number) => ({
      ...task,
      variables: { payload: { type: 'Json', value: JSON.stringify({ text: 'x'.repeat(kib * 1024) }) } },
    });
    expect(workflowStartOptions(task, local(60_000), ctx).workflowTaskTimeout).toBe(4_000);
    // 1 MiB of variables: 4 s + 10 s; capped by a 30 s lock at (30 − 12) × 0.5 = 9 s; the 20 s minimum keeps 4 s.
    expect(workflowStartOptions(withPayload(1024), local(60_000), ctx).workflowTaskTimeout).toBe(14_000);
    expect(workflowStartOptions(withPayload(1024), local(30_000), ctx).workflowTaskTimeout).toBe(9_000);
    expect(workflowStartOptions(withPayload(1024), local(20_000), ctx).workflowTaskTimeout).toBe(4_000);
    // An activity's workflow task runs no unit: the SDK's default.
    expect(workflowStartOptions(withPayload(1024), topic, ctx).workflowTaskTimeout).toBeUndefined();
  });

  it('puts ids, never variable values, in search attributes', () => {
    const options = workflowStartOptions(task, topic, ctx);
    const pairs = (options.typedSearchAttributes as Array<{ key: { name: string }; value: unknown }>).map(
      (p) => [p.key.name, p.value],
    );
    expect(Object.fromEntries(pairs)).toEqual({
      BptlEngine: 'gemeente',
      BptlTopic: 'orders',
      BptlWorkUnit: 'echo',
      BptlProcessInstanceId: 'pi-9',
      BptlProcessDefinitionKey: 'order',
      BptlBusinessKey: 'ORD-1',
      BptlState: 'unit-running',
    });
    expect(JSON.stringify(pairs)).not.toContain('a@example.org');
  });
});

describe('workflowStart', () => {
  const task = { id: 'abc-123', topicName: 'orders', retries: null, variables: {} };
  const startCtx = { ...ctx, lockedAtMs: 1_700_000_000_000 };

  it('starts a task that never failed with a plain start, eager when asked', () => {
    const plain = workflowStart(task, topic, startCtx);
    expect(plain.method).toBe('start');
    expect(plain.options).toEqual(workflowStartOptions(task, topic, startCtx));
    const eager = workflowStart(task, topic, { ...startCtx, eagerStart: true });
    expect(eager).toMatchObject({ method: 'start', options: { requestEagerStart: true } });
  });

  it('starts a task that failed before with signal-with-start, telling a running workflow of the new lock', () => {
    const start = workflowStart({ ...task, retries: 2 }, topic, { ...startCtx, eagerStart: true });
    expect(start.method).toBe('signalWithStart');
    if (start.method !== 'signalWithStart') return;
    expect(start.options.signal).toMatchObject({ type: 'signal', name: 'bptl.taskFetchedAgain' });
    expect(start.options.signalArgs).toEqual([
      { workerId: 'bptl-1', lockedAtMs: 1_700_000_000_000, retries: 2 },
    ]);
    // Signal-with-start has no eager start; a closed workflow gets a new run under the same id.
    expect(start.options).not.toHaveProperty('requestEagerStart');
    expect(start.options).toMatchObject({
      workflowId: 'camunda/gemeente/abc-123',
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    expect(start.options.args).toEqual(workflowStartOptions({ ...task, retries: 2 }, topic, startCtx).args);
  });

  it('treats retries 0 as a task that failed before', () => {
    expect(workflowStart({ ...task, retries: 0 }, topic, startCtx).method).toBe('signalWithStart');
  });
});

describe('Backoff', () => {
  it('grows exponentially within [half, full] of each step, up to the maximum', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0 });
    expect([low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([50, 100, 200, 400, 500]);
    const high = new Backoff({ initialMs: 100, maxMs: 1_000, random: () => 0.999_999 });
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    high.reset();
    expect(high.next()).toBe(100);
  });
});
