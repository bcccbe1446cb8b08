/**
 * One external task through the whole path, on the real Camunda engine and the real Temporal server:
 * fetchAndLock by the poller → one workflow per task → the work unit → complete with typed variables.
 */

import { getEventListeners } from 'node:events';
import { describe, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { encodeVariables, typed } from '../../src/engine/variables.ts';
import { historicVariables, waitForProcessEnd } from '../../src/local/demo.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { externalTaskWorkflowId } from '../../src/workflows/external-task-input.ts';
import { createTestApi, VIEWER_TOKEN } from '../support/api.ts';
import { ENGINE, eventually, fileHarness } from './harness.ts';

/** What the gated unit shares with the test: how often it ran, and the gate it waits at until the test opens it. */
interface Gate {
  runs: number;
  open: () => void;
  opened: Promise<void>;
}

/** A unit that counts its runs and waits for the test to open its gate. */
function gatedUnit(gate: Gate) {
  return defineWorkUnit({
    name: 'test-gated',
    description: 'counts its runs, then waits until the test opens the gate',
    input: z.object({}),
    output: z.object({ runs: z.number() }),
    run: async () => {
      gate.runs++;
      await gate.opened;
      return { runs: gate.runs };
    },
  });
}

/**
 * The file's harness with its topics deployed (echo, sleep, gated), a worker that has the gated unit, and a
 * poller of the echo and sleep topics.
 */
const it = test
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('e2e', { scope: 'file' }, async ({}, { onCleanup }) => {
    const h = await fileHarness('e2e', onCleanup);
    const topics = { echo: h.topicName('echo'), sleep: h.topicName('sleep'), gated: h.topicName('gated') };
    await h.deploy({ key: `${h.id}-echo`, topic: topics.echo });
    await h.deploy({ key: `${h.id}-sleep`, topic: topics.sleep });
    await h.deploy({ key: `${h.id}-gated`, topic: topics.gated });
    const { promise: opened, resolve: open } = Promise.withResolvers<void>();
    const gate: Gate = { runs: 0, open, opened };
    await h.startWorker([gatedUnit(gate)]);
    const poller = h.createPoller([h.topicConfig(topics.echo, 'echo'), h.topicConfig(topics.sleep, 'sleep')]);
    poller.start();
    return { h, topics, poller, gate };
  });

describe('an external task, end to end', () => {
  it('runs at most maxInFlight workflows at once, and its waits leave no listener behind', async ({
    e2e: { h },
  }) => {
    const topic = h.topicName('capped');
    await h.deploy({ key: `${h.id}-capped`, topic });
    const capped = h.createPoller([h.topicConfig(topic, 'sleep')], { maxInFlight: 2 });
    onTestFinished(() => capped.stop());
    capped.start();
    const abortSignal = capped.stopping;
    const instances = await Promise.all(
      Array.from({ length: 8 }, () =>
        h.camunda.startProcess(`${h.id}-capped`, { variables: encodeVariables({ sleepMs: 300 }) }),
      ),
    );
    let most = 0;
    const sampling = setInterval(() => {
      most = Math.max(most, capped.workflowsInFlight);
    }, 10);
    try {
      for (const pi of instances) expect((await waitForProcessEnd(h.camunda, pi.id)).state).toBe('COMPLETED');
    } finally {
      clearInterval(sampling);
    }
    expect(most).toBe(2);
    expect(capped.stats.tasksFetched).toBe(8);
    // It waited for capacity at least three times; each wait took its listener off the poller's signal.
    expect(getEventListeners(abortSignal, 'abort')).toHaveLength(0);
  });

  it('completes the process with the output variables typed for Camunda', async ({ e2e: { h } }) => {
    const requestedAt = new Date('2026-05-01T10:00:00.123Z');
    const order = { id: 42, lines: ['bread', 'milk'], paid: true };
    const started = await h.camunda.startProcess(`${h.id}-echo`, {
      businessKey: `order-${h.id}`,
      variables: encodeVariables({
        text: 'hello',
        flag: true,
        count: 7,
        big: 9_007_199_254_740_000,
        ratio: 0.25,
        requestedAt,
        order,
        nothing: null,
        echoVariables: typed.json([
          'text',
          'flag',
          'count',
          'big',
          'ratio',
          'requestedAt',
          'order',
          'nothing',
        ]),
      }),
    });

    const { state } = await waitForProcessEnd(h.camunda, started.id, 60_000);
    expect(state).toBe('COMPLETED');

    const variables = Object.fromEntries(
      (await historicVariables(h.camunda, started.id)).map((v) => [v.name, v]),
    );
    expect(variables.echo_text).toEqual({ name: 'echo_text', type: 'String', value: 'hello' });
    expect(variables.echo_flag).toEqual({ name: 'echo_flag', type: 'Boolean', value: true });
    expect(variables.echo_count).toEqual({ name: 'echo_count', type: 'Integer', value: 7 });
    expect(variables.echo_big).toEqual({ name: 'echo_big', type: 'Long', value: 9_007_199_254_740_000 });
    expect(variables.echo_ratio).toEqual({ name: 'echo_ratio', type: 'Double', value: 0.25 });
    expect(variables.echo_nothing).toEqual({ name: 'echo_nothing', type: 'Null', value: null });
    expect(variables.echo_requestedAt?.type).toBe('Date');
    expect(
      new Date(String(variables.echo_requestedAt?.value).replace(/(\d{2})(\d{2})$/, '$1:$2')).getTime(),
    ).toBe(requestedAt.getTime());
    expect(variables.echo_order?.type).toBe('Json');
    expect(JSON.parse(String(variables.echo_order?.value))).toEqual(order);
    expect(variables.echoedAt?.type).toBe('Date');

    // The workflow that did it is findable by the task's ids, and ended as completed.
    const [task] = await h.camunda.get<Array<{ externalTaskId: string }>>('/history/external-task-log', {
      processInstanceId: started.id,
      successLog: true,
    });
    const handle = h.client.workflow.getHandle(externalTaskWorkflowId(ENGINE, task!.externalTaskId));
    expect(await handle.result()).toMatchObject({ outcome: 'completed' });
    const found = await Array.fromAsync(
      h.client.workflow.list({
        query: `BptlProcessInstanceId = '${started.id}' AND BptlOutcome = 'completed'`,
      }),
    );
    expect(found.map((w) => w.workflowId)).toEqual([handle.workflowId]);
  });

  it('fails a task whose variables do not fit its work unit, naming the variable, and goes on', async ({
    e2e: { h, poller },
  }) => {
    const bad = await h.camunda.startProcess(`${h.id}-sleep`, {
      variables: encodeVariables({ sleepMs: 'soon' }),
    });
    const good = await h.camunda.startProcess(`${h.id}-sleep`, {
      variables: encodeVariables({ sleepMs: 10 }),
    });

    const incident = await eventually(async () => {
      const rows = await h.camunda.get<Array<{ incidentMessage: string; incidentType: string }>>(
        '/incident',
        {
          processInstanceId: bad.id,
        },
      );
      return rows[0];
    }, 'an incident on the bad instance');
    expect(incident.incidentType).toBe('failedExternalTask');
    expect(incident.incidentMessage).toContain('sleepMs');
    expect(incident.incidentMessage).toContain("work unit 'sleep'");

    expect((await waitForProcessEnd(h.camunda, good.id, 60_000)).state).toBe('COMPLETED');
    expect(poller.stats.malformedTasks).toBe(0);
  });

  it('fails a task whose variable cannot be read (Json that does not parse), naming it', async ({
    e2e: { h },
  }) => {
    const bad = await h.camunda.startProcess(`${h.id}-echo`, {
      variables: { payload: { type: 'Json', value: '{not json' }, text: { type: 'String', value: 'x' } },
    });
    const good = await h.camunda.startProcess(`${h.id}-echo`, {
      variables: encodeVariables({ text: 'fine' }),
    });
    const incident = await eventually(async () => {
      const rows = await h.camunda.get<Array<{ incidentMessage: string }>>('/incident', {
        processInstanceId: bad.id,
      });
      return rows[0];
    }, 'an incident on the instance with bad Json');
    expect(incident.incidentMessage).toMatch(/^variable 'payload': Json value does not parse/);
    expect((await waitForProcessEnd(h.camunda, good.id, 60_000)).state).toBe('COMPLETED');
  });

  it('shows the tasks through the API, found by topic in Temporal', async ({ e2e: { h, topics } }) => {
    const api = await createTestApi({ temporal: h.client });
    onTestFinished(() => api.close());
    const tasks = await eventually(async () => {
      const res = await api.request(
        'GET',
        `/tasks?status=Completed&topic=${encodeURIComponent(topics.echo)}`,
        {
          token: VIEWER_TOKEN,
        },
      );
      const rows = (await res.json()) as Array<{ topic: string; outcome: string; workUnit: string }>;
      return rows.length >= 3 ? rows : undefined;
    }, 'the echo tasks in the visibility store');
    // Three echo tasks ran in this file: two completed, one failed on its bad Json (an incident).
    expect(tasks.every((t) => t.topic === topics.echo && t.workUnit === 'echo')).toBe(true);
    expect(tasks.map((t) => t.outcome).sort()).toEqual(['completed', 'completed', 'failed']);
  });
});

describe('a task fetched twice', () => {
  it('gives exactly one workflow run and one completion', async ({ e2e: { h, topics, gate } }) => {
    const twice = h.createPoller([h.topicConfig(topics.gated, 'test-gated')], {
      asyncResponseTimeoutMs: 5_000,
    });
    const started = await h.camunda.startProcess(`${h.id}-gated`);

    // First fetch: the workflow starts and the unit waits at the gate.
    expect(await twice.pollOnce()).toBe(1);
    await eventually(async () => (gate.runs === 1 ? true : undefined), 'the work unit to start');
    const [task] = await h.camunda.get<Array<{ id: string }>>('/external-task', {
      processInstanceId: started.id,
    });
    // Camunda hands the same task out again (as after an expired lock), and the poller fetches it again.
    await h.camunda.unlock(task!.id);
    expect(await twice.pollOnce()).toBe(1);
    expect(twice.stats.workflowsStarted).toBe(2);

    gate.open();
    expect((await waitForProcessEnd(h.camunda, started.id, 60_000)).state).toBe('COMPLETED');

    const workflowId = externalTaskWorkflowId(ENGINE, task!.id);
    const runs = await Array.fromAsync(h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }));
    expect(runs).toHaveLength(1);
    expect(gate.runs).toBe(1);
    const completions = await h.camunda.get<unknown[]>('/history/external-task-log', {
      externalTaskId: task!.id,
      successLog: true,
    });
    expect(completions).toHaveLength(1);
  });
});
