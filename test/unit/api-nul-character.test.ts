/**
 * A NUL character (U+0000) in a name, a query value or a body: the store (PostgreSQL, PGlite) cannot keep it,
 * and every such request was a 500 until the API refused it first (found by chaos/api-fuzz.ts). Now a 400 that
 * names the field, documented for every operation with parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOperations } from '../../src/api/app.ts';
import { buildOpenApiDocument } from '../../src/api/openapi.ts';
import { createRegistry } from '../../src/work-units/registry.ts';
import { ADMIN_TOKEN, createTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
  expect(
    (
      await api.request('POST', '/engines', {
        body: { name: 'local', url: 'http://127.0.0.1:8080/engine-rest' },
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await api.request('POST', '/services', {
        body: { name: 'zaken', baseUrl: 'https://zaken.example.nl/api', kind: 'zrc' },
      })
    ).status,
  ).toBe(201);
});

afterAll(async () => {
  await api?.close();
});

async function badRequest(res: Response): Promise<{ detail: string; issues: Array<{ field: string }> }> {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const body = (await res.json()) as { status: number; detail: string; issues: Array<{ field: string }> };
  expect({ status: res.status, bodyStatus: body.status }).toEqual({ status: 400, bodyStatus: 400 });
  return body;
}

describe('a NUL character', () => {
  it.each([
    ['GET', '/engines/a%00b', 'name'],
    ['DELETE', '/engines/a%00b', 'name'],
    ['GET', '/topics/local/t%00', 'topic'],
    ['GET', '/services/zaken/credentials/app%00', 'appId'],
    ['GET', '/services/a%00/credentials', 'name'],
    ['GET', '/work-units/echo%00', 'name'],
  ])('in a path parameter: %s %s is a 400 naming it', async (method, path, field) => {
    const problem = await badRequest(await api.request(method, path));
    expect(problem.issues.map((i) => i.field)).toEqual([field]);
    expect(problem.detail).toBe(`the path is invalid: ${field}: must not contain the NUL character (U+0000)`);
  });

  it('in a PUT path parameter is a 400, not a write', async () => {
    const res = await api.request('PUT', '/engines/a%00b', {
      body: { url: 'http://127.0.0.1:1/engine-rest' },
    });
    expect((await badRequest(res)).issues.map((i) => i.field)).toEqual(['name']);
  });

  it.each([
    ['/audit?resourceName=a%00', 'resourceName'],
    ['/topics?engine=a%00', 'engine'],
    ['/tasks?topic=a%00', 'topic'],
  ])('in a query value: %s is a 400 naming it', async (path, field) => {
    const problem = await badRequest(await api.request('GET', path));
    expect(problem.issues.map((i) => i.field)).toEqual([field]);
    expect(problem.detail).toContain('the query is invalid');
  });

  it('in a body string or key is a 400 naming each, and nothing is stored', async () => {
    const res = await api.request('POST', '/services/zaken/credentials', {
      body: { applicationId: 'app\u0000', auth: { type: 'bearer', token: 'ok', 'x\u0000': 1 } },
    });
    const problem = await badRequest(res);
    expect(problem.issues.map((i) => i.field)).toEqual(['applicationId', 'auth.x\u0000']);
    expect(await api.store.credentials.list('zaken')).toEqual([]);
  });

  it('in an engine name of a create is a 400 naming it', async () => {
    const res = await api.request('POST', '/engines', {
      body: { name: 'e\u0000', url: 'http://127.0.0.1:1' },
    });
    expect((await badRequest(res)).issues.map((i) => i.field)).toEqual(['name']);
  });

  it('is answered with a status the document declares: 400 on every operation with parameters', () => {
    const document = buildOpenApiDocument(
      apiOperations({ registry: createRegistry([]), store: api.store, tokens: [] }),
    ) as { paths: Record<string, Record<string, { parameters?: Array<{ in: string }>; responses: object }>> };
    const withParameters = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.parameters?.some((p) => p.in === 'path' || p.in === 'query'))
        .map(([method, op]) => ({ operation: `${method} ${path}`, statuses: Object.keys(op.responses) })),
    );
    expect(withParameters.length).toBeGreaterThan(10);
    for (const { operation, statuses } of withParameters)
      expect({ operation, statuses }).toMatchObject({ statuses: expect.arrayContaining(['400']) });
  });
});

describe('a body that is not valid UTF-8', () => {
  it('is a 400 saying so, not a replacement character stored in the topic', async () => {
    const body = Buffer.concat([
      Buffer.from('{"engine":"local","workUnit":"echo","topic":"zaak-'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    // The raw bytes (the test helper would send a string as UTF-8).
    const raw = await api.app.request('/topics', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const problem = await badRequest(raw);
    expect(problem.detail).toMatch(/not valid UTF-8/);
    expect((await api.store.topics.list()).map((t) => t.topic)).not.toContainEqual(
      expect.stringContaining('\ufffd'),
    );
  });
});
