/**
 * Failure paths on the real Camunda engine and the real Temporal server: a completion the engine refuses (its
 * next step fails) becomes an incident with the engine's message, and once the cause is fixed and the incident
 * retried, the task is completed with the work unit's original output — the unit ran once. Each wait shows its
 * state in a list query (`BptlState = …`), as an operator filters the Temporal UI; a suspended instance waits
 * visibly until it is activated; a work unit that no worker has ends, after a bounded search, in an incident.
 */
import { describe, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createEngineActivities } from '../../src/activities/engine-activities.ts';
import type { TopicConfig } from '../../src/config/topic-config.ts';
import { encodeVariables } from '../../src/engine/variables.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import type { ExternalTaskResult } from '../../src/workflows/external-task-input.ts';
import { externalTaskWorkflowId } from '../../src/workflows/external-task-input.ts';
import { createTestApi, VIEWER_TOKEN } from '../support/api.ts';
import { ENGINE, eventually, fileHarness, type Harness } from './harness.ts';

/**
 * The test units: `test-order` counts its runs in `runs` (per process instance); `test-gated` fails its first
 * attempt, then waits at a gate in `gates` (per process instance) until the test releases it.
 */
function testUnits(runs: Map<string, number>, gates: Map<string, () => void>) {
  return [
    defineWorkUnit({
      name: 'test-order',
      description: 'counts its runs and returns an order number',
      input: z.object({}),
      output: z.object({ orderNumber: z.string() }),
      run: async ({ task }) => {
        const pi = task.processInstanceId ?? '';
        const n = (runs.get(pi) ?? 0) + 1;
        runs.set(pi, n);
        return { orderNumber: `ORD-${pi.slice(0, 8)}-${n}` };
      },
    }),
    defineWorkUnit({
      name: 'test-gated',
      description: 'fails its first attempt, then waits for the test to release it',
      input: z.object({}),
      output: z.object({ done: z.boolean() }),
      run: async ({ task, attempt }) => {
        const pi = task.processInstanceId ?? '';
        runs.set(pi, (runs.get(pi) ?? 0) + 1);
        if (attempt === 1) throw new Error('the zaken API answered 503');
        await new Promise<void>((resolve) => gates.set(pi, resolve));
        return { done: true };
      },
    }),
  ];
}

async function scenario(
  h: Harness,
  name: string,
  workUnit: string,
  overrides: Partial<TopicConfig> = {},
  reviewer = false,
) {
  const topic = h.topicName(name);
  await h.deploy({
    key: `${h.id}-${name}`,
    topic,
    ...(reviewer ? { reviewerExpression: '${reviewer}' } : {}),
  });
  return h.topicConfig(topic, workUnit, overrides);
}

const start = (h: Harness, name: string, variables: Record<string, unknown> = {}) =>
  h.camunda.startProcess(`${h.id}-${name}`, { variables: encodeVariables(variables) });

async function taskIdOf(h: Harness, processInstanceId: string): Promise<string> {
  return eventually(async () => {
    const logs = await h.camunda.get<Array<{ externalTaskId: string }>>('/history/external-task-log', {
      processInstanceId,
      creationLog: true,
    });
    return logs[0]?.externalTaskId;
  }, 'the external task');
}

/** Finds the task's workflow by a list query on its state, as an operator filtering the Temporal UI would. */
async function listedIn(h: Harness, state: string, processInstanceId: string): Promise<string> {
  return eventually(
    async () => {
      for await (const wf of h.client.workflow.list({
        query: `BptlState = '${state}' AND BptlProcessInstanceId = '${processInstanceId}'`,
      })) {
        return wf.workflowId;
      }
      return undefined;
    },
    `a workflow listed with BptlState = '${state}'`,
    60_000,
  );
}

async function incidentOf(h: Harness, processInstanceId: string, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const rows = await h.camunda.get<Array<{ id: string; incidentMessage: string; configuration: string }>>(
        '/incident',
        { processInstanceId },
      );
      return rows[0];
    },
    'an incident',
    timeoutMs,
  );
}

const activitiesOf = async (h: Harness, processInstanceId: string) =>
  (
    await h.camunda.get<Array<{ activityId: string; endTime: string | null }>>('/history/activity-instance', {
      processInstanceId,
    })
  ).map((a) => a.activityId);

/**
 * The file's harness with its scenarios deployed, a worker with the test units and a poller of their topics;
 * the unit runs and gates the tests look at; and the instance of the unknown-unit search, started at once.
 */
const it = test
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('fp', { scope: 'file' }, async ({}, { onCleanup }) => {
    const h = await fileHarness('failure-paths', onCleanup);
    const runs = new Map<string, number>();
    const gates = new Map<string, () => void>();
    const topics: Record<string, TopicConfig> = {
      refused: await scenario(h, 'refused', 'test-order', { refusedCompletionAttempts: 2 }, true),
      suspended: await scenario(h, 'suspended', 'test-gated', {
        retry: {
          initialIntervalMs: 3_000,
          backoffCoefficient: 1,
          maximumIntervalMs: 3_000,
          maximumAttempts: 3,
        },
      }),
      unknown: await scenario(h, 'unknown-unit', 'test-not-on-this-worker'),
    };
    await h.startWorker(testUnits(runs, gates));
    h.createPoller(Object.values(topics), { asyncResponseTimeoutMs: 2_000 }).start();
    // The search for a missing work unit takes about a minute: it runs while the other tests do.
    const unknownUnitPi = (await start(h, 'unknown-unit')).id;
    return { h, runs, gates, unknownUnitPi };
  });

describe('a completion the engine refuses', () => {
  it('becomes an incident with the engine message; fixed and retried, the kept output completes the task and the unit ran once', async ({
    fp: { h, runs },
  }) => {
    const pi = (await start(h, 'refused')).id;
    const incident = await incidentOf(h, pi);
    expect(incident.incidentMessage).toMatch(
      /^completion refused by the engine: POST \/external-task\/[^/]+\/complete: Unknown property used in expression: \$\{reviewer\}/,
    );
    const taskId = await taskIdOf(h, pi);
    const details = await h.camunda.get<string>(`/external-task/${taskId}/errorDetails`);
    expect(details).toContain('variables: orderNumber');
    expect(details).toContain('tried: 2 times; the engine answered HTTP 500 ProcessEngineException');
    // The operator finds it by its state.
    const workflowId = await listedIn(h, 'completion-refused', pi);
    expect(workflowId).toBe(externalTaskWorkflowId(ENGINE, taskId));
    const memo = (await h.client.workflow.getHandle(workflowId).describe()).memo as {
      state?: { state: string; reason: string };
    };
    expect(memo.state?.state).toBe('completion-refused');
    expect(memo.state?.reason).toContain('retry it in Cockpit');
    expect(runs.get(pi)).toBe(1);
    // BPTL's API lists it by its state too, with the reason (what the console shows).
    const api = await createTestApi({ temporal: h.client });
    onTestFinished(() => api.close());
    const res = await api.request('GET', '/tasks?state=completion-refused', { token: VIEWER_TOKEN });
    const rows = (await res.json()) as Array<{ workflowId: string; state: string; reason: string }>;
    expect(rows.find((r) => r.workflowId === workflowId)).toMatchObject({
      state: 'completion-refused',
      reason: expect.stringContaining('completion refused by the engine: '),
    });
    const bad = await api.request('GET', '/tasks?state=stuck', { token: VIEWER_TOKEN });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('state');

    // Fix the cause, retry the incident as Cockpit does: the task completes with the output of the one run.
    await h.camunda.put(`/process-instance/${pi}/variables/reviewer`, { value: 'demo', type: 'String' });
    await h.camunda.put(`/external-task/${taskId}/retries`, { retries: 1 });
    const result = (await h.client.workflow.getHandle(workflowId).result()) as ExternalTaskResult;
    expect(result).toEqual({ outcome: 'completed', variables: ['orderNumber'] });
    expect(await activitiesOf(h, pi)).toContain('review');
    const variables = await h.camunda.get<Array<{ name: string; value: unknown }>>(
      '/history/variable-instance',
      {
        processInstanceId: pi,
        variableName: 'orderNumber',
      },
    );
    expect(variables.map((v) => v.value)).toEqual([`ORD-${pi.slice(0, 8)}-1`]);
    expect(runs.get(pi)).toBe(1);
    expect(await h.camunda.get<unknown[]>('/incident', { processInstanceId: pi })).toEqual([]);
  });
});

describe('every wait shows its state', () => {
  it('unit-retrying after a failed attempt, unit-running while it runs, instance-suspended while the instance is suspended', async ({
    fp: { h, runs, gates },
  }) => {
    const pi = (await start(h, 'suspended')).id;
    const workflowId = await listedIn(h, 'unit-retrying', pi);
    const handle = h.client.workflow.getHandle(workflowId);
    const retrying = (await handle.describe()).memo as {
      state?: { reason: string; lastError?: { message: string } };
    };
    expect(retrying.state?.lastError?.message).toBe('the zaken API answered 503');
    expect(retrying.state?.reason).toContain('attempt 2 of 3');
    await listedIn(h, 'unit-running', pi);
    // Suspend the instance while the unit runs: the completion waits, visibly, until it is activated.
    await eventually(async () => (gates.has(pi) ? true : undefined), 'the second attempt to run');
    await h.camunda.put(`/process-instance/${pi}/suspended`, { suspended: true });
    gates.get(pi)?.();
    await listedIn(h, 'instance-suspended', pi);
    const suspended = (await handle.describe()).memo as { state?: { lastError?: { message: string } } };
    expect(suspended.state?.lastError?.message).toMatch(/suspended/i);
    await h.camunda.put(`/process-instance/${pi}/suspended`, { suspended: false });
    expect(await handle.result()).toMatchObject({ outcome: 'completed' });
    expect(runs.get(pi)).toBe(2);
    // The failing completion went on as a normal activity: it stands in the history with its retries.
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(scheduled).toContain('completeTask');
    await listedIn(h, 'closed', pi);
  });
});

describe('a completion whose answer was lost', () => {
  it("the engine's history tells whether this worker completed the task (completedBy)", async ({
    fp: { h },
  }) => {
    const activities = createEngineActivities(new Map([[ENGINE, h.camunda]]));
    const topic = h.topicName('manual');
    await h.deploy({ key: `${h.id}-manual`, topic });
    await h.camunda.startProcess(`${h.id}-manual`);
    const [fetched] = await h.camunda.fetchAndLock({
      workerId: 'me',
      maxTasks: 1,
      topics: [{ topicName: topic, lockDuration: 60_000 }],
    });
    const taskId = fetched?.ok ? fetched.task.id : '';
    expect(await activities.completedBy({ engine: ENGINE, taskId, workerId: 'me' })).toBe(false);
    await h.camunda.complete(taskId, { workerId: 'me' });
    expect(await activities.completedBy({ engine: ENGINE, taskId, workerId: 'me' })).toBe(true);
    expect(await activities.completedBy({ engine: ENGINE, taskId, workerId: 'someone-else' })).toBe(false);
  });
});

describe('no endless loop', () => {
  it('a work unit that no worker has: looked for about a minute, then an incident that says so', async ({
    fp: { h, unknownUnitPi },
  }) => {
    const incident = await incidentOf(h, unknownUnitPi, 110_000);
    expect(incident.incidentMessage).toBe(
      "no worker has the work unit 'test-not-on-this-worker' (looked 7 times): deploy a worker that has it, then retry this incident",
    );
    const result = (await h.client.workflow
      .getHandle(externalTaskWorkflowId(ENGINE, await taskIdOf(h, unknownUnitPi)))
      .result()) as ExternalTaskResult;
    expect(result.outcome).toBe('failed');
  }, 120_000);
});
