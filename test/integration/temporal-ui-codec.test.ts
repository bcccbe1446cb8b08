/**
 * The real Temporal Web UI (of the global set-up's dev server) in a real Chromium shows a task's process data
 * decoded by the API's codec server, for an operator signed in to the console: the UI's codec setting "include
 * cross-origin credentials" sends the console's session cookie. Without the codec setting, or without a
 * session, the page shows the payload encrypted. And on a dev server started like `bptl dev`'s (with
 * `--ui-codec-endpoint`, which sends no credentials), the browser setting takes over once chosen.
 */
import { createServer } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { describe, expect, inject, test } from 'vitest';
import { type RunningApi, serveApi } from '../../src/api/serve.ts';
import { encodeVariables } from '../../src/engine/variables.ts';
import { waitForProcessEnd } from '../../src/local/demo.ts';
import { startTemporalDevServer } from '../../src/local/temporal-dev-server.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { externalTaskWorkflowId } from '../../src/workflows/external-task-input.ts';
import { createTestApi, VIEWER_TOKEN } from '../support/api.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { testDataDir } from '../support/paths.ts';
import { ENGINE, fileHarness, testCodec, testDataConverter } from './harness.ts';

const DISTINCTIVE = 'Temporal-UI-Codec-Distinctive-7d21a9';

/**
 * Sets the Temporal UI's codec server the way an operator does, in its Codec Server dialog (top right): "Use my
 * browser setting", the endpoint, "Include cross-origin credentials", Apply. The UI keeps these in localStorage
 * (`endpoint`, `includeCredentials`, `overrideRemoteCodecConfiguration`), for this browser only.
 */
async function setCodecInUi(page: Page, endpoint: string): Promise<void> {
  // Its button's test id names the codec's state: data-encoder-status, -status-error, …
  await page.click('[data-testid^="data-encoder-status"]');
  await page.click('[data-testid="use-local-endpoint-input"]');
  await page.fill('[data-testid="data-encoder-endpoint-input"]', endpoint);
  await page.click('[data-testid="data-encoder-include-credentials"]');
  await page.click('[data-testid="confirm-modal-button"]');
  await page.locator('dialog#data-encoder-settings').waitFor({ state: 'hidden' });
  await expect
    .poll(() =>
      page.evaluate(() => [localStorage.getItem('endpoint'), localStorage.getItem('includeCredentials')]),
    )
    .toEqual([JSON.stringify(endpoint), 'true']);
}

/** The UI's call of the codec server's decode (it adds a query string). */
const isDecode = (endpoint: string) => (response: Response) =>
  response.url().startsWith(`${endpoint}/decode`) && response.request().method() === 'POST';

const it = test
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('ui', { scope: 'file' }, async ({}, { onCleanup }) => {
    const cleanups: Array<() => Promise<void>> = [];
    onCleanup(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });
    const h = await fileHarness('ui-codec', (cleanup) => cleanups.push(cleanup));
    const topic = h.topicName('echo');
    await h.deploy({ key: `${h.id}-echo`, topic });
    await h.startWorker();
    h.createPoller([h.topicConfig(topic, 'echo')]).start();
    const started = await h.camunda.startProcess(`${h.id}-echo`, {
      variables: encodeVariables({ customerName: DISTINCTIVE }),
    });
    expect((await waitForProcessEnd(h.camunda, started.id)).state).toBe('COMPLETED');
    const [task] = await h.camunda.get<Array<{ externalTaskId: string }>>('/history/external-task-log', {
      processInstanceId: started.id,
      successLog: true,
    });
    const workflowId = externalTaskWorkflowId(ENGINE, task!.externalTaskId);
    const { runId } = await h.client.workflow.getHandle(workflowId).describe();

    const temporalUi = inject('temporalUiUrl');
    const api = await createTestApi({ codec: testCodec(), codecCorsOrigins: [temporalUi] });
    cleanups.push(() => api.close());
    const server: RunningApi = await serveApi(api.app, { port: 0, hostname: '127.0.0.1' });
    cleanups.push(() => server.close());
    const browser: TestBrowser = await launchBrowser();
    cleanups.push(() => browser.close());
    const workflowPage = `${temporalUi}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
    return { server, browser, workflowPage, codecEndpoint: `${server.url}/codec` };
  });

/** A browser context that does not call the UI's news feed (this machine has no network). */
async function newContext(browser: TestBrowser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.route(/^https:\/\/newsfeed\.temporal\.io\//, (route) => route.abort());
  return context;
}

/** The workflow's input as the UI's workflow page shows it (once it shows something). */
async function shownInput(page: Page, url: string): Promise<string> {
  await page.goto(url);
  const input = page.locator('div:has(> h3:text-is("Input")) .cm-content').first();
  await input.waitFor({ timeout: 30_000 });
  await expect.poll(async () => (await input.textContent())?.trim() ?? '', { timeout: 30_000 }).not.toBe('');
  return (await input.textContent()) ?? '';
}

describe('the Temporal UI with the codec server', () => {
  it('shows the input encrypted without a codec endpoint', async ({ ui: { browser, workflowPage } }) => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const codecCalls: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/codec/')) codecCalls.push(request.url());
      });
      const input = await shownInput(page, workflowPage);
      expect(input).not.toContain(DISTINCTIVE);
      expect(input).not.toContain('customerName');
      expect(codecCalls).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('gets 401 from the codec server without a console session, and shows the input encrypted', async ({
    ui: { browser, workflowPage, codecEndpoint },
  }) => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await shownInput(page, workflowPage);
      await setCodecInUi(page, codecEndpoint);
      const refused = page.waitForResponse(isDecode(codecEndpoint));
      const input = await shownInput(page, workflowPage);
      expect((await refused).status()).toBe(401);
      expect(input).not.toContain(DISTINCTIVE);
      await expect(page.textContent('body')).resolves.not.toContain(DISTINCTIVE);
    } finally {
      await context.close();
    }
  });

  it('shows the input decoded for an operator signed in to the console', async ({
    ui: { browser, server, workflowPage, codecEndpoint },
  }) => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await shownInput(page, workflowPage);
      await setCodecInUi(page, codecEndpoint);
      await page.goto(`${server.url}/console/login`);
      await page.fill('#token', VIEWER_TOKEN);
      await page.click('button[type=submit]');
      await page.waitForURL(/\/console\/overview/);
      const decoded = page.waitForResponse(isDecode(codecEndpoint));
      const input = page.locator('div:has(> h3:text-is("Input")) .cm-content').first();
      await page.goto(workflowPage);
      expect((await decoded).status()).toBe(200);
      await expect
        .poll(async () => (await input.textContent()) ?? '', { timeout: 30_000 })
        .toContain(DISTINCTIVE);
      expect(await input.textContent()).toContain('customerName');
    } finally {
      await context.close();
    }
  });
});

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the Temporal UI of a dev server with --ui-codec-endpoint (as bptl dev starts it)', () => {
  it('gets 401 with the cluster-level setting, and decodes with the browser setting and credentials', async ({
    ui: { browser },
  }) => {
    const [port, uiPort] = [await freePort(), await freePort()];
    const api = await createTestApi({ codec: testCodec(), codecCorsOrigins: [`http://127.0.0.1:${uiPort}`] });
    const server = await serveApi(api.app, { port: 0, hostname: '127.0.0.1' });
    const endpoint = `${server.url}/codec`;
    const temporal = await startTemporalDevServer({
      // Its own folder: the log file is <dataDir>/temporal/server.log, the global set-up's is in testDataDir.
      dataDir: path.join(testDataDir, 'ui-codec-cluster-level'),
      port,
      uiPort,
      inMemory: true,
      uiCodecEndpoint: endpoint,
      log: createLogger('test-ui-codec', { level: 'warn' }),
    });
    const connection = await Connection.connect({ address: temporal.address });
    const context = await newContext(browser);
    try {
      // No worker: the started event holds the input, which is all the page needs.
      const handle = await new Client({ connection, dataConverter: testDataConverter() }).workflow.start(
        'externalTask',
        {
          taskQueue: 'nobody-polls',
          workflowId: 'ui-codec-cluster-level',
          args: [{ customerName: DISTINCTIVE }],
        },
      );
      const url = `${temporal.uiUrl}/namespaces/default/workflows/ui-codec-cluster-level/${handle.firstExecutionRunId}/history`;
      const page = await context.newPage();
      await page.goto(`${server.url}/console/login`);
      await page.fill('#token', VIEWER_TOKEN);
      await page.click('button[type=submit]');
      await page.waitForURL(/\/console\/overview/);
      // The cluster-level endpoint is called without credentials: signed in or not, 401.
      const refused = page.waitForResponse(isDecode(endpoint));
      expect(await shownInput(page, url)).not.toContain(DISTINCTIVE);
      expect((await refused).status()).toBe(401);

      await setCodecInUi(page, endpoint);
      const decoded = page.waitForResponse(isDecode(endpoint));
      const input = page.locator('div:has(> h3:text-is("Input")) .cm-content').first();
      await page.goto(url);
      expect((await decoded).status()).toBe(200);
      await expect
        .poll(async () => (await input.textContent()) ?? '', { timeout: 30_000 })
        .toContain(DISTINCTIVE);
    } finally {
      await context.close();
      await connection.close();
      await temporal.stop();
      await server.close();
      await api.close();
    }
  });
});
