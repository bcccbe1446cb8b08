/** The console's sign-in, CSRF and redirects, in-process (the browser tests drive the same in Chromium). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api?.close());

const HOST = { host: '127.0.0.1:3000' };

function form(values: Record<string, string>): { body: string; headers: Record<string, string> } {
  return {
    body: new URLSearchParams(values).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...HOST },
  };
}

async function signIn(
  token: string,
  next?: string,
): Promise<{ cookie: string; csrf: string; location: string }> {
  const res = await api.request('POST', '/console/login', {
    token: null,
    ...form({ token, ...(next === undefined ? {} : { next }) }),
  });
  expect(res.status).toBe(303);
  const setCookie = res.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  const cookie = setCookie.split(';')[0]!;
  const page = await (
    await api.request('GET', '/console/work-units', { token: null, headers: { cookie, ...HOST } })
  ).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  expect(csrf).toBeDefined();
  return { cookie, csrf: csrf!, location: res.headers.get('location') ?? '' };
}

describe('console', () => {
  it('leads / to the console and the console to sign-in', async () => {
    const root = await api.request('GET', '/', { token: null });
    expect(root.status).toBe(303);
    expect(root.headers.get('location')).toBe('/console');
    const page = await api.request('GET', '/console/audit?beforeId=3', { token: null });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console/login?next=%2Fconsole%2Faudit%3FbeforeId%3D3');
  });

  it('goes back only to a console path after sign-in', async () => {
    expect((await signIn(VIEWER_TOKEN, '/console/audit')).location).toBe('/console/audit');
    expect((await signIn(VIEWER_TOKEN, 'https://evil.example/')).location).toBe('/console/overview');
    expect((await signIn(VIEWER_TOKEN, '//evil.example/console')).location).toBe('/console/overview');
    expect((await signIn(VIEWER_TOKEN, '/tasks')).location).toBe('/console/overview');
  });

  it('refuses a form without the session token, or from another origin, and does not sign out', async () => {
    const { cookie, csrf } = await signIn(ADMIN_TOKEN);
    const post = (values: Record<string, string>, headers: Record<string, string> = {}) => {
      const f = form(values);
      return api.request('POST', '/console/logout', {
        token: null,
        body: f.body,
        headers: { ...f.headers, cookie, ...headers },
      });
    };
    const missing = await post({});
    expect(missing.status).toBe(403);
    await expect(missing.text()).resolves.toContain('reload the page');
    const foreign = await post({ _csrf: csrf }, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    await expect(foreign.text()).resolves.toContain('evil.example');
    expect(missing.headers.get('set-cookie')).toBeNull();

    const ok = await post({ _csrf: csrf }, { origin: 'http://127.0.0.1:3000' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie')).toMatch(/bptl_session=;.*Max-Age=0/);
  });

  it('sends its pages with a strict content security policy, and escapes what it shows', async () => {
    await api.request('POST', '/engines', {
      body: { name: 'x', url: 'http://127.0.0.1:9/engine-rest', workerIdPrefix: '<script>alert(1)</script>' },
    });
    const { cookie } = await signIn(VIEWER_TOKEN);
    const res = await api.request('GET', '/console/audit', { token: null, headers: { cookie, ...HOST } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.text();
    expect(body).toContain('create engine');
    expect(body).toContain('&lt;script&gt;alert(1)');
    expect(body).not.toContain('<script>alert(1)');
  });

  it('answers an unknown console page with a page, and a POST without a session with 401', async () => {
    const { cookie } = await signIn(VIEWER_TOKEN);
    const missing = await api.request('GET', '/console/nope', { token: null, headers: { cookie, ...HOST } });
    expect(missing.status).toBe(404);
    await expect(missing.text()).resolves.toContain('No console page /console/nope');
    const anonymous = await api.request('POST', '/console/logout', { token: null, ...form({}) });
    expect(anonymous.status).toBe(401);
  });

  it('says on the task list that Temporal is not connected, and names a bad filter field', async () => {
    const { cookie } = await signIn(VIEWER_TOKEN);
    const list = await api.request('GET', '/console/tasks', { token: null, headers: { cookie, ...HOST } });
    expect(list.status).toBe(200);
    await expect(list.text()).resolves.toContain('Temporal is not connected');
    const bad = await api.request('GET', '/console/tasks?status=Sleeping', {
      token: null,
      headers: { cookie, ...HOST },
    });
    expect(bad.status).toBe(400);
    await expect(bad.text()).resolves.toMatch(/The filter is not valid: .*status/);
  });
});
