/**
 * A method a path does not have: 405 with Allow (RFC 9110), not a 404 that says the resource is not there (found
 * by schemathesis's unsupported_method check). A path that does not exist stays a 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});

afterAll(async () => {
  await api?.close();
});

describe('a method the path does not have', () => {
  it.each([
    ['OPTIONS', '/health', 'GET, HEAD'],
    ['DELETE', '/openapi.json', 'GET, HEAD'],
    ['PATCH', '/engines/local', 'GET, PUT, DELETE, HEAD'],
    ['PUT', '/engines', 'GET, POST, HEAD'],
    ['GET', '/work-units/echo/run', 'POST'],
    ['POST', '/topics/local/send-mail', 'GET, PUT, DELETE, HEAD'],
  ])('%s %s is a 405 with Allow: %s', async (method, path, allow) => {
    const res = await api.request(method, path);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect({ status: res.status, allow: res.headers.get('allow'), body: await res.json() }).toMatchObject({
      status: 405,
      allow,
      body: { status: 405, title: 'Method Not Allowed', detail: expect.stringContaining(path) },
    });
  });

  it.each([
    ['GET', '/nothing'],
    ['GET', '/engines/'],
    ['GET', '/topics/only-an-engine'],
    ['OPTIONS', '/nothing/here'],
  ])('%s %s (no such path) is still a 404', async (method, path) => {
    const res = await api.request(method, path);
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
  });
});
