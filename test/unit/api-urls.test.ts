/**
 * Configured URLs: an engine's `url` and a service's `baseUrl` are http(s) base URLs without credentials, query or
 * fragment, of bounded length. Anything else (`file:`, `javascript:`, `data:`, `user:pass@host`) is a 400 naming
 * the field (issue 15, item 5). The environment's URLs follow the same rule (test/unit/config.test.ts style).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiClientEnv, loadEnv } from '../../src/config/env.ts';
import { httpUrlSchema, originSchema } from '../../src/config/urls.ts';
import { createTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api?.close());

interface Problem {
  detail: string;
  issues?: Array<{ field: string; message: string }>;
}

const refused: Array<[string, string, RegExp]> = [
  ['a file: URL', 'file:///etc/passwd', /http: or https:/],
  ['a javascript: URL', 'javascript:alert(1)', /http: or https:/],
  ['a data: URL', 'data:text/plain,hello', /http: or https:/],
  ['an ftp: URL', 'ftp://files.example.org/', /http: or https:/],
  ['credentials in the URL', 'http://user:pass@engine.example.org/engine-rest', /auth/],
  ['a user name in the URL', 'https://user@engine.example.org/engine-rest', /auth/],
  ['a fragment', 'https://engine.example.org/engine-rest#x', /fragment/],
  ['a query', 'https://engine.example.org/engine-rest?tenant=a', /query/],
  ['more than 2,048 characters', `https://engine.example.org/${'p'.repeat(2_048)}`, /2048/],
  ['no URL at all', 'engine.example.org', /URL/],
];

describe("an engine's url", () => {
  it.each(refused)('is refused when it has %s, with a 400 naming `url`', async (_, url, reason) => {
    const res = await api.request('POST', '/engines', { body: { name: 'e1', url } });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Problem;
    expect(problem.issues?.map((i) => i.field)).toEqual(['url']);
    expect(problem.issues?.[0]?.message).toMatch(reason);
    expect(await api.store.engines.get('e1')).toBeUndefined();
  });

  it('is refused in a replace too', async () => {
    await api.store.engines.create(
      { name: 'e2', url: 'http://127.0.0.1:8080/engine-rest', auth: { type: 'none' } },
      { actor: 'test' },
    );
    const res = await api.request('PUT', '/engines/e2', { body: { url: 'javascript:alert(1)' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Problem).issues?.map((i) => i.field)).toEqual(['url']);
    expect((await api.store.engines.get('e2'))?.url).toBe('http://127.0.0.1:8080/engine-rest');
  });

  it.each([
    'http://127.0.0.1:8080/engine-rest',
    'https://camunda.example.org/engine-rest/',
    'http://[::1]:8080/engine-rest',
  ])('is taken as %s', async (url) => {
    const res = await api.request('POST', '/engines', { body: { name: 'ok', url } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { url: string }).url).toBe(url);
    await api.store.engines.delete('ok', { actor: 'test' });
  });
});

describe("a service's baseUrl", () => {
  it.each(refused)('is refused when it has %s, with a 400 naming `baseUrl`', async (_, baseUrl, reason) => {
    const res = await api.request('POST', '/services', { body: { name: 's1', baseUrl } });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Problem;
    expect(problem.issues?.map((i) => i.field)).toEqual(['baseUrl']);
    expect(problem.issues?.[0]?.message).toMatch(reason);
    expect(await api.store.services.get('s1')).toBeUndefined();
  });

  it('is taken as an https URL with a path', async () => {
    const res = await api.request('POST', '/services', {
      body: { name: 'zaken', baseUrl: 'https://zaken.example.nl/zaken/api/v1' },
    });
    expect(res.status).toBe(201);
  });
});

describe('the URLs of the environment', () => {
  it('refuses a BPTL_API_URL with credentials, naming the variable', () => {
    expect(() => loadApiClientEnv({ BPTL_API_URL: 'http://admin:secret@127.0.0.1:3000' })).toThrow(
      /BPTL_API_URL.*auth/s,
    );
    expect(() => loadApiClientEnv({ BPTL_API_URL: 'file:///tmp/api' })).toThrow(/BPTL_API_URL/);
    expect(loadApiClientEnv({ BPTL_API_URL: 'https://bptl.example.org' }).BPTL_API_URL).toBe(
      'https://bptl.example.org',
    );
  });

  it('takes only http(s) origins as codec CORS origins', () => {
    expect(originSchema.safeParse('https://temporal.example.org').success).toBe(true);
    expect(originSchema.safeParse('http://127.0.0.1:8233').success).toBe(true);
    expect(originSchema.safeParse('https://temporal.example.org/ui').success).toBe(false);
    expect(originSchema.safeParse('javascript:alert(1)').success).toBe(false);
    expect(originSchema.safeParse('null').success).toBe(false);
  });

  it('refuses a BPTL_TEMPORAL_UI_URL or a codec CORS origin that is not http(s), naming the variable', () => {
    expect(() => loadEnv({ BPTL_TEMPORAL_UI_URL: 'javascript:alert(1)' })).toThrow(/BPTL_TEMPORAL_UI_URL/);
    expect(() => loadEnv({ BPTL_CODEC_CORS_ORIGINS: 'https://ui.example.org,file:///x' })).toThrow(
      /BPTL_CODEC_CORS_ORIGINS.*file:/s,
    );
    expect(loadEnv({ BPTL_CODEC_CORS_ORIGINS: 'https://ui.example.org/' }).BPTL_CODEC_CORS_ORIGINS).toEqual([
      'https://ui.example.org',
    ]);
    expect(httpUrlSchema.safeParse('https://temporal.example.org').success).toBe(true);
  });
});
