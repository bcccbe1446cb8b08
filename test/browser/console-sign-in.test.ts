/**
 * The console in a real Chromium (Debian's, through playwright-core's executablePath): signing in with a token,
 * the pages a session opens, signing out, and what a wrong token or a forged form gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, serveApi } from '../../src/api/serve.ts';
import { ADMIN_TOKEN, createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';

let api: TestApi;
let server: RunningApi;
let browser: TestBrowser;

beforeAll(async () => {
  api = await createTestApi();
  server = await serveApi(api.app, { port: 0, hostname: '127.0.0.1' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
});

describe('console sign-in', () => {
  it('sends a visitor without a session to the sign-in page, and back after signing in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/audit`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await page.fill('#token', VIEWER_TOKEN);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/console/audit');
    await expect(page.textContent('header')).resolves.toContain('test-viewer (viewer)');

    const cookie = (await context.cookies()).find((c) => c.name === 'bptl_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    // The token itself is nowhere in the cookie.
    expect(cookie?.value).not.toContain(VIEWER_TOKEN);

    await page.click('nav >> text=Work units');
    await expect(page.textContent('#unit-sleep')).resolves.toContain('sleep');

    await page.click('form.who button');
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect((await context.cookies()).find((c) => c.name === 'bptl_session')).toBeUndefined();
    await page.goto(`${server.url}/console/work-units`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await context.close();
  });

  it('refuses a wrong token with a message, and sets no cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console`);
    await page.fill('#token', `${ADMIN_TOKEN}x`);
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click('button[type=submit]');
    expect((await answer).status()).toBe(401);
    await expect(page.textContent('[role=alert]')).resolves.toContain('not valid');
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });

  it('shows the audit log of configuration writes', async () => {
    const created = await api.request('POST', '/engines', {
      body: { name: 'audited', url: 'http://127.0.0.1:9/engine-rest' },
    });
    expect(created.status).toBe(201);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/login?next=/console/audit`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    await expect(page.textContent('main table')).resolves.toContain('create engine audited');
    await expect(page.textContent('main table')).resolves.toContain('token:test-admin');
    await context.close();
  });
});
