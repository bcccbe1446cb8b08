/**
 * Topic names and descriptions: a Camunda topic may hold most characters, but not control characters, not `.`
 * or `..` (a path segment that cannot be read or deleted afterwards) and not more than Camunda keeps (255);
 * a description is free text of bounded length. Each refusal is a 400 naming the field (issue 15, item 5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.ts';
import { engineInput } from '../support/store-inputs.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
  await api.store.engines.create(engineInput({ name: 'local', url: 'http://127.0.0.1:8080/engine-rest' }), {
    actor: 'test',
  });
});
afterAll(() => api?.close());

const create = (fields: Record<string, unknown>) =>
  api.request('POST', '/topics', { body: { engine: 'local', workUnit: 'echo', ...fields } });

describe('a topic name', () => {
  it.each([
    ['.', '.'],
    ['..', '..'],
    ['a control character', 'zaak\u0001aanmaken'],
    ['a line break', 'zaak\naanmaken'],
    ['a DEL', 'zaak\u007f'],
    ['10,000 characters', 'x'.repeat(10_000)],
    ['256 characters', 'x'.repeat(256)],
  ])('is refused when it is %s, with a 400 naming `topic`', async (_, topic) => {
    const res = await create({ topic });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/topic/);
    expect(await api.store.topics.list()).toEqual([]);
  });

  it.each([
    ['dots inside', 'zaak.aanmaken.v2'],
    ['slashes, spaces and non-ASCII', 'gemeente/zaak aanmaken-ß'],
    ['255 characters', 'y'.repeat(255)],
  ])('is taken with %s, as Camunda allows', async (_, topic) => {
    const res = await create({ topic });
    expect(res.status).toBe(201);
    const read = await api.request('GET', `/topics/local/${encodeURIComponent(topic)}`);
    expect(read.status).toBe(200);
    const deleted = await api.request('DELETE', `/topics/local/${encodeURIComponent(topic)}`, {
      headers: { 'if-match': read.headers.get('etag') ?? '' },
    });
    expect(deleted.status).toBe(204);
  });
});

describe('a topic description', () => {
  it('is refused beyond 1,000 characters, naming `description`', async () => {
    const res = await create({ topic: 'long-description', description: 'd'.repeat(1_001) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/description/);
    expect((await create({ topic: 'long-description', description: 'd'.repeat(1_000) })).status).toBe(201);
  });
});
