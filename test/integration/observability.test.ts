/**
 * The health server of `bptl worker` and `bptl poller` (BPTL_HEALTH_PORT), on the real Temporal server and Camunda
 * engine: /healthz answers 200, /readyz 200 once Temporal and the engine answer; with an engine that is not
 * reachable, /readyz answers 503 and names it. Before, these processes served no HTTP at all. And /metrics of
 * `bptl run` counts the tasks run through it (before: no /metrics).
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeVariables } from '../../src/engine/variables.ts';
import { waitForProcessEnd } from '../../src/local/demo.ts';
import { type BptlChild, freePort, spawnBptl, waitForOutput, writeConfigFile } from '../support/processes.ts';
import { createHarness, ENGINE, eventually, type Harness } from './harness.ts';

interface ReadyBody {
  status: string;
  checks: Array<{ name: string; ok: boolean; error?: string }>;
}

async function readyz(base: string): Promise<{ status: number; body: ReadyBody }> {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as ReadyBody };
}

describe('the health server of bptl worker and bptl poller', () => {
  let child: BptlChild | undefined;

  afterEach(async () => {
    await child?.kill();
    child = undefined;
  });

  it.each(['worker', 'poller'] as const)(
    'bptl %s answers /healthz, and /readyz with 200 once Temporal and the engine answer',
    { timeout: 120_000 },
    async (command) => {
      const configFile = await writeConfigFile({
        engines: [{ name: ENGINE, url: inject('camundaUrl') }],
        topics: [{ topic: `observability-${command}`, workUnit: 'echo' }],
      });
      const port = await freePort();
      child = spawnBptl(command, configFile, {
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        BPTL_TASK_QUEUE: `observability-${command}`,
        BPTL_HEALTH_PORT: String(port),
      });
      await waitForOutput(child, 'health server listening', 60_000);
      const base = `http://127.0.0.1:${port}`;
      const live = await fetch(`${base}/healthz`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });

      const ready = await eventually(async () => {
        const answer = await readyz(base);
        return answer.status === 200 ? answer : undefined;
      }, `/readyz of bptl ${command} answering 200`);
      expect(ready.body).toEqual({
        status: 'ready',
        checks: [
          { name: `engine:${ENGINE}`, ok: true },
          { name: 'temporal', ok: true },
        ],
      });
    },
  );

  it('bptl poller answers /readyz with 503 naming an engine that is not reachable', {
    timeout: 120_000,
  }, async () => {
    const closedPort = await freePort();
    const configFile = await writeConfigFile({
      engines: [{ name: 'gone', url: `http://127.0.0.1:${closedPort}/engine-rest` }],
      topics: [{ topic: 'observability-gone', workUnit: 'echo' }],
    });
    const port = await freePort();
    child = spawnBptl('poller', configFile, {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      BPTL_TASK_QUEUE: 'observability-gone',
      BPTL_HEALTH_PORT: String(port),
    });
    await waitForOutput(child, 'health server listening', 60_000);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Once Temporal is connected, the engine is the one check that fails.
    const answer = await eventually(async () => {
      const got = await readyz(base);
      return got.body.checks.find((c) => c.name === 'temporal')?.ok ? got : undefined;
    }, 'the poller connected to Temporal');
    expect(answer.status).toBe(503);
    expect(answer.body.status).toBe('not ready');
    const failed = answer.body.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.name)).toEqual(['engine:gone']);
    expect(failed[0]?.error).toMatch(/ECONNREFUSED|GET \/engine/);
  });
});

describe('the metrics of bptl run', () => {
  let h: Harness;
  let child: BptlChild | undefined;

  beforeAll(async () => {
    h = await createHarness('observability');
  });

  afterAll(async () => {
    await child?.kill();
    await h?.close();
  });

  it('counts fetched, started and completed tasks and work-unit runs at /metrics', {
    timeout: 180_000,
  }, async () => {
    const topic = h.topicName('echo');
    await h.deploy({ key: `${h.id}-echo`, topic });
    // A second topic naming no execution, of a unit that declares `local`: bptl run's pollers give it its unit's.
    const noopTopic = h.topicName('noop');
    await h.deploy({ key: `${h.id}-noop`, topic: noopTopic });
    const configFile = await writeConfigFile({
      engines: [{ name: ENGINE, url: inject('camundaUrl') }],
      topics: [
        { topic, workUnit: 'echo' },
        { topic: noopTopic, workUnit: 'noop' },
      ],
    });
    const port = await freePort();
    child = spawnBptl('run', configFile, {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      BPTL_TASK_QUEUE: h.taskQueue,
      BPTL_WORK_UNIT_TASK_QUEUE: h.workUnitTaskQueue,
      BPTL_WORKER_ID: h.workerId,
      BPTL_ASYNC_RESPONSE_TIMEOUT_MS: '2000',
      BPTL_HEALTH_PORT: String(port),
    });
    await waitForOutput(child, 'polling', 90_000);
    for (let i = 0; i < 2; i++) {
      const started = await h.camunda.startProcess(`${h.id}-echo`, { variables: encodeVariables({ n: i }) });
      const { state } = await waitForProcessEnd(h.camunda, started.id, 60_000);
      expect(state, child.output()).toBe('COMPLETED');
    }
    const base = `http://127.0.0.1:${port}`;
    const text = await eventually(async () => {
      const body = await (await fetch(`${base}/metrics`)).text();
      return body.includes(`bptl_tasks_completed_total{topic="${topic}"} 2`) &&
        body.includes(`bptl_in_flight{topic="${topic}"} 0`)
        ? body
        : undefined;
    }, 'the metrics counting both tasks');
    expect(text).toContain(`bptl_tasks_fetched_total{engine="${ENGINE}",topic="${topic}"} 2`);
    expect(text).toContain(`bptl_workflows_started_total{topic="${topic}"} 2`);
    expect(text).toContain(`bptl_work_unit_duration_seconds_count{unit="echo",outcome="completed"} 2`);
    expect(text).toMatch(new RegExp(`bptl_fetch_duration_seconds_count\\{engine="${ENGINE}"\\} [1-9]`));
    expect(text).toContain('# TYPE bptl_fetch_errors_total counter');
    expect(text).toContain('process_cpu_seconds_total');

    // The noop task ran as a local activity (its unit's default): a marker in the history, no activity task.
    const noop = await h.camunda.startProcess(`${h.id}-noop`, {});
    expect((await waitForProcessEnd(h.camunda, noop.id, 60_000)).state, child.output()).toBe('COMPLETED');
    const [workflowId] = await eventually(async () => {
      const ids: string[] = [];
      for await (const w of h.client.workflow.list({ query: `BptlTopic = "${noopTopic}"` }))
        ids.push(w.workflowId);
      return ids.length > 0 ? ids : undefined;
    }, "the noop task's workflow");
    const events = (await h.client.workflow.getHandle(workflowId!).fetchHistory()).events ?? [];
    const types = events.map((e) => String(e.eventType));
    expect(events.some((e) => e.markerRecordedEventAttributes)).toBe(true);
    expect(
      events.some((e) => e.activityTaskScheduledEventAttributes),
      types.join(', '),
    ).toBe(false);
  });
});

describe('the Temporal SDK metrics of bptl worker', () => {
  let child: BptlChild | undefined;

  afterAll(async () => {
    await child?.kill();
  });

  it('are appended to /metrics when BPTL_TEMPORAL_METRICS_PORT is set', { timeout: 120_000 }, async () => {
    const configFile = await writeConfigFile({
      engines: [{ name: ENGINE, url: inject('camundaUrl') }],
      topics: [{ topic: 'observability-sdk', workUnit: 'echo' }],
    });
    const port = await freePort();
    const sdkPort = await freePort();
    child = spawnBptl('worker', configFile, {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      BPTL_TASK_QUEUE: 'observability-sdk',
      BPTL_HEALTH_PORT: String(port),
      BPTL_TEMPORAL_METRICS_PORT: String(sdkPort),
    });
    await waitForOutput(child, 'worker running', 90_000);
    const text = await eventually(async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /^temporal_\w+/m.test(body) ? body : undefined;
    }, "the SDK's metrics in /metrics");
    expect(text).toContain('bptl_tasks_completed_total');
    expect(text).toMatch(/task_queue="observability-sdk"/);
  });
});
