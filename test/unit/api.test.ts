/** The API in-process, through app.request(): no port, no server. */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { createRegistry } from '../../src/work-units/registry.ts';

const registry = createRegistry();
const config = parseConfig(
  {
    engines: [{ name: 'local', url: 'http://127.0.0.1:8080/engine-rest' }],
    topics: [{ topic: 't', workUnit: 'sleep' }],
  },
  registry.names(),
);
const app = createApp({ registry, config: () => config });

describe('API', () => {
  it('answers health', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('lists the work units with their input and output JSON Schemas', async () => {
    const units = (await (await app.request('/work-units')).json()) as Array<{
      name: string;
      input: unknown;
    }>;
    expect(units.map((u) => u.name)).toEqual(['echo', 'sleep']);
    expect(units.find((u) => u.name === 'sleep')?.input).toMatchObject({
      type: 'object',
      properties: { sleepMs: { type: 'integer' } },
      required: ['sleepMs'],
    });
  });

  it('lists the configured topics', async () => {
    const topics = (await (await app.request('/topics')).json()) as Array<{ topic: string; engine: string }>;
    expect(topics).toEqual([expect.objectContaining({ topic: 't', engine: 'local', workUnit: 'sleep' })]);
  });

  it('answers problem+json for an unknown route', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('says 503 for tasks when Temporal is not connected', async () => {
    expect((await app.request('/tasks')).status).toBe(503);
  });

  it('names the bad query field with a 400', async () => {
    const withTemporal = createApp({ registry, config: () => config, temporal: {} as never });
    const res = await withTemporal.request('/tasks?status=Sleeping');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toContain('status');
  });
});
