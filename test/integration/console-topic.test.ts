/**
 * A topic configured through the console's forms, in a real Chromium, runs on the real Camunda and Temporal:
 * an admin adds the engine and the topic through the forms, a process instance's external task of that topic
 * is fetched by a poller that follows the store (what `bptl poller` does), run by the worker, and shows as
 * completed in the console's task list of that topic.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningApi, serveApi } from '../../src/api/serve.ts';
import { followSource, storeConfigSource } from '../../src/config/config-source.ts';
import { encodeVariables } from '../../src/engine/variables.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { PollerFleet } from '../../src/poller/poller-fleet.ts';
import { createRegistry } from '../../src/work-units/registry.ts';
import { ADMIN_TOKEN, createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { createHarness, ENGINE, eventually, type Harness } from './harness.ts';

let h: Harness;
let api: TestApi;
let fleet: PollerFleet;
let server: RunningApi;
let browser: TestBrowser;
const following = new AbortController();
let follow: Promise<void> | undefined;

beforeAll(async () => {
  h = await createHarness('console-topic');
  await h.startWorker();
  api = await createTestApi({
    temporal: h.client,
    taskQueue: h.taskQueue,
    workUnitTaskQueue: h.workUnitTaskQueue,
  });
  fleet = new PollerFleet({
    temporal: h.client,
    workerId: h.workerId,
    taskQueue: h.taskQueue,
    workUnitTaskQueue: h.workUnitTaskQueue,
    maxTasks: 10,
    asyncResponseTimeoutMs: 2_000,
    logger: createLogger('test.console-topic', { level: (process.env.LOG_LEVEL as 'info') ?? 'warn' }),
    workUnitNames: createRegistry().names(),
  });
  // What `bptl poller` does with the store: apply a snapshot, then follow the revision.
  const source = storeConfigSource(api.store);
  const first = await source.snapshot();
  await fleet.apply(first.config);
  follow = followSource(source, {
    since: first.revision,
    intervalMs: 500,
    signal: following.signal,
    onSnapshot: (snapshot) => fleet.apply(snapshot.config),
  });
  server = await serveApi(api.app, { port: 0, hostname: '127.0.0.1' });
  browser = await launchBrowser();
});

afterAll(async () => {
  following.abort();
  await follow;
  await browser?.close();
  await server?.close();
  await fleet?.stop();
  await h?.close();
  await api?.close();
});

describe('a topic made in the console', () => {
  it('gets its tasks run, and they show as completed in its task list', async () => {
    const topic = h.topicName('made-in-console');
    await h.deploy({ key: `${h.id}-console`, topic });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/login?next=/console/engines`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/console/engines');

    // The engine, through its form.
    await page.click('#new');
    await page.fill('#f-name', ENGINE);
    await page.fill('#f-url', inject('camundaUrl'));
    await page.click('#config-form button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/console/engines');
    await expect(page.textContent('[role=status]')).resolves.toContain(`Saved engine '${ENGINE}'`);

    // The topic, through its form: the engine is preselected (the only one), the work unit chosen.
    await page.click('nav >> text=Topics');
    await page.click('#new');
    await expect(page.inputValue('#f-engine')).resolves.toBe(ENGINE);
    await page.fill('#f-topic', topic);
    await page.selectOption('#f-workUnit', 'echo');
    await page.fill('#f-lockDurationMs', '30000');
    await page.click('#config-form button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/console/topics');
    await expect(page.textContent('[role=status]')).resolves.toContain(`Saved topic '${ENGINE}/${topic}'`);
    await expect(page.textContent('#list')).resolves.toContain(topic);
    expect(await api.store.topics.get({ engine: ENGINE, topic })).toMatchObject({
      workUnit: 'echo',
      lockDurationMs: 30_000,
      enabled: true,
    });

    const instance = await h.camunda.startProcess(`${h.id}-console`, {
      businessKey: `${h.id}-console-order`,
      variables: encodeVariables({ greeting: 'made in the console' }),
    });

    // The list's link leads to the topic's tasks; reload until the task is listed as completed (the poller
    // picks the topic up within a second, and visibility is eventually consistent).
    await page.click('#list a.tasks-link');
    expect(new URL(page.url()).searchParams.get('topic')).toBe(topic);
    await eventually(
      async () => {
        await page.goto(`${server.url}/console/tasks?topic=${encodeURIComponent(topic)}&outcome=completed`);
        const rows = await page.locator('#tasks tbody tr').count();
        return rows === 1 && (await page.textContent('#tasks'))?.includes(instance.id) ? true : undefined;
      },
      'the task completed in the console task list',
      60_000,
    );
    const [task] = await h.camunda.get<unknown[]>('/external-task', { processInstanceId: instance.id });
    expect(task).toBeUndefined();
    await context.close();
  });

  it('refuses a viewer a write with a 403 page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/login?next=/console/topics`);
    await page.fill('#token', VIEWER_TOKEN);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/console/topics');
    // Read only: no forms but the sign-out one.
    await expect(page.locator('main form').count()).resolves.toBe(0);
    await expect(page.locator('#new').count()).resolves.toBe(0);
    const opened = await page.goto(`${server.url}/console/topics/new`);
    expect(opened?.status()).toBe(403);
    await expect(page.textContent('[role=alert]')).resolves.toContain('needs an admin token');
    await context.close();
  });
});
