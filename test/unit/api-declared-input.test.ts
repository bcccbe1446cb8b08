/**
 * The input an operation declares is what the app enforces (operation-input.ts): createApp parses the declared
 * `body` and `query` before the handler runs, answers 400 naming the field, and hands the handler the parsed
 * values with their defaults. The routes used here (audit, run a work unit) do no parsing of their own.
 *
 * And two inputs that named no field: a create that sends a secret as `{"set": true}` (there is nothing stored to
 * keep; the create's schema, in the OpenAPI document too, takes only the value) and an empty If-Match (a
 * client's template with no ETag filled in, not a version that differs: 400, not 412).
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApiEnv } from '../../src/api/auth.ts';
import { operation } from '../../src/api/operation.ts';
import { readOperationInput } from '../../src/api/operation-input.ts';
import { createErrorHandler } from '../../src/api/problem.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createTestApi, type TestApi } from '../support/api.ts';

interface Problem {
  status: number;
  detail: string;
  issues?: Array<{ field: string; message: string }>;
}

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
  const service = { name: 'zaken', baseUrl: 'https://z.example.nl' };
  expect((await api.request('POST', '/services', { body: service })).status).toBe(201);
});

afterAll(async () => {
  await api?.close();
});

describe('a declared body or query that does not fit', () => {
  it('a wrong-typed body field is a 400 naming it, before the handler runs', async () => {
    // The handler would answer 503 (no Temporal in this test) if it ran: the 400 comes from the app.
    const res = await api.request('POST', '/work-units/echo/run', { body: { timeoutMs: 'soon' } });
    const problem = (await res.json()) as Problem;
    expect(res.status).toBe(400);
    expect(problem.issues?.map((i) => i.field)).toEqual(['timeoutMs']);
  });

  it('a good body reaches the handler', async () => {
    const res = await api.request('POST', '/work-units/echo/run', { body: { timeoutMs: 1000 } });
    expect(res.status).toBe(503);
  });

  it('a wrong query parameter is a 400 naming it', async () => {
    const res = await api.request('GET', '/audit?limit=many');
    const problem = (await res.json()) as Problem;
    expect(res.status).toBe(400);
    expect(problem.issues?.map((i) => i.field)).toEqual(['limit']);
    expect(problem.detail).toContain('limit');
  });
});

describe('the handler', () => {
  const op = operation({
    method: 'post',
    path: '/things',
    operationId: 'createThing',
    tag: 'test',
    summary: 'test',
    access: 'public',
    body: z.object({ name: z.string(), size: z.number().default(3) }),
    query: z.object({ dryRun: z.enum(['true', 'false']).default('false') }),
    responses: { 200: { description: 'the input' } },
    problems: [],
    // No parsing of its own: it echoes what it was given.
    handler: (c, input) => c.json({ name: input.body.name, size: input.body.size, query: input.query }),
  });
  const app = new Hono<ApiEnv>();
  app.onError(createErrorHandler(createLogger('test')));
  app.post('/things', async (c) => op.handler(c, await readOperationInput(c, op)));

  it('gets the parsed body and query with their defaults', async () => {
    const res = await app.request('/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'a' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'a', size: 3, query: { dryRun: 'false' } });
  });

  it.each([
    ['/things', { name: 1 }, 'name'],
    ['/things?dryRun=maybe', { name: 'a' }, 'dryRun'],
  ])('is not called when %s with %j does not fit: 400 naming %s', async (path, body, field) => {
    const res = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const problem = (await res.json()) as Problem;
    expect(res.status).toBe(400);
    expect(problem.issues?.map((i) => i.field)).toEqual([field]);
  });
});

async function problemOf(res: Response): Promise<Problem> {
  return { ...((await res.json()) as Problem), status: res.status };
}

describe('a create with a secret of {"set": true}', () => {
  it.each([
    [
      '/engines',
      {
        name: 'kept',
        url: 'http://127.0.0.1:8080/engine-rest',
        auth: { type: 'basic', username: 'u', password: { set: true } },
      },
      'auth.password',
    ],
    [
      '/services',
      {
        name: 'kept',
        baseUrl: 'https://k.example.nl',
        auth: { type: 'zgw', clientId: 'c', secret: { set: true } },
      },
      'auth.secret',
    ],
    [
      '/services/zaken/credentials',
      { applicationId: 'app-1', auth: { type: 'api-key', header: 'X-Key', key: { set: true } } },
      'auth.key',
    ],
  ])('POST %s is a 400 naming the field', async (path, body, field) => {
    const problem = await problemOf(await api.request('POST', path, { body }));
    expect(problem.status).toBe(400);
    expect(problem.issues).toEqual([
      expect.objectContaining({ field, message: expect.stringContaining('no stored') }),
    ]);
  });

  it('is not offered by the create in the OpenAPI document', async () => {
    const document = JSON.stringify(
      await (await api.request('GET', '/openapi.json', { token: null })).json(),
    );
    const create = JSON.parse(document).paths['/engines'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(create)).not.toContain('"set"');
    const update =
      JSON.parse(document).paths['/engines/{name}'].put.requestBody.content['application/json'].schema;
    expect(JSON.stringify(update)).toContain('"set"');
  });
});

describe('an empty If-Match', () => {
  it.each([
    ['PUT', '/services/zaken', { baseUrl: 'https://z.example.nl' }, ''],
    ['DELETE', '/services/zaken', undefined, ' , '],
  ])('%s %s is a 400 naming If-Match', async (method, path, body, ifMatch) => {
    const problem = await problemOf(
      await api.request(method as 'PUT' | 'DELETE', path, {
        ...(body ? { body } : {}),
        headers: { 'if-match': ifMatch },
      }),
    );
    expect(problem.status).toBe(400);
    expect(problem.issues?.map((i) => i.field)).toEqual(['If-Match']);
    expect(problem.detail).toContain('If-Match');
  });

  it('leaves the resource as it was', async () => {
    const res = await api.request('GET', '/services/zaken');
    expect(res.headers.get('etag')).toBe('"1"');
  });
});
