/**
 * The health server of `bptl worker` and `bptl poller` (BPTL_HEALTH_PORT), on the real Temporal server and Camunda
 * engine: /healthz answers 200, /readyz 200 once Temporal and the engine answer; with an engine that is not
 * reachable, /readyz answers 503 and names it. Before, these processes served no HTTP at all.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type BptlChild, freePort, spawnBptl, waitForOutput, writeConfigFile } from '../support/processes.ts';
import { ENGINE, eventually } from './harness.ts';

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
