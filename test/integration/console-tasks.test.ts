/**
 * The console's task list in a real Chromium, on tasks that ran through the real Camunda and Temporal: each
 * filter narrows the list to the right workflows, and a failed task shows as failed. A task whose work unit
 * (the built-in http-request) calls a loopback server shows the request on its detail, without its query or
 * headers.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, inject, test } from 'vitest';
import { type RunningApi, serveApi } from '../../src/api/serve.ts';
import { encodeVariables } from '../../src/engine/variables.ts';
import { waitForProcessEnd } from '../../src/local/demo.ts';
import { createTestApi, VIEWER_TOKEN } from '../support/api.ts';
import { launchBrowser } from '../support/browser.ts';
import { engineInput, topicInput } from '../support/store-inputs.ts';
import { createHarness, ENGINE, eventually } from './harness.ts';

const QUERY_SECRET = 'q-secret-4711';
const HEADER_SECRET = 'h-secret-0815';

const it = test
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('tasks', { scope: 'file' }, async ({}, { onCleanup }) => {
    // One cleanup a fixture: what it opened is closed in reverse order (the harness stops its poller).
    const cleanups: Array<() => Promise<void>> = [];
    onCleanup(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });
    const h = await createHarness('console');
    cleanups.push(() => h.close());
    const topics = { echo: h.topicName('echo'), fail: h.topicName('fail'), http: h.topicName('http') };
    await h.deploy({ key: `${h.id}-echo`, topic: topics.echo });
    await h.deploy({ key: `${h.id}-fail`, topic: topics.fail });
    await h.deploy({ key: `${h.id}-http`, topic: topics.http });
    // The server the http task calls: it answers 200 with a small JSON body.
    const loopback = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => loopback.close(() => resolve())));
    const loopbackOrigin = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}`;
    await h.startWorker();
    const poller = h.createPoller([
      h.topicConfig(topics.echo, 'echo'),
      h.topicConfig(topics.fail, 'fail'),
      h.topicConfig(topics.http, 'http-request', {
        outbound: { allowedOrigins: [loopbackOrigin], errorDetails: false },
      }),
    ]);
    poller.start();
    const started = {
      first: await h.camunda.startProcess(`${h.id}-echo`, {
        businessKey: `${h.id}-order-1`,
        variables: encodeVariables({ n: 1 }),
      }),
      second: await h.camunda.startProcess(`${h.id}-echo`, {
        businessKey: `${h.id}-order-2`,
        variables: encodeVariables({ n: 2 }),
      }),
      failing: await h.camunda.startProcess(`${h.id}-fail`, {
        variables: encodeVariables({ failMessage: 'the archive said no' }),
      }),
      http: await h.camunda.startProcess(`${h.id}-http`, {
        variables: encodeVariables({
          httpUrl: `${loopbackOrigin}/zaken/42?token=${QUERY_SECRET}`,
          httpHeaders: { 'X-Api-Key': HEADER_SECRET },
        }),
      }),
    };
    for (const pi of [started.first, started.second, started.http]) {
      expect((await waitForProcessEnd(h.camunda, pi.id)).state).toBe('COMPLETED');
    }
    const api = await createTestApi({
      temporal: h.client,
      engines: { get: (name) => (name === ENGINE ? h.camunda : undefined) },
      links: {
        temporalUi: 'http://temporal-ui.test',
        cockpit: (name) => (name === ENGINE ? 'http://cockpit.test/camunda/app/cockpit/default/' : undefined),
      },
    });
    cleanups.push(() => api.close());
    // The overview has a row per configured topic: the store has the ones the poller was given.
    await api.store.engines.create(engineInput({ name: ENGINE, url: inject('camundaUrl') }), {
      actor: 'test',
    });
    const units = { echo: 'echo', fail: 'fail', http: 'http-request' } as const;
    for (const [key, topic] of Object.entries(topics)) {
      const workUnit = units[key as keyof typeof units];
      await api.store.topics.create(topicInput({ engine: ENGINE, topic, workUnit }), { actor: 'test' });
    }
    const server: RunningApi = await serveApi(api.app, { port: 0, hostname: '127.0.0.1' });
    cleanups.push(() => server.close());
    // Visibility is eventually consistent: wait until all three are listed as closed.
    await eventually(async () => {
      const res = await api.request(
        'GET',
        `/tasks?status=Completed&topic=${encodeURIComponent(topics.echo)}`,
        { token: VIEWER_TOKEN },
      );
      const failed = await api.request(
        'GET',
        `/tasks?status=Completed&topic=${encodeURIComponent(topics.fail)}`,
        { token: VIEWER_TOKEN },
      );
      return ((await res.json()) as unknown[]).length === 2 &&
        ((await failed.json()) as unknown[]).length === 1
        ? true
        : undefined;
    }, 'the three tasks closed in the visibility store');
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/login`);
    await page.fill('#token', VIEWER_TOKEN);
    await page.click('button[type=submit]');
    return { h, topics, started, server, page, loopbackOrigin, api };
  });

describe('the console task list', () => {
  it('filters by topic and outcome, and links each row to its detail', async ({
    tasks: { topics, started, page, server },
  }) => {
    await page.goto(`${server.url}/console/tasks`);
    await page.fill('#topic', topics.echo);
    await page.selectOption('#outcome', 'completed');
    await page.click('form.filters button[type=submit]');
    const rows = page.locator('#tasks tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    const text = await page.textContent('#tasks');
    expect(text).toContain(started.first.id);
    expect(text).toContain(started.second.id);
    expect(text).not.toContain(started.failing.id);
    const href = await rows.first().locator('a').getAttribute('href');
    expect(href).toMatch(/^\/console\/tasks\/camunda%2Ftest%2F[^?]+\?runId=/);

    await page.fill('#topic', topics.fail);
    await page.selectOption('#outcome', 'failed');
    await page.click('form.filters button[type=submit]');
    await expect(rows.count()).resolves.toBe(1);
    await expect(page.textContent('#tasks')).resolves.toContain(started.failing.id);
  });

  it('finds a task by business key or process instance, and says when none matches', async ({
    tasks: { h, started, page, server },
  }) => {
    await page.goto(`${server.url}/console/tasks?businessKey=${encodeURIComponent(`${h.id}-order-2`)}`);
    await expect(page.locator('#tasks tbody tr').count()).resolves.toBe(1);
    await expect(page.textContent('#tasks')).resolves.toContain(started.second.id);
    await page.goto(`${server.url}/console/tasks?processInstanceId=${started.first.id}`);
    await expect(page.textContent('#tasks')).resolves.toContain(`${h.id}-order-1`);
    await page.goto(`${server.url}/console/tasks?businessKey=nobody-${h.id}`);
    await expect(page.textContent('#no-tasks')).resolves.toContain('No task matches');
  });

  it('names the field of a bad filter', async ({ tasks: { page, server } }) => {
    const res = await page.goto(`${server.url}/console/tasks?startedAfter=yesterday`);
    expect(res?.status()).toBe(400);
    await expect(page.textContent('[role=alert]')).resolves.toContain('startedAfter');
  });

  it('pages through the list, keeping the filter', async ({ tasks: { topics, started, page, server } }) => {
    await page.goto(`${server.url}/console/tasks?topic=${encodeURIComponent(topics.echo)}&size=1`);
    const rows = page.locator('#tasks tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    const first = await page.textContent('#tasks');
    await page.click('#next-page');
    expect(new URL(page.url()).searchParams.get('topic')).toBe(topics.echo);
    await expect(rows.count()).resolves.toBe(1);
    const second = await page.textContent('#tasks');
    // One instance on each page (in the order the workflows started, newest first).
    const ids = [started.first.id, started.second.id];
    expect(ids.filter((id) => first?.includes(id))).toHaveLength(1);
    expect(ids.filter((id) => second?.includes(id))).toHaveLength(1);
    expect(ids.filter((id) => `${first}${second}`.includes(id))).toEqual(ids);
  });

  it("shows a failed task's error and attempts, the engine's incident, and links to its run and instance", async ({
    tasks: { h, topics, started, page, server },
  }) => {
    await page.goto(`${server.url}/console/tasks?topic=${encodeURIComponent(topics.fail)}`);
    await page.click('#tasks tbody tr a');
    expect(decodeURIComponent(new URL(page.url()).pathname)).toMatch(/^\/console\/tasks\/camunda\/test\//);
    await expect(page.textContent('#summary')).resolves.toContain('failed');
    await expect(page.textContent('#summary')).resolves.toContain(started.failing.id);
    const activities = await page.textContent('#activities');
    expect(activities).toContain('runWorkUnit');
    expect(activities).toContain('the archive said no');
    // The engine has the task with retries 0: an incident, with BPTL's message.
    const engineTask = await page.textContent('#engine-task');
    expect(engineTask).toContain('open');
    expect(engineTask).toContain('the archive said no');
    // The link goes to this workflow's run in the Temporal UI.
    let run: { workflowId: string; runId: string } | undefined;
    for await (const w of h.client.workflow.list({
      query: `BptlProcessInstanceId = '${started.failing.id}'`,
    }))
      run = w;
    if (!run) throw new Error('the failed task has no workflow');
    const { workflowId, runId } = run;
    await expect(page.getAttribute('#temporal-link', 'href')).resolves.toBe(
      `http://temporal-ui.test/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`,
    );
    await expect(page.getAttribute('#cockpit-link', 'href')).resolves.toBe(
      `http://cockpit.test/camunda/app/cockpit/default/#/process-instance/${started.failing.id}`,
    );
  });

  it('counts the failed task on the overview, by topic, and leads from the count to the task', async ({
    tasks: { h, topics, started, page, server },
  }) => {
    // Signing in lands on the overview.
    await page.goto(`${server.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/overview');
    const row = (topic: string) => page.locator('table.counts tbody tr', { hasText: topic });
    const cells = async (topic: string) =>
      (await row(topic).locator('td').allTextContents()).map((t) => t.trim());
    // Columns: completed, failed, BPMN error, abandoned, ended abnormally, running now.
    expect(await cells(topics.fail)).toEqual(['0', '1', '0', '0', '0', '0']);
    expect(await cells(topics.echo)).toEqual(['2', '0', '0', '0', '0', '0']);
    // The chart has the failure in one of its bars (each bar's title lists its counts).
    const titles = await page.locator('figure.chart g.bar title').allTextContents();
    expect(titles).toHaveLength(24);
    expect(titles.some((t) => /[1-9]\d* failed/.test(t))).toBe(true);
    await expect(page.textContent('main')).resolves.toContain('Last hour');
    // The engine answers.
    await expect(page.locator('tr', { hasText: ENGINE }).last().textContent()).resolves.toContain('yes');
    // The failed count leads to the list of that topic's failed tasks, and from there to the task.
    await row(topics.fail).locator('td a').first().click();
    expect(new URL(page.url()).searchParams.get('outcome')).toBe('failed');
    await expect(page.locator('#tasks tbody tr').count()).resolves.toBe(1);
    await expect(page.textContent('#tasks')).resolves.toContain(started.failing.id);
    // …and its detail shows the error and links to its run in the Temporal UI.
    await page.click('#tasks tbody tr a');
    await expect(page.textContent('#activities')).resolves.toContain('the archive said no');
    const [run] = await Array.fromAsync(
      h.client.workflow.list({ query: `BptlProcessInstanceId = '${started.failing.id}'` }),
    );
    await expect(page.getAttribute('#temporal-link', 'href')).resolves.toBe(
      `http://temporal-ui.test/namespaces/default/workflows/${encodeURIComponent(run!.workflowId)}/${run!.runId}/history`,
    );
    // Another window is offered and counted; a window that is not offered is refused, naming it.
    await page.goto(`${server.url}/console/overview?window=1h`);
    expect(await cells(topics.fail)).toEqual(['0', '1', '0', '0', '0', '0']);
    await expect(page.locator('figure.chart g.bar title').count()).resolves.toBe(12);
    const bad = await page.goto(`${server.url}/console/overview?window=3y`);
    expect(bad?.status()).toBe(400);
    await expect(page.textContent('[role=alert]')).resolves.toContain('window');
  });

  it("shows a task's outbound request (method, origin, path, status), never its query string or a header", async ({
    tasks: { topics, page, server, loopbackOrigin },
  }) => {
    await eventually(async () => {
      await page.goto(`${server.url}/console/tasks?topic=${encodeURIComponent(topics.http)}`);
      return (await page.$('#tasks tbody tr a')) ? true : undefined;
    }, 'the http task listed');
    await page.click('#tasks tbody tr a');
    const requests = page.locator('.outbound-requests tr.request');
    await expect(requests.count()).resolves.toBe(1);
    const cells = await requests.first().locator('td').allTextContents();
    expect(cells.slice(1, 5).map((c) => c.trim())).toEqual(['GET', loopbackOrigin, '/zaken/42', '200']);
    await expect(page.textContent('#lock-renewals')).resolves.toContain('By the workflow (keepLock)');
    const markup = await page.content();
    expect(markup).not.toContain(QUERY_SECRET);
    expect(markup).not.toContain(HEADER_SECRET);
    expect(markup).not.toContain('token=');
  });

  it("GET /tasks/{engine}/{taskId} gives the task detail as JSON: each attempt's outbound requests, no query or header", async ({
    tasks: { topics, api, loopbackOrigin },
  }) => {
    const listed = await api.request(
      'GET',
      `/tasks?status=Completed&topic=${encodeURIComponent(topics.http)}`,
      { token: VIEWER_TOKEN },
    );
    const [row] = (await listed.json()) as Array<{ workflowId: string }>;
    if (!row) throw new Error('the http task is not listed');
    const taskId = row.workflowId.split('/').slice(2).join('/');
    const res = await api.request('GET', `/tasks/${ENGINE}/${encodeURIComponent(taskId)}`, {
      token: VIEWER_TOKEN,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const detail = JSON.parse(text) as {
      workflowId: string;
      status: string;
      attributes: Record<string, string>;
      activities: Array<{ type: string; result: string; requests?: unknown[] }>;
    };
    expect(detail).toMatchObject({ workflowId: row.workflowId, status: 'COMPLETED' });
    expect(detail.attributes.BptlWorkUnit).toBe('http-request');
    const attempts = detail.activities.filter((a) => a.requests !== undefined);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.requests).toEqual([
      expect.objectContaining({ method: 'GET', origin: loopbackOrigin, path: '/zaken/42', status: 200 }),
    ]);
    expect(text).not.toContain(QUERY_SECRET);
    expect(text).not.toContain(HEADER_SECRET);
    const missing = await api.request('GET', `/tasks/${ENGINE}/no-such-task`, { token: VIEWER_TOKEN });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: string }).detail).toBe(
      `Temporal has no workflow camunda/${ENGINE}/no-such-task`,
    );
    // What the API fuzzer found as a 500: a run id that is no UUID (Temporal's INVALID_ARGUMENT).
    const badRun = await api.request('GET', `/tasks/${ENGINE}/${encodeURIComponent(taskId)}?runId=x`, {
      token: VIEWER_TOKEN,
    });
    expect(badRun.status).toBe(400);
    expect(JSON.stringify(await badRun.json())).toContain('runId');
    const otherRun = '0b7e1c52-6f0e-4d53-9a43-2f0d1c3b4a59';
    const noRun = await api.request(
      'GET',
      `/tasks/${ENGINE}/${encodeURIComponent(taskId)}?runId=${otherRun}`,
      {
        token: VIEWER_TOKEN,
      },
    );
    expect(noRun.status).toBe(404);
  });

  it('answers a workflow Temporal does not have with 404', async ({ tasks: { page, server } }) => {
    const res = await page.goto(
      `${server.url}/console/tasks/${encodeURIComponent('camunda/test/no-such-task')}`,
    );
    expect(res?.status()).toBe(404);
    await expect(page.textContent('[role=alert]')).resolves.toContain(
      'Temporal has no workflow camunda/test/no-such-task',
    );
  });
});
