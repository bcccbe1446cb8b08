/** The API in-process, through app.request(), on a configuration store in memory (PGlite): no port, no server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { builtInWorkUnits } from '../../src/work-units/registry.ts';
import { ADMIN_TOKEN, createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';

const zaak = defineWorkUnit({
  name: 'test-zaak',
  description: 'needs a zaken API and a catalogue',
  services: ['zrc', 'ztc'],
  input: z.object({}),
  output: z.object({}),
  run: async () => ({}),
});

let api: TestApi;
const ENGINE_URL = 'http://127.0.0.1:8080/engine-rest';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  issues?: Array<{ path: Array<string | number>; field: string; message: string }>;
  [key: string]: unknown;
}

async function problemOf(res: Response, status: number): Promise<ProblemBody> {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const body = (await res.json()) as ProblemBody;
  expect({ status: res.status, body }).toMatchObject({ status, body: { status } });
  return body;
}

beforeAll(async () => {
  api = await createTestApi({ units: [zaak] });
  expect((await api.request('POST', '/engines', { body: { name: 'local', url: ENGINE_URL } })).status).toBe(
    201,
  );
});

afterAll(async () => {
  await api?.close();
});

describe('auth', () => {
  it('answers health without a token', async () => {
    const res = await api.request('GET', '/health', { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('says 401 without a token or with an unknown one, with a Bearer challenge', async () => {
    const none = await api.request('GET', '/topics', { token: null });
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="bptl"');
    await problemOf(none, 401);
    const wrong = await api.request('GET', '/topics', { token: 'not-a-token-of-this-api' });
    expect(wrong.headers.get('www-authenticate')).toContain('invalid_token');
    await problemOf(wrong, 401);
    await problemOf(
      await api.request('GET', '/topics', { token: null, headers: { authorization: 'Basic eDp5' } }),
      401,
    );
  });

  it('lets a viewer read and says 403 when a viewer writes', async () => {
    expect((await api.request('GET', '/engines', { token: VIEWER_TOKEN })).status).toBe(200);
    const res = await api.request('POST', '/engines', {
      token: VIEWER_TOKEN,
      body: { name: 'viewer-made', url: ENGINE_URL },
    });
    expect((await problemOf(res, 403)).detail).toContain('admin');
    expect(await api.store.engines.get('viewer-made')).toBeUndefined();
  });
});

describe('errors', () => {
  it('answers problem+json for an unknown route', async () => {
    expect((await problemOf(await api.request('GET', '/nope'), 404)).title).toBe('Not Found');
  });

  it('says 400 with the field path for input that does not fit', async () => {
    const res = await api.request('POST', '/engines', {
      body: { name: 'Bad Name', url: 'not a url', auth: { type: 'basic', username: 'u' } },
    });
    const problem = await problemOf(res, 400);
    expect(problem.issues?.map((i) => i.field).sort()).toEqual(['auth.password', 'name', 'url']);
    expect(problem.issues?.find((i) => i.field === 'auth.password')?.path).toEqual(['auth', 'password']);
  });

  it('says 400 for a body that is not JSON and 415 for one that is not sent as JSON', async () => {
    const bad = await api.request('POST', '/engines', {
      body: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect((await problemOf(bad, 400)).detail).toContain('not valid JSON');
    await problemOf(await api.request('POST', '/engines', { body: 'name=x' }), 415);
  });

  it('says 413 past the body limit (1 MiB)', async () => {
    const big = { name: 'big', url: ENGINE_URL, padding: 'x'.repeat(1024 * 1024) };
    await problemOf(await api.request('POST', '/engines', { body: big }), 413);
    expect(await api.store.engines.get('big')).toBeUndefined();
  });

  it('says 400 naming a bad query parameter', async () => {
    const problem = await problemOf(await api.request('GET', '/audit?limit=0', { token: VIEWER_TOKEN }), 400);
    expect(problem.detail).toContain('limit');
  });

  it('says 503 for tasks when Temporal is not connected', async () => {
    await problemOf(await api.request('GET', '/tasks', { token: VIEWER_TOKEN }), 503);
  });
});

describe('engines', () => {
  it('creates an engine with an ETag, never returning its password', async () => {
    const res = await api.request('POST', '/engines', {
      body: { name: 'secured', url: ENGINE_URL, auth: { type: 'basic', username: 'bptl', password: 'pw-1' } },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('location')).toBe('/engines/secured');
    const body = await res.json();
    expect(body).toMatchObject({
      name: 'secured',
      auth: { type: 'basic', username: 'bptl', password: { set: true } },
    });
    expect(JSON.stringify(body)).not.toContain('pw-1');
    const got = await api.request('GET', '/engines/secured', { token: VIEWER_TOKEN });
    expect(got.headers.get('etag')).toBe('"1"');
    expect(await got.text()).not.toContain('pw-1');
    expect((await api.store.engines.resolve('secured'))?.auth).toEqual({
      type: 'basic',
      username: 'bptl',
      password: 'pw-1',
    });
  });

  it('says 409 for a duplicate name and 404 for a missing engine', async () => {
    await problemOf(await api.request('POST', '/engines', { body: { name: 'local', url: ENGINE_URL } }), 409);
    await problemOf(await api.request('GET', '/engines/missing'), 404);
    await problemOf(await api.request('PUT', '/engines/missing', { body: { url: ENGINE_URL } }), 404);
    await problemOf(await api.request('DELETE', '/engines/missing'), 404);
  });

  it('takes back what GET gave (keeping the secret) and says 412 for a stale If-Match', async () => {
    await api.request('POST', '/engines', {
      body: { name: 'round-trip', url: ENGINE_URL, auth: { type: 'bearer', token: 'tok-123456' } },
    });
    const read = await api.request('GET', '/engines/round-trip');
    const etag = read.headers.get('etag')!;
    const body = (await read.json()) as Record<string, unknown>;
    const put = await api.request('PUT', '/engines/round-trip', {
      body: { ...body, url: 'http://127.0.0.1:8080/other/engine-rest' },
      headers: { 'if-match': etag },
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"2"');
    expect((await api.store.engines.resolve('round-trip'))?.auth).toEqual({
      type: 'bearer',
      token: 'tok-123456',
    });

    const stale = await api.request('PUT', '/engines/round-trip', {
      body: { url: ENGINE_URL },
      headers: { 'if-match': etag },
    });
    expect((await problemOf(stale, 412)).currentVersion).toBe(2);
    expect(stale.headers.get('etag')).toBe('"2"');
    await problemOf(
      await api.request('DELETE', '/engines/round-trip', { headers: { 'if-match': 'W/"2"' } }),
      412,
    );
    await problemOf(
      await api.request('DELETE', '/engines/round-trip', { headers: { 'if-match': '"1"' } }),
      412,
    );
    const renamed = await api.request('PUT', '/engines/round-trip', {
      body: { name: 'other', url: ENGINE_URL },
    });
    expect((await problemOf(renamed, 400)).issues?.[0]?.field).toBe('name');
    expect(
      (await api.request('DELETE', '/engines/round-trip', { headers: { 'if-match': '"2"' } })).status,
    ).toBe(204);
    await problemOf(await api.request('GET', '/engines/round-trip'), 404);
  });

  it('says 409 when deleting an engine that topics use', async () => {
    await api.request('POST', '/engines', { body: { name: 'used', url: ENGINE_URL } });
    await api.request('POST', '/topics', { body: { engine: 'used', topic: 'uses', workUnit: 'echo' } });
    const problem = await problemOf(await api.request('DELETE', '/engines/used'), 409);
    expect(problem.detail).toContain("topic 'uses'");
  });
});

describe('topics', () => {
  it('creates, reads, lists, replaces and deletes a topic', async () => {
    const created = await api.request('POST', '/topics', {
      body: { engine: 'local', topic: 'crud', workUnit: 'echo', lockDurationMs: 30_000 },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/topics/local/crud');
    expect(await created.json()).toMatchObject({
      engine: 'local',
      topic: 'crud',
      workUnit: 'echo',
      enabled: true,
      lockDurationMs: 30_000,
      retry: { maximumAttempts: 3 },
      services: {},
      version: 1,
    });
    const list = (await (
      await api.request('GET', '/topics?engine=local', { token: VIEWER_TOKEN })
    ).json()) as Array<{
      topic: string;
    }>;
    expect(list.map((t) => t.topic)).toContain('crud');

    const read = await api.request('GET', '/topics/local/crud', { token: VIEWER_TOKEN });
    expect(read.headers.get('etag')).toBe('"1"');
    const topic = (await read.json()) as Record<string, unknown>;
    expect(topic).not.toHaveProperty('applications');
    const put = await api.request('PUT', '/topics/local/crud', {
      body: { ...topic, enabled: false, applications: ['app-1'] },
      headers: { 'if-match': '"1"' },
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      enabled: false,
      lockDurationMs: 30_000,
      applications: ['app-1'],
      version: 2,
    });
    expect((await api.store.topics.get({ engine: 'local', topic: 'crud' }))?.applications).toEqual(['app-1']);
    const disabled = (await (await api.request('GET', '/topics?enabled=false')).json()) as Array<{
      topic: string;
    }>;
    expect(disabled.map((t) => t.topic)).toEqual(['crud']);

    await problemOf(
      await api.request('PUT', '/topics/local/crud', {
        body: { workUnit: 'echo' },
        headers: { 'if-match': '"1"' },
      }),
      412,
    );
    expect((await api.request('DELETE', '/topics/local/crud')).status).toBe(204);
    await problemOf(await api.request('GET', '/topics/local/crud'), 404);
  });

  it('says 409 for a topic that exists on the engine', async () => {
    await api.request('POST', '/topics', { body: { engine: 'local', topic: 'twice', workUnit: 'echo' } });
    await problemOf(
      await api.request('POST', '/topics', { body: { engine: 'local', topic: 'twice', workUnit: 'sleep' } }),
      409,
    );
  });

  it('says 400 naming the field of a bad setting', async () => {
    const res = await api.request('POST', '/topics', {
      body: {
        engine: 'local',
        topic: 'bad',
        workUnit: 'echo',
        lockDurationMs: 5,
        retry: { maximumAttempts: 0 },
      },
    });
    const problem = await problemOf(res, 400);
    expect(problem.issues?.map((i) => i.field).sort()).toEqual(['lockDurationMs', 'retry.maximumAttempts']);
  });

  it('stores execution local, and says 400 naming the lock when it is too short for it, on create and replace', async () => {
    const tooShort = await problemOf(
      await api.request('POST', '/topics', {
        body: {
          engine: 'local',
          topic: 'quick',
          workUnit: 'echo',
          execution: 'local',
          lockDurationMs: 5_000,
        },
      }),
      400,
    );
    expect(tooShort.issues?.map((i) => i.field)).toEqual(['lockDurationMs']);
    const created = await api.request('POST', '/topics', {
      body: { engine: 'local', topic: 'quick', workUnit: 'echo', execution: 'local', lockDurationMs: 30_000 },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ execution: 'local', lockDurationMs: 30_000 });
    const replaced = await problemOf(
      await api.request('PUT', '/topics/local/quick', {
        body: { workUnit: 'echo', execution: 'local', lockDurationMs: 1_000 },
      }),
      400,
    );
    expect(replaced.issues?.map((i) => i.field)).toEqual(['lockDurationMs']);
    const read = (await (await api.request('GET', '/topics/local/quick')).json()) as Record<string, unknown>;
    expect(read).toMatchObject({ execution: 'local', lockDurationMs: 30_000, version: 1 });
  });

  it('says 422 naming an unknown work unit or engine', async () => {
    const unit = await problemOf(
      await api.request('POST', '/topics', {
        body: { engine: 'local', topic: 'u', workUnit: 'zaak-create' },
      }),
      422,
    );
    expect(unit.detail).toContain("work unit 'zaak-create' does not exist");
    expect(unit.field).toBe('workUnit');
    const engine = await problemOf(
      await api.request('POST', '/topics', { body: { engine: 'nowhere', topic: 'u', workUnit: 'echo' } }),
      422,
    );
    expect(engine.field).toBe('engine');
  });

  it('says 422 naming a required service alias that is not bound, and a bound service that does not exist', async () => {
    await api.request('POST', '/services', {
      body: { name: 'open-zaak', baseUrl: 'https://zaken.example.nl/api/v1' },
    });
    const missing = await problemOf(
      await api.request('POST', '/topics', {
        body: { engine: 'local', topic: 'zaak', workUnit: 'test-zaak', services: { zrc: 'open-zaak' } },
      }),
      422,
    );
    expect(missing.detail).toContain("'ztc'");
    expect(missing.missingAliases).toEqual(['ztc']);
    const unknown = await problemOf(
      await api.request('POST', '/topics', {
        body: {
          engine: 'local',
          topic: 'zaak',
          workUnit: 'test-zaak',
          services: { zrc: 'open-zaak', ztc: 'nope' },
        },
      }),
      422,
    );
    expect(unknown.field).toBe('services.ztc');
    await api.request('POST', '/services', {
      body: { name: 'catalogi', baseUrl: 'https://ztc.example.nl/api/v1' },
    });
    const ok = await api.request('POST', '/topics', {
      body: {
        engine: 'local',
        topic: 'zaak',
        workUnit: 'test-zaak',
        services: { zrc: 'open-zaak', ztc: 'catalogi' },
      },
    });
    expect(ok.status).toBe(201);
    // A bound service cannot be deleted from under the topic.
    expect((await problemOf(await api.request('DELETE', '/services/catalogi'), 409)).detail).toContain(
      'local/zaak',
    );
  });
});

describe('services and credentials per application', () => {
  it('keeps credentials per application, write-only', async () => {
    const service = await api.request('POST', '/services', {
      body: {
        name: 'zaken',
        baseUrl: 'https://zaken.example.nl/api/v1',
        kind: 'zrc',
        auth: { type: 'zgw', clientId: 'bptl', secret: 'default-secret' },
      },
    });
    expect(service.status).toBe(201);
    const credential = await api.request('POST', '/services/zaken/credentials', {
      body: { applicationId: 'app-1', auth: { type: 'api-key', header: 'X-Api-Key', key: 'app-1-key' } },
    });
    expect(credential.status).toBe(201);
    expect(credential.headers.get('location')).toBe('/services/zaken/credentials/app-1');
    const read = await api.request('GET', '/services/zaken/credentials/app-1', { token: VIEWER_TOKEN });
    expect(read.headers.get('etag')).toBe('"1"');
    expect(await read.json()).toMatchObject({ applicationId: 'app-1', auth: { key: { set: true } } });
    const list = await api.request('GET', '/services/zaken/credentials', { token: VIEWER_TOKEN });
    expect(((await list.json()) as unknown[]).length).toBe(1);
    await problemOf(
      await api.request('POST', '/services/zaken/credentials', {
        body: { applicationId: 'app-1', auth: { type: 'none' } },
      }),
      409,
    );
    await problemOf(
      await api.request('POST', '/services/nope/credentials', {
        body: { applicationId: 'a', auth: { type: 'none' } },
      }),
      404,
    );
    const put = await api.request('PUT', '/services/zaken/credentials/app-1', {
      body: { auth: { type: 'api-key', header: 'X-Key', key: { set: true } } },
      headers: { 'if-match': '"1"' },
    });
    expect(put.status).toBe(200);
    expect((await api.store.services.credentialsFor('zaken', 'app-1'))?.auth).toEqual({
      type: 'api-key',
      header: 'X-Key',
      key: 'app-1-key',
    });
    expect((await api.request('DELETE', '/services/zaken/credentials/app-1')).status).toBe(204);
    expect((await api.store.services.credentialsFor('zaken', 'app-1'))?.auth).toMatchObject({
      secret: 'default-secret',
    });
    expect((await api.request('DELETE', '/services/zaken')).status).toBe(204);
  });
});

describe('work units', () => {
  it('lists the work units with their JSON Schemas and required service aliases', async () => {
    const units = (await (await api.request('GET', '/work-units', { token: VIEWER_TOKEN })).json()) as Array<{
      name: string;
      input: unknown;
      services: string[];
    }>;
    // The built-in units and the test's own, sorted by name.
    expect(units.map((u) => u.name)).toEqual([...builtInWorkUnits.map((u) => u.name), 'test-zaak'].sort());
    expect(units.find((u) => u.name === 'sleep')?.input).toMatchObject({
      type: 'object',
      properties: { sleepMs: { type: 'integer' } },
      required: ['sleepMs'],
    });
    expect(units.find((u) => u.name === 'test-zaak')?.services).toEqual(['zrc', 'ztc']);
    const one = await api.request('GET', '/work-units/test-zaak', { token: VIEWER_TOKEN });
    expect(await one.json()).toMatchObject({ name: 'test-zaak', services: ['zrc', 'ztc'] });
    await problemOf(await api.request('GET', '/work-units/nope'), 404);
  });

  it('says 404 for running an unknown unit and 503 without Temporal', async () => {
    await problemOf(await api.request('POST', '/work-units/nope/run', { body: {} }), 404);
    await problemOf(
      await api.request('POST', '/work-units/echo/run', { body: { variables: { a: 1 } } }),
      503,
    );
    await problemOf(
      await api.request('POST', '/work-units/echo/run', { token: VIEWER_TOKEN, body: {} }),
      403,
    );
  });
});

describe('audit', () => {
  it('records who changed what, newest first, without secrets', async () => {
    await api.request('POST', '/engines', {
      body: { name: 'audited', url: ENGINE_URL, auth: { type: 'bearer', token: 'audit-secret-token' } },
    });
    await api.request('PUT', '/engines/audited', {
      body: { url: ENGINE_URL, auth: { type: 'bearer', token: 'audit-secret-token-2' } },
    });
    const res = await api.request('GET', '/audit?resourceType=engine&resourceName=audited', {
      token: VIEWER_TOKEN,
    });
    const text = await res.text();
    expect(text).not.toContain('audit-secret-token');
    const entries = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(entries.map((e) => e.action)).toEqual(['update', 'create']);
    expect(entries[0]).toMatchObject({
      actor: 'token:test-admin',
      after: { auth: { token: { set: true, changed: true } } },
    });
    const page = (await (
      await api.request('GET', `/audit?limit=1&beforeId=${entries[0]!.id}`)
    ).json()) as unknown[];
    expect(page).toHaveLength(1);
  });
});

describe('a read-only API (configuration from a file)', () => {
  it('answers reads and refuses writes with 409 naming why', async () => {
    const readOnly = await createTestApi({ readOnly: 'the configuration comes from bptl.config.yaml' });
    try {
      expect((await readOnly.request('GET', '/topics')).status).toBe(200);
      const res = await readOnly.request('POST', '/engines', { body: { name: 'x', url: ENGINE_URL } });
      expect((await problemOf(res, 409)).detail).toContain('bptl.config.yaml');
      // Auth still comes first.
      await problemOf(await readOnly.request('POST', '/engines', { token: null, body: {} }), 401);
    } finally {
      await readOnly.close();
    }
  });
});

it('uses the admin token by default in these tests', () => {
  expect(ADMIN_TOKEN).not.toBe(VIEWER_TOKEN);
});
