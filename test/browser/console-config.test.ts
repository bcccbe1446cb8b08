/**
 * The console's configuration forms in a real Chromium: an invalid topic form comes back naming the field
 * with what was typed, a form opened before someone else's save is refused with its values kept, a secret
 * is never in a page, and a viewer's write (a form posted from the viewer's session) gets the 403 page.
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

async function signedIn(token: string, next: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/console/login?next=${encodeURIComponent(next)}`);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  expect(new URL(page.url()).pathname).toBe(next.split('?')[0]);
  return { context, page };
}

const SECRET = 'browser-bearer-token-9f3';

describe('console configuration forms', () => {
  it('creates an engine and a topic, names a bad field, and refuses a stale form keeping its values', async () => {
    const { context, page } = await signedIn(ADMIN_TOKEN, '/console/engines/new');
    await page.fill('#f-name', 'local');
    await page.fill('#f-url', 'http://127.0.0.1:9/engine-rest');
    await page.selectOption('#f-auth-type', 'bearer');
    await page.fill('#f-auth-token', SECRET);
    await page.click('#config-form button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/console/engines');
    await expect(page.textContent('#list')).resolves.toContain('bearer (token set)');
    await page.click('#list >> text=Edit');
    await expect(page.inputValue('#f-auth-token')).resolves.toBe('');
    expect(await page.content()).not.toContain(SECRET);

    await page.goto(`${server.url}/console/topics/new`);
    await page.fill('#f-topic', 'invoices');
    await page.selectOption('#f-workUnit', 'noop');
    await page.fill('#f-heartbeatTimeoutMs', '10');
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click('#config-form button[type=submit]');
    expect((await answer).status()).toBe(400);
    await expect(page.textContent('#form-errors')).resolves.toContain('heartbeatTimeoutMs');
    await expect(page.inputValue('#f-heartbeatTimeoutMs')).resolves.toBe('10');
    await expect(page.inputValue('#f-topic')).resolves.toBe('invoices');
    await expect(page.getAttribute('#unit-noop', 'open')).resolves.toBe('');
    await page.fill('#f-heartbeatTimeoutMs', '');
    await page.click('#config-form button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/console/topics');
    await expect(page.textContent('#list')).resolves.toContain('invoices');

    // Two tabs open the same topic; the first saves, the second is refused and keeps what was typed in it.
    const edit = `${server.url}/console/topics/edit?engine=local&topic=invoices`;
    const other = await context.newPage();
    await page.goto(edit);
    await other.goto(edit);
    await page.fill('#f-description', 'saved first');
    await page.click('#config-form button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/console/topics');
    await other.fill('#f-description', 'typed in the second tab');
    const refused = other.waitForResponse((r) => r.request().method() === 'POST');
    await other.click('#config-form button[type=submit]');
    expect((await refused).status()).toBe(409);
    await expect(other.textContent('#stale')).resolves.toContain(
      'changed by someone else since you opened it',
    );
    await expect(other.inputValue('#f-description')).resolves.toBe('typed in the second tab');
    expect((await api.store.topics.get({ engine: 'local', topic: 'invoices' }))?.description).toBe(
      'saved first',
    );
    await context.close();
  });

  it("refuses a viewer's write with the 403 page, and shows the viewer no forms", async () => {
    const { context, page } = await signedIn(VIEWER_TOKEN, '/console/topics');
    await expect(page.locator('main form').count()).resolves.toBe(0);
    await expect(page.textContent('#list')).resolves.toContain('invoices');
    // A form the viewer's browser posts anyway (a page of the viewer's own, on the console's origin), with the session's
    // CSRF token: the console itself refuses it.
    const csrf = await page.getAttribute('form.who input[name=_csrf]', 'value');
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.setContent(
      `<form id="forged" method="post" action="/console/topics/delete?engine=local&amp;topic=invoices">
        <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="2">
        <button type="submit">Delete</button></form>`,
    );
    await page.click('#forged button');
    expect((await answer).status()).toBe(403);
    await page.waitForLoadState();
    await expect(page.textContent('[role=alert]')).resolves.toContain('needs an admin token');
    expect(await api.store.topics.get({ engine: 'local', topic: 'invoices' })).toBeDefined();
    await context.close();
  });
});
