/**
 * The external-task lifecycle on the real Camunda engine and the real Temporal server, one test per
 * behaviour: retries, incidents, BPMN errors, lock keeping, cancellation, every variable type, callbacks,
 * and a task offered again after its incident is resolved.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { createEngineActivities } from '../../src/activities/engine-activities.ts';
import type { TopicConfig } from '../../src/config/topic-config.ts';
import { encodeVariables, local, typed } from '../../src/engine/variables.ts';
import { BpmnError, NonRetryableError } from '../../src/errors.ts';
import { waitForProcessEnd } from '../../src/local/demo.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import type { ExternalTaskResult } from '../../src/workflows/external-task-input.ts';
import { externalTaskWorkflowId } from '../../src/workflows/external-task-input.ts';
import { ENGINE, eventually, fileHarness, type Harness } from './harness.ts';

/** What the test units saw, per process instance; `resolved` lets test-fatal succeed. */
interface Seen {
  attempts: Map<string, number>;
  cancelled: Set<string>;
  started: Set<string>;
  resolved: boolean;
}

/** The test units, noting what they see in `seen`. */
function testUnits(seen: Seen) {
  const count = (pi: string | undefined) => {
    const n = (seen.attempts.get(pi ?? '') ?? 0) + 1;
    seen.attempts.set(pi ?? '', n);
    return n;
  };
  return [
    defineWorkUnit({
      name: 'test-flaky',
      description: 'fails twice, then succeeds',
      input: z.object({}),
      output: z.object({ attempts: z.number() }),
      run: async ({ task }) => {
        const n = count(task.processInstanceId);
        if (n < 3) throw new Error(`flaky failure ${n}`);
        return { attempts: n };
      },
    }),
    defineWorkUnit({
      name: 'test-always-fails',
      description: 'always fails, retryably',
      input: z.object({}),
      output: z.object({}),
      run: async ({ task }) => {
        throw new Error(`the backend is down (attempt ${count(task.processInstanceId)})`);
      },
    }),
    defineWorkUnit({
      name: 'test-fatal',
      description: 'fails non-retryably until the test resolves it',
      input: z.object({}),
      output: z.object({ ok: z.boolean() }),
      run: async ({ task }) => {
        count(task.processInstanceId);
        if (!seen.resolved) throw new NonRetryableError('zaaktype not found: ZT-99');
        return { ok: true };
      },
    }),
    defineWorkUnit({
      name: 'test-bpmn-error',
      description: 'raises a BPMN error with variables',
      input: z.object({}),
      output: z.object({}),
      run: async ({ task }) => {
        count(task.processInstanceId);
        throw new BpmnError('ORDER_REJECTED', 'out of stock', {
          rejectionReason: 'out of stock',
          restockDays: 12,
        });
      },
    }),
    defineWorkUnit({
      name: 'test-long',
      description: 'works for `workMs`, noting when it starts and whether it was cancelled',
      input: z.object({ workMs: z.number() }),
      output: z.object({ workedMs: z.number() }),
      run: async ({ input, task, sleep }) => {
        const pi = task.processInstanceId ?? '';
        count(pi);
        seen.started.add(pi);
        const started = Date.now();
        try {
          await sleep(input.workMs);
        } catch (error) {
          seen.cancelled.add(pi);
          throw error;
        }
        return { workedMs: Date.now() - started };
      },
    }),
    defineWorkUnit({
      name: 'test-roundtrip',
      description: 'reads a variable of every type and writes each back with the same type',
      input: z.object({
        s: z.string(),
        b: z.boolean(),
        sh: z.number().int(),
        i: z.number().int(),
        l: z.bigint(),
        d: z.number(),
        date: z.date(),
        json: z.object({ list: z.array(z.unknown()) }),
        xml: z.string(),
        nothing: z.null(),
        obj: z.record(z.string(), z.unknown()),
        bytes: z.instanceof(Uint8Array),
      }),
      output: z.record(z.string(), z.unknown()),
      run: async ({ input }) => ({
        out_s: input.s,
        out_b: input.b,
        out_sh: typed.short(input.sh),
        out_i: input.i,
        out_l: input.l,
        out_d: input.d,
        out_date: input.date,
        out_json: input.json,
        out_xml: typed.xml(input.xml),
        out_nothing: input.nothing,
        out_obj: typed.object(input.obj, 'java.util.LinkedHashMap'),
        out_bytes: input.bytes,
        out_local: local('only on the task'),
      }),
    }),
  ];
}

/** Deploys a one-task process for a unit and returns a topic config for it. */
async function scenario(
  h: Harness,
  name: string,
  workUnit: string,
  overrides: Partial<TopicConfig> = {},
  errorCode?: string,
) {
  const topic = h.topicName(name);
  await h.deploy({ key: `${h.id}-${name}`, topic, ...(errorCode ? { errorCode } : {}) });
  return h.topicConfig(topic, workUnit, {
    retry: { initialIntervalMs: 200, backoffCoefficient: 1, maximumIntervalMs: 200, maximumAttempts: 3 },
    ...overrides,
  });
}

const start = (h: Harness, name: string, variables: Record<string, unknown> = {}) =>
  h.camunda.startProcess(`${h.id}-${name}`, { variables: encodeVariables(variables) });

async function taskIdOf(h: Harness, processInstanceId: string): Promise<string> {
  return eventually(async () => {
    const logs = await h.camunda.get<Array<{ externalTaskId: string; creationLog: boolean }>>(
      '/history/external-task-log',
      {
        processInstanceId,
        creationLog: true,
      },
    );
    return logs[0]?.externalTaskId;
  }, 'the external task');
}

async function workflowOf(h: Harness, processInstanceId: string) {
  return h.client.workflow.getHandle(externalTaskWorkflowId(ENGINE, await taskIdOf(h, processInstanceId)));
}

async function incidentOf(h: Harness, processInstanceId: string) {
  return eventually(async () => {
    const rows = await h.camunda.get<
      Array<{ incidentMessage: string; incidentType: string; configuration: string }>
    >('/incident', { processInstanceId });
    return rows[0];
  }, 'an incident');
}

const successLogs = async (h: Harness, taskId: string) =>
  (await h.camunda.get<unknown[]>('/history/external-task-log', { externalTaskId: taskId, successLog: true }))
    .length;

/** The activity types a history ran: scheduled activities and local-activity markers. */
function activityTypes(
  history: Awaited<ReturnType<ReturnType<Harness['client']['workflow']['getHandle']>['fetchHistory']>>,
) {
  const types: string[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) types.push(scheduled);
    for (const payload of event.markerRecordedEventAttributes?.details?.data?.payloads ?? []) {
      // The local-activity marker's data: {seq, attempt, activity_id, activity_type, …}
      const data = JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')) as {
        activity_type?: string;
      };
      if (data.activity_type) types.push(data.activity_type);
    }
  }
  return types;
}

/**
 * Until the process instance has completed, another worker tries to fetch its topic's tasks every 250 ms;
 * returns what it got (nothing, while BPTL keeps the lock).
 */
async function fetchedByAnotherWorkerUntilCompleted(h: Harness, processInstanceId: string, topic: string) {
  const stolen: unknown[] = [];
  const completed = async () =>
    (
      await h.camunda.get<{ state: string }>(`/history/process-instance/${processInstanceId}`)
    ).state.startsWith('COMPLETED');
  while (!(await completed())) {
    const fetched = await h.camunda.fetchAndLock({
      workerId: `${h.id}-thief`,
      maxTasks: 10,
      topics: [{ topicName: topic, lockDuration: 60_000 }],
    });
    stolen.push(...fetched);
    await new Promise((r) => setTimeout(r, 250));
  }
  return stolen;
}

/**
 * Starts a unit of scenario `name` that works `workMs`, longer than its lock, and checks that no other worker
 * could fetch the task meanwhile, that it ran once and completed once, and that the memo shows the lock
 * extended; returns the workflow's history.
 */
async function lockKeptWhileRunning(h: Harness, seen: Seen, name: string, topic: string, workMs: number) {
  const pi = (await start(h, name, { workMs })).id;
  await eventually(async () => (seen.started.has(pi) ? true : undefined), 'the unit to start');
  expect(await fetchedByAnotherWorkerUntilCompleted(h, pi, topic)).toEqual([]);
  expect(await successLogs(h, await taskIdOf(h, pi))).toBe(1);
  expect(seen.attempts.get(pi)).toBe(1);
  const handle = await workflowOf(h, pi);
  expect(await handle.result()).toMatchObject({ outcome: 'completed' });
  const memo = (await handle.describe()).memo as { lock?: { status: string } };
  expect(memo.lock?.status).toBe('extended');
  return handle.fetchHistory();
}

/**
 * Starts a two-minute unit of scenario `name`, deletes its process instance once the unit runs, and checks that
 * the workflow ended abandoned with the unit cancelled; returns the workflow's history.
 */
async function deletedMidWork(h: Harness, seen: Seen, name: string) {
  const pi = (await start(h, name, { workMs: 120_000 })).id;
  await eventually(async () => (seen.started.has(pi) ? true : undefined), 'the unit to start');
  const handle = await workflowOf(h, pi);
  await h.camunda.delete(`/process-instance/${pi}`);
  const result = (await handle.result()) as ExternalTaskResult;
  expect(result.outcome).toBe('abandoned');
  expect(result.reason).toContain('the task is gone');
  expect(seen.cancelled.has(pi)).toBe(true);
  return handle.fetchHistory();
}

/**
 * The file's harness with a scenario per behaviour deployed, a worker with the test units and a poller of their
 * topics; what the units saw. And a server that records the callbacks it is sent.
 */
const it = test
  // A server that records the callbacks it is sent (its own fixture: one clean-up per fixture).
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('callbacks', { scope: 'file' }, async ({}, { onCleanup }) => {
    const callbacks: Array<{ body: unknown }> = [];
    const callbackServer = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        callbacks.push({ body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    onCleanup(async () => {
      callbackServer.closeAllConnections();
      await new Promise<void>((resolve) => callbackServer.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/bptl-callback`;
    return { received: callbacks, url };
  })
  .extend('lc', { scope: 'file' }, async ({ callbacks }, { onCleanup }) => {
    const h = await fileHarness('lifecycle', onCleanup);
    const seen: Seen = { attempts: new Map(), cancelled: new Set(), started: new Set(), resolved: false };
    const topics: Record<string, TopicConfig> = {
      flaky: await scenario(h, 'flaky', 'test-flaky'),
      exhausted: await scenario(h, 'exhausted', 'test-always-fails'),
      fatal: await scenario(h, 'fatal', 'test-fatal'),
      bpmn: await scenario(h, 'bpmn', 'test-bpmn-error', {}, 'ORDER_REJECTED'),
      long: await scenario(h, 'long', 'test-long', { lockDurationMs: 2_000 }),
      cancel: await scenario(h, 'cancel', 'test-long', { lockDurationMs: 2_000, heartbeatTimeoutMs: 5_000 }),
      roundtrip: await scenario(h, 'roundtrip', 'test-roundtrip'),
      // The callback server is on loopback: the topic allows its origin explicitly.
      callback: await scenario(h, 'callback', 'echo', {
        variables: ['text'],
        outbound: { allowedOrigins: [new URL(callbacks.url).origin], errorDetails: false },
      }),
      callbackRefused: await scenario(h, 'callback-refused', 'echo', { variables: ['text'] }),
      localFlaky: await scenario(h, 'local-flaky', 'test-flaky', { execution: 'local' }),
      localLong: await scenario(h, 'local-long', 'test-long', { execution: 'local', lockDurationMs: 20_000 }),
      localCancel: await scenario(h, 'local-cancel', 'test-long', {
        execution: 'local',
        lockDurationMs: 20_000,
      }),
    };
    await h.startWorker(testUnits(seen));
    h.createPoller(Object.values(topics), { asyncResponseTimeoutMs: 5_000 }).start();
    return { h, seen, topics };
  });

describe('retries and failures', () => {
  it('a unit that fails twice, then succeeds: one completion, three attempts in the history', async ({
    lc: { h, seen },
  }) => {
    const pi = (await start(h, 'flaky')).id;
    expect((await waitForProcessEnd(h.camunda, pi)).state).toBe('COMPLETED');
    const handle = await workflowOf(h, pi);
    expect(await handle.result()).toMatchObject({ outcome: 'completed' });
    const history = await handle.fetchHistory();
    // The workflow runs each attempt as an activity of its own, so each failure stands in the history.
    const scheduled = history.events?.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runWorkUnit',
    );
    expect(scheduled).toHaveLength(3);
    const failed = history.events?.filter((e) => e.activityTaskFailedEventAttributes) ?? [];
    expect(failed.map((e) => e.activityTaskFailedEventAttributes?.failure?.message)).toEqual([
      'flaky failure 1',
      'flaky failure 2',
    ]);
    expect(seen.attempts.get(pi)).toBe(3);
    expect(await successLogs(h, await taskIdOf(h, pi))).toBe(1);
    expect(await handle.result()).toMatchObject({ outcome: 'completed' });
  });

  it('attempts exhausted: an incident in Camunda carrying our message and details', async ({
    lc: { h, seen },
  }) => {
    const pi = (await start(h, 'exhausted')).id;
    const incident = await incidentOf(h, pi);
    expect(incident.incidentType).toBe('failedExternalTask');
    expect(incident.incidentMessage).toBe('the backend is down (attempt 3)');
    const details = await h.camunda.get<string>(`/external-task/${incident.configuration}/errorDetails`);
    expect(details).toContain('work unit: test-always-fails');
    expect(details).toContain('attempts: 3 (at most 3)');
    expect(seen.attempts.get(pi)).toBe(3);
    expect(await (await workflowOf(h, pi)).result()).toMatchObject({ outcome: 'failed' });
  });

  it('a non-retryable error: an incident after exactly one attempt', async ({ lc: { h, seen } }) => {
    const pi = (await start(h, 'fatal')).id;
    const incident = await incidentOf(h, pi);
    expect(incident.incidentMessage).toBe('zaaktype not found: ZT-99');
    expect(seen.attempts.get(pi)).toBe(1);
  });

  it('an incident resolved by setting retries: the task runs again, in a new run under the same workflow id', async ({
    lc: { h, seen },
  }) => {
    // The instance of the previous test has an incident; resolve the cause, then the incident.
    const [instance] = await h.camunda.get<Array<{ id: string }>>('/process-instance', {
      processDefinitionKey: `${h.id}-fatal`,
    });
    const pi = instance!.id;
    const taskId = await taskIdOf(h, pi);
    const handle = h.client.workflow.getHandle(externalTaskWorkflowId(ENGINE, taskId));
    const firstRun = (await handle.describe()).runId;
    seen.resolved = true;
    await h.camunda.put(`/external-task/${taskId}/retries`, { retries: 1 });
    expect((await waitForProcessEnd(h.camunda, pi)).state).toBe('COMPLETED');
    const runs = await Array.fromAsync(
      h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` }),
    );
    expect(runs).toHaveLength(2);
    expect(runs.map((r) => r.runId)).toContain(firstRun);
    const outcomes = await Promise.all(
      runs.map(
        (r) => h.client.workflow.getHandle(r.workflowId, r.runId).result() as Promise<ExternalTaskResult>,
      ),
    );
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['completed', 'failed']);
    expect(seen.attempts.get(pi)).toBe(2);
  });

  it('a BPMN error: the process takes its boundary-event path, with the error variables', async ({
    lc: { h, seen },
  }) => {
    const pi = (await start(h, 'bpmn')).id;
    expect((await waitForProcessEnd(h.camunda, pi)).state).toBe('COMPLETED');
    const activities = await h.camunda.get<Array<{ activityId: string }>>('/history/activity-instance', {
      processInstanceId: pi,
    });
    expect(activities.map((a) => a.activityId)).toContain('error-end');
    expect(activities.map((a) => a.activityId)).not.toContain('end');
    const variables = await h.camunda.get<Array<{ name: string; value: unknown }>>(
      '/history/variable-instance',
      {
        processInstanceId: pi,
      },
    );
    expect(Object.fromEntries(variables.map((v) => [v.name, v.value]))).toMatchObject({
      rejectionReason: 'out of stock',
      restockDays: 12,
    });
    expect(seen.attempts.get(pi)).toBe(1);
    expect(await (await workflowOf(h, pi)).result()).toEqual({
      outcome: 'bpmn-error',
      reason: 'ORDER_REJECTED: out of stock',
    });
  });
});

describe('lock keeping', () => {
  it('a unit running three times longer than the lock completes once, and no other worker can fetch the task', async ({
    lc: { h, seen, topics },
  }) => {
    // The runner renewed the lock while the unit ran (at half of it: twice in 6 s of work on a 2 s lock, or more).
    const history = await lockKeptWhileRunning(h, seen, 'long', topics.long!.topic, 6_000);
    expect(activityTypes(history)).toEqual(['runWorkUnit', 'completeTask']);
  });

  it('keepLock re-takes an expired lock, and reports a task lost to another worker or gone', async ({
    lc: { h },
  }) => {
    const activities = createEngineActivities(new Map([[ENGINE, h.camunda]]));
    const topic = h.topicName('manual');
    await h.deploy({ key: `${h.id}-manual`, topic });
    const pi = (await h.camunda.startProcess(`${h.id}-manual`)).id;
    const [fetched] = await h.camunda.fetchAndLock({
      workerId: 'me',
      maxTasks: 1,
      topics: [{ topicName: topic, lockDuration: 1_000 }],
    });
    const id = fetched?.ok ? fetched.task.id : '';
    const command = { engine: ENGINE, taskId: id, workerId: 'me', lockDurationMs: 1_000 };
    expect(await activities.keepLock(command)).toEqual({ status: 'extended' });
    await new Promise((r) => setTimeout(r, 1_300));
    expect(await activities.keepLock(command)).toEqual({ status: 'relocked' });
    await new Promise((r) => setTimeout(r, 1_300));
    await h.camunda.lock(id, { workerId: 'someone-else', lockDuration: 60_000 });
    expect(await activities.keepLock(command)).toEqual({
      status: 'lost',
      kind: 'lost',
      reason: expect.stringContaining("It is locked by worker 'someone-else'"),
    });
    await h.camunda.delete(`/process-instance/${pi}`);
    expect(await activities.keepLock(command)).toEqual({
      status: 'lost',
      kind: 'gone',
      reason: expect.stringContaining('the task is gone'),
    });
  });

  it('a process instance deleted mid-work: the runner finds the task gone, stops the unit; nothing is completed', async ({
    lc: { h, seen },
  }) => {
    const history = await deletedMidWork(h, seen, 'cancel');
    const types = activityTypes(history);
    expect(types).toEqual(['runWorkUnit']);
    // The runner's renewal found the task gone: the attempt failed as such, and nothing was sent to the engine.
    const failed = history.events?.find((e) => e.activityTaskFailedEventAttributes);
    expect(failed?.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type).toBe(
      'EngineTaskGone',
    );
  });
});

describe('execution: local (the work unit as a local activity in the workflow task)', () => {
  it('a unit that fails twice, then succeeds: three attempts inside the worker, one completion, no activity task', async ({
    lc: { h, seen },
  }) => {
    const pi = (await start(h, 'local-flaky')).id;
    expect((await waitForProcessEnd(h.camunda, pi)).state).toBe('COMPLETED');
    expect(seen.attempts.get(pi)).toBe(3);
    expect(await successLogs(h, await taskIdOf(h, pi))).toBe(1);
    const handle = await workflowOf(h, pi);
    // The engine has the completion before the workflow task that made it is recorded: wait for the close.
    expect(await handle.result()).toMatchObject({ outcome: 'completed' });
    const history = await handle.fetchHistory();
    // One marker per attempt (the workflow drives the retries), then the completion.
    expect(activityTypes(history)).toEqual(['runWorkUnit', 'runWorkUnit', 'runWorkUnit', 'completeTask']);
    expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
  });

  it('a unit running longer than the lock: the lock is renewed while it runs, it completes once, nobody else fetches it', async ({
    lc: { h, seen, topics },
  }) => {
    const history = await lockKeptWhileRunning(h, seen, 'local-long', topics.localLong!.topic, 24_000);
    // The runner renewed the lock from the worker: no renewal in the history.
    expect(activityTypes(history)).toEqual(['runWorkUnit', 'completeTask']);
  });

  it("a process instance deleted mid-work: the local unit is stopped at the runner's next renewal, nothing is completed", async ({
    lc: { h, seen },
  }) => {
    const types = activityTypes(await deletedMidWork(h, seen, 'local-cancel'));
    expect(types).toEqual(['runWorkUnit']);
  });
});

describe('variables and callbacks', () => {
  it('every variable type makes the round trip, and local variables stay on the task', async ({
    lc: { h },
  }) => {
    const date = new Date('2026-03-04T05:06:07.089Z');
    const pi = (
      await h.camunda.startProcess(`${h.id}-roundtrip`, {
        variables: {
          ...encodeVariables({
            s: 'tekst',
            b: true,
            i: -7,
            d: 3.25,
            date,
            json: { list: [1, 'two', null] },
            nothing: null,
            bytes: new Uint8Array([0, 1, 254, 255]),
          }),
          sh: { type: 'Short', value: 12 },
          l: { type: 'Long', value: '9223372036854775807' },
          xml: { type: 'Xml', value: '<zaak id="1"><status>open</status></zaak>' },
          obj: {
            type: 'Object',
            value: '{"a":1}',
            valueInfo: {
              objectTypeName: 'java.util.LinkedHashMap',
              serializationDataFormat: 'application/json',
            },
          },
        },
      })
    ).id;
    expect((await waitForProcessEnd(h.camunda, pi)).state).toBe('COMPLETED');
    // Read the history as text: a Long beyond 2^53 must arrive exactly.
    const response = await fetch(
      `${h.camunda.baseUrl}/history/variable-instance?processInstanceId=${pi}&deserializeValues=false`,
    );
    const text = await response.text();
    expect(text).toMatch(
      /"type":"Long","value":9223372036854775807,"valueInfo":\{\},"id":"[^"]+","name":"out_l"/,
    );
    const rows = JSON.parse(text) as Array<{
      id: string;
      name: string;
      type: string;
      value: unknown;
      valueInfo: Record<string, unknown>;
      activityInstanceId: string;
    }>;
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    const typeOf = (name: string) => byName[name]?.type;
    expect(
      Object.fromEntries(
        ['s', 'b', 'sh', 'i', 'l', 'd', 'date', 'json', 'xml', 'nothing', 'obj', 'bytes'].map((n) => [
          n,
          typeOf(`out_${n}`),
        ]),
      ),
    ).toEqual({
      s: 'String',
      b: 'Boolean',
      sh: 'Short',
      i: 'Integer',
      l: 'Long',
      d: 'Double',
      date: 'Date',
      json: 'Json',
      xml: 'Xml',
      nothing: 'Null',
      obj: 'Object',
      bytes: 'Bytes',
    });
    expect(byName.out_s?.value).toBe('tekst');
    expect(byName.out_sh?.value).toBe(12);
    expect(byName.out_date?.value).toBe('2026-03-04T05:06:07.089+0000');
    expect(JSON.parse(String(byName.out_json?.value))).toEqual({ list: [1, 'two', null] });
    expect(byName.out_xml?.value).toBe('<zaak id="1"><status>open</status></zaak>');
    expect(JSON.parse(String(byName.out_obj?.value))).toEqual({ a: 1 });
    expect(byName.out_obj?.valueInfo?.objectTypeName).toBe('java.util.LinkedHashMap');
    // The local variable lives on the task's activity instance, not on the process instance.
    expect(byName.out_local?.value).toBe('only on the task');
    expect(byName.out_local?.activityInstanceId).not.toBe(pi);
    expect(byName.out_s?.activityInstanceId).toBe(pi);
    // Bytes: compare the binary content.
    const bytes = await fetch(`${h.camunda.baseUrl}/history/variable-instance/${byName.out_bytes?.id}/data`);
    expect(new Uint8Array(await bytes.arrayBuffer())).toEqual(new Uint8Array([0, 1, 254, 255]));
  });

  it('calls the callbackUrl exactly once after completing', async ({
    lc: { h, topics },
    callbacks: { received: callbacks, url: callbackUrl },
  }) => {
    const pi = (await start(h, 'callback', { text: 'hallo', callbackUrl })).id;
    expect((await waitForProcessEnd(h.camunda, pi)).state).toBe('COMPLETED');
    const result = (await (await workflowOf(h, pi)).result()) as ExternalTaskResult;
    expect(result.callback).toBe('sent');
    const mine = callbacks.filter((c) => (c.body as { processInstanceId: string }).processInstanceId === pi);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toMatchObject({
      outcome: 'completed',
      topic: topics.callback!.topic,
      variables: { echo_text: { type: 'String', value: 'hallo' } },
    });
  });

  it('refuses a callbackUrl on loopback that the topic does not allow: completed, callback failed, none sent', async ({
    lc: { h },
    callbacks: { received: callbacks, url: callbackUrl },
  }) => {
    const pi = (await start(h, 'callback-refused', { text: 'hallo', callbackUrl })).id;
    expect((await waitForProcessEnd(h.camunda, pi)).state).toBe('COMPLETED');
    const handle = await workflowOf(h, pi);
    const result = (await handle.result()) as ExternalTaskResult;
    expect(result.callback).toBe('failed');
    expect(
      callbacks.filter((c) => (c.body as { processInstanceId: string }).processInstanceId === pi),
    ).toEqual([]);
    // Refused once, not retried: the failure names the origin and the setting.
    const history = JSON.stringify((await handle.fetchHistory()).events);
    expect(history).toContain('OutboundRefusedError');
  });
});
