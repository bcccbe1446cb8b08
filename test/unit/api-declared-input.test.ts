/**
 * The input an operation declares is what the app enforces (operation-input.ts): createApp parses the declared
 * `body` and `query` before the handler runs, answers 400 naming the field, and hands the handler the parsed
 * values with their defaults. The routes used here (audit, run a work unit) do no parsing of their own.
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
