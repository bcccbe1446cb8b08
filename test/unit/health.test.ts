/**
 * Readiness (src/observability): every check runs, a failing or silent one makes the answer 503 and is named with
 * its error; the checks of a process are its engines, Temporal (not ready until connected) and its store. The
 * same routes on the health server of worker/poller and on the API (public, listed in the OpenAPI document).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.ts';
import type { CamundaClient } from '../../src/engine/camunda-client.ts';
import { checkReadiness, type HealthCheck, laterCheck } from '../../src/observability/health-checks.ts';
import { type HealthServer, startHealthServer } from '../../src/observability/health-server.ts';
import { processChecks } from '../../src/observability/process-checks.ts';
import { createTestApi, type TestApi } from '../support/api.ts';

const ok = (name: string): HealthCheck => ({ name, run: async () => 'fine' });
const failing = (name: string, message: string): HealthCheck => ({
  name,
  run: async () => {
    throw new Error(message);
  },
});

describe('checkReadiness', () => {
  it('is ready when every check answers', async () => {
    expect(await checkReadiness([ok('a'), ok('b')])).toEqual({
      ok: true,
      checks: [
        { name: 'a', ok: true },
        { name: 'b', ok: true },
      ],
    });
  });

  it('names the check that failed, with its error, and still runs the others', async () => {
    const result = await checkReadiness([ok('temporal'), failing('engine:main', 'connect ECONNREFUSED')]);
    expect(result.ok).toBe(false);
    expect(result.checks).toEqual([
      { name: 'temporal', ok: true },
      { name: 'engine:main', ok: false, error: 'connect ECONNREFUSED' },
    ]);
  });

  it('counts a check that never answers as failed', async () => {
    const silent: HealthCheck = { name: 'store', run: () => new Promise(() => {}) };
    const result = await checkReadiness([silent], 20);
    expect(result).toEqual({
      ok: false,
      checks: [{ name: 'store', ok: false, error: 'no answer within 20 ms' }],
    });
  });

  it('counts a check that throws at once as failed', async () => {
    const throwing: HealthCheck = {
      name: 'x',
      run: () => {
        throw new Error('boom');
      },
    };
    expect((await checkReadiness([throwing])).checks).toEqual([{ name: 'x', ok: false, error: 'boom' }]);
  });

  it('says "not connected yet" for Temporal until the connection is there', async () => {
    let ping: (() => Promise<unknown>) | undefined;
    const check = laterCheck('temporal', () => ping);
    expect((await checkReadiness([check])).checks[0]).toEqual({
      name: 'temporal',
      ok: false,
      error: 'not connected yet',
    });
    ping = async () => ({});
    expect((await checkReadiness([check])).ok).toBe(true);
  });
});

describe('processChecks', () => {
  const engines = [
    { name: 'up', url: 'http://up', auth: { type: 'none' as const } },
    { name: 'down', url: 'http://down', auth: { type: 'none' as const } },
  ];
  const fakeCtx = (store: { revision(): Promise<number> } | undefined) => ({
    current: () => ({ revision: 1, config: { engines, topics: [] } }),
    engines: {
      clientFor: (engine: { name: string }) =>
        ({
          engines: async () => {
            if (engine.name === 'down') throw new Error('GET /engine failed: connect ECONNREFUSED');
            return [{ name: 'default' }];
          },
        }) as unknown as CamundaClient,
    },
    store,
  });

  it('checks each engine, Temporal and the store', async () => {
    const checks = processChecks(fakeCtx({ revision: async () => 3 }) as never, () => async () => ({}));
    const result = await checkReadiness(checks());
    expect(result.checks).toEqual([
      { name: 'engine:up', ok: true },
      { name: 'engine:down', ok: false, error: 'GET /engine failed: connect ECONNREFUSED' },
      { name: 'temporal', ok: true },
      { name: 'store', ok: true },
    ]);
  });

  it('has no store check when the configuration comes from a file', () => {
    const checks = processChecks(fakeCtx(undefined) as never, () => undefined);
    expect(checks().map((c) => c.name)).toEqual(['engine:up', 'engine:down', 'temporal']);
  });
});

describe('BPTL_HEALTH_PORT', () => {
  it('defaults to 9464; off and 0 turn the server off', () => {
    expect(loadEnv({}).BPTL_HEALTH_PORT).toBe(9464);
    expect(loadEnv({ BPTL_HEALTH_PORT: 'off' }).BPTL_HEALTH_PORT).toBe(0);
    expect(loadEnv({ BPTL_HEALTH_PORT: '0' }).BPTL_HEALTH_PORT).toBe(0);
    expect(() => loadEnv({ BPTL_HEALTH_PORT: 'nope' })).toThrow(/BPTL_HEALTH_PORT/);
  });
});

describe('the health server', () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers /healthz with 200, and /readyz with 503 naming the failing check', async () => {
    let engineUp = false;
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      checks: () => [ok('temporal'), engineUp ? ok('engine:main') : failing('engine:main', 'ECONNREFUSED')],
    });
    const live = await fetch(`${server.url}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });

    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'not ready',
      checks: [
        { name: 'temporal', ok: true },
        { name: 'engine:main', ok: false, error: 'ECONNREFUSED' },
      ],
    });

    engineUp = true;
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ready');
    expect((await fetch(`${server.url}/nothing`)).status).toBe(404);
  });

  it('fails to start, naming the variable, when the port is taken', async () => {
    server = await startHealthServer({ port: 0, host: '127.0.0.1', checks: () => [] });
    await expect(
      startHealthServer({ port: server.port, host: '127.0.0.1', checks: () => [] }),
    ).rejects.toThrow(/BPTL_HEALTH_PORT/);
  });
});

describe('the API', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('answers /healthz and /readyz without a token, and lists them in the OpenAPI document', async () => {
    api = await createTestApi({ checks: () => [ok('store'), failing('engine:main', 'ECONNREFUSED')] });
    const live = await api.request('GET', '/healthz', { token: null });
    expect(live.status).toBe(200);
    const ready = await api.request('GET', '/readyz', { token: null });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'not ready',
      checks: [
        { name: 'store', ok: true },
        { name: 'engine:main', ok: false, error: 'ECONNREFUSED' },
      ],
    });
    const document = (await (await api.request('GET', '/openapi.json', { token: null })).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
  });

  it('checks its store by default', async () => {
    api = await createTestApi();
    const ready = await api.request('GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: [{ name: 'store', ok: true }] });
  });
});
