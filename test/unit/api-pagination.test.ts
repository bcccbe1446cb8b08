/**
 * Every list route answers a page: `?limit=` (default 100, at most 1000) and a cursor (`?after=` the last key of
 * the page before; the audit log's `beforeId`, the tasks' opaque `pageToken`), with an RFC 8288
 * `Link: <…>; rel="next"` header while there are more. The body stays a JSON array (issue 15, item 5).
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';
import { engineInput, serviceInput, topicInput } from '../support/store-inputs.ts';

let api: TestApi;
const actor = { actor: 'test' };
/** 150 topic names, in the order the store sorts them. */
const topicNames = Array.from({ length: 150 }, (_, i) => `t-${String(i).padStart(3, '0')}`);

beforeAll(async () => {
  api = await createTestApi();
  await api.store.engines.create(
    engineInput({ name: 'local', url: 'http://127.0.0.1:8080/engine-rest' }),
    actor,
  );
  await api.store.engines.create(
    engineInput({ name: 'other', url: 'http://127.0.0.1:8081/engine-rest' }),
    actor,
  );
  for (const topic of topicNames) {
    await api.store.topics.create(topicInput({ engine: 'local', topic, workUnit: 'echo' }), actor);
  }
  await api.store.topics.create(topicInput({ engine: 'other', topic: 'a', workUnit: 'echo' }), actor);
  for (const name of ['s-a', 's-b', 's-c']) {
    await api.store.services.create(serviceInput({ name, baseUrl: 'https://zaken.example.nl/api' }), actor);
  }
  for (const applicationId of ['app-1', 'app-2', 'app-3']) {
    await api.store.credentials.create('s-a', { applicationId, auth: { type: 'bearer', token: 'x' } }, actor);
  }
});
afterAll(() => api?.close());

/** The `rel="next"` target of a response's Link header, or undefined. */
function nextLink(res: Response): string | undefined {
  const link = res.headers.get('link');
  return link?.match(/<([^>]*)>\s*;\s*rel="next"/)?.[1];
}

/** Follows the Link headers from `path`, returning each page's items. */
async function allPages<T>(path: string): Promise<T[][]> {
  const pages: T[][] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const res = await api.request('GET', next, { token: VIEWER_TOKEN });
    expect(res.status).toBe(200);
    pages.push((await res.json()) as T[]);
    next = nextLink(res);
  }
  return pages;
}

describe('GET /topics', () => {
  it('answers 100 of 150 with a Link to the next page, which has the other 50 and no Link', async () => {
    const first = await api.request('GET', '/topics?engine=local', { token: VIEWER_TOKEN });
    expect(first.status).toBe(200);
    const firstPage = (await first.json()) as Array<{ topic: string }>;
    expect(firstPage.map((t) => t.topic)).toEqual(topicNames.slice(0, 100));
    const next = nextLink(first);
    expect(next).toBe('/topics?engine=local&after=local%2Ft-099&limit=100');

    const second = await api.request('GET', next!, { token: VIEWER_TOKEN });
    const secondPage = (await second.json()) as Array<{ topic: string }>;
    expect(secondPage.map((t) => t.topic)).toEqual(topicNames.slice(100));
    expect(second.headers.get('link')).toBeNull();
  });

  it('pages by engine, then topic, over every engine', async () => {
    const pages = await allPages<{ engine: string; topic: string }>('/topics?limit=40');
    expect(pages.map((p) => p.length)).toEqual([40, 40, 40, 31]);
    expect(pages.flat().map((t) => `${t.engine}/${t.topic}`)).toEqual([
      ...topicNames.map((t) => `local/${t}`),
      'other/a',
    ]);
  });

  it.each([
    ['0', 'limit'],
    ['1001', 'limit'],
    ['ten', 'limit'],
    ['1.5', 'limit'],
  ])('refuses limit=%s with a 400 naming `limit`', async (limit, field) => {
    const res = await api.request('GET', `/topics?limit=${limit}`, { token: VIEWER_TOKEN });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { issues: Array<{ field: string }> };
    expect(problem.issues.map((i) => i.field)).toEqual([field]);
  });

  it('refuses a cursor that is not <engine>/<topic> with a 400 naming `after`', async () => {
    const res = await api.request('GET', '/topics?after=local', { token: VIEWER_TOKEN });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: Array<{ field: string }> }).issues.map((i) => i.field)).toEqual([
      'after',
    ]);
  });
});

describe('the other lists', () => {
  it('pages the engines by name', async () => {
    const pages = await allPages<{ name: string }>('/engines?limit=1');
    expect(pages.map((p) => p.map((e) => e.name))).toEqual([['local'], ['other']]);
  });

  it('pages the services by name', async () => {
    const pages = await allPages<{ name: string }>('/services?limit=2');
    expect(pages.map((p) => p.map((s) => s.name))).toEqual([['s-a', 's-b'], ['s-c']]);
  });

  it("pages a service's credentials by application id", async () => {
    const pages = await allPages<{ applicationId: string }>('/services/s-a/credentials?limit=2');
    expect(pages.map((p) => p.map((c) => c.applicationId))).toEqual([['app-1', 'app-2'], ['app-3']]);
  });

  it('pages the work units by name', async () => {
    const all = (await (await api.request('GET', '/work-units?limit=1000')).json()) as Array<{
      name: string;
    }>;
    expect(all.length).toBeGreaterThan(2);
    const pages = await allPages<{ name: string }>('/work-units?limit=2');
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    expect(pages.flat().map((u) => u.name)).toEqual(all.map((u) => u.name).sort());
  });

  it('pages the audit log, newest first, with beforeId in its Link', async () => {
    const res = await api.request('GET', '/audit?actor=test&limit=100', { token: VIEWER_TOKEN });
    const first = (await res.json()) as Array<{ id: number }>;
    expect(first).toHaveLength(100);
    expect(nextLink(res)).toBe(`/audit?actor=test&limit=100&beforeId=${first.at(-1)!.id}`);
    const pages = await allPages<{ id: number }>('/audit?actor=test&limit=100');
    const ids = pages.flat().map((e) => e.id);
    // 2 engines, 151 topics, 3 services, 3 credentials.
    expect(ids).toHaveLength(159);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('refuses a bad limit on every list with a 400 naming `limit`', async () => {
    for (const path of [
      '/engines',
      '/services',
      '/services/s-a/credentials',
      '/work-units',
      '/audit',
      '/tasks',
    ]) {
      const res = await api.request('GET', `${path}?limit=0`, { token: VIEWER_TOKEN });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { issues: Array<{ field: string }> }).issues.map((i) => i.field)).toEqual(
        ['limit'],
      );
    }
  });
});

describe('GET /tasks', () => {
  /** A Client whose list answers no executions and the given next page token, recording the requests. */
  function temporalWithToken(token: Uint8Array, requests: Array<Record<string, unknown>>): Client {
    return {
      options: { namespace: 'default', loadedDataConverter: {} },
      connection: { withDeadline: (_: number, fn: () => Promise<unknown>) => fn() },
      workflowService: {
        listWorkflowExecutions: async (request: Record<string, unknown>) => {
          requests.push(request);
          return { executions: [], nextPageToken: token };
        },
      },
    } as unknown as Client;
  }

  it("links to the next page with Temporal's page token, and passes it back", async () => {
    const requests: Array<Record<string, unknown>> = [];
    const tasksApi = await createTestApi({ temporal: temporalWithToken(Uint8Array.of(1, 2, 250), requests) });
    try {
      const res = await tasksApi.request('GET', '/tasks?topic=x&limit=5', { token: VIEWER_TOKEN });
      expect(res.status).toBe(200);
      const next = nextLink(res);
      expect(next).toMatch(/^\/tasks\?topic=x&limit=5&pageToken=AQL6\.[A-Za-z0-9_-]{12}$/);
      expect((await tasksApi.request('GET', next!, { token: VIEWER_TOKEN })).status).toBe(200);
      expect(requests.map((r) => r.pageSize)).toEqual([5, 5]);
      expect(Buffer.from(requests[1]!.nextPageToken as Uint8Array)).toEqual(Buffer.from([1, 2, 250]));
    } finally {
      await tasksApi.close();
    }
  });

  it('refuses a page token it did not give with a 400, without asking Temporal', async () => {
    const requests: Array<Record<string, unknown>> = [];
    const tasksApi = await createTestApi({ temporal: temporalWithToken(new Uint8Array(), requests) });
    try {
      for (const token of ['AQL6.AAAAAAAAAAAA', 'AQL6.AQL6.AQL6', '.AAAAAAAAAAAA']) {
        const res = await tasksApi.request('GET', `/tasks?pageToken=${token}`, { token: VIEWER_TOKEN });
        expect(res.status, token).toBe(400);
        expect(JSON.stringify(await res.json())).toContain('pageToken');
      }
      expect(requests).toEqual([]);
    } finally {
      await tasksApi.close();
    }
  });

  it('refuses a page token that is not base64url with a 400 naming `pageToken`', async () => {
    const tasksApi = await createTestApi({ temporal: temporalWithToken(new Uint8Array(), []) });
    try {
      const res = await tasksApi.request('GET', '/tasks?pageToken=a%20b', { token: VIEWER_TOKEN });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { issues: Array<{ field: string }> }).issues.map((i) => i.field)).toEqual(
        ['pageToken'],
      );
    } finally {
      await tasksApi.close();
    }
  });
});

describe('the OpenAPI document', () => {
  it('declares limit and the cursor on every list, and the Link header of its 200', async () => {
    const doc = (await (await api.request('GET', '/openapi.json')).json()) as {
      paths: Record<
        string,
        {
          get?: {
            parameters?: Array<{ name: string }>;
            responses: Record<string, { headers?: Record<string, unknown> }>;
          };
        }
      >;
    };
    const cursors: Record<string, string> = {
      '/topics': 'after',
      '/engines': 'after',
      '/services': 'after',
      '/services/{name}/credentials': 'after',
      '/work-units': 'after',
      '/audit': 'beforeId',
      '/tasks': 'pageToken',
    };
    for (const [path, cursor] of Object.entries(cursors)) {
      const get = doc.paths[path]?.get;
      expect(
        get?.parameters?.map((p) => p.name),
        path,
      ).toEqual(expect.arrayContaining(['limit', cursor]));
      expect(get?.responses['200']?.headers?.Link, path).toBeDefined();
    }
  });
});
