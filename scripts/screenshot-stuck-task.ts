#!/usr/bin/env node
/**
 * Makes the pictures of a stuck task in docs/operations.md ("Stuck tasks", "What it looks like"):
 * docs/images/stuck-task-list.png (the Temporal Web UI's workflow list, filtered by
 * `BptlState = 'completion-refused'`) and docs/images/stuck-task-workflow.png (that workflow's page, on the
 * User Metadata tab: its current details, the state and the reason).
 *
 * What it does, against servers that run already: deploys a one-task process whose next step is a user task
 * assigned to `${reviewer}` (a variable the instance does not have), starts a BPTL worker and a poller in this
 * process (a topic of its own, work unit `echo`), starts one instance. The work unit runs, Camunda refuses the
 * completion (500, "Unknown property used in expression"), the workflow raises an incident and waits in state
 * `completion-refused`. Once a list query finds it, headless Chromium (driven over the DevTools protocol) takes
 * the two screenshots. Then it cleans up: deletes the process instance, so the workflow, told to try again,
 * finds the task gone and ends (`abandoned`, state `closed`; terminated if it does not end within 30 s),
 * deletes the deployment, stops the poller and the worker.
 *
 * Needs: a Temporal server with the BPTL search attributes (`bptl dev` / the test set-up registers them) and its
 * Web UI, a Camunda 7 engine, and Chromium from Debian (`apt-get install -y chromium`; pngquant, if installed,
 * makes the PNGs smaller). Addresses from TEMPORAL_ADDRESS (default 127.0.0.1:7233), CAMUNDA_URL
 * (http://127.0.0.1:8080/engine-rest), TEMPORAL_UI_URL (http://127.0.0.1:8233): the servers of `bptl dev` (the test
 * set-up's are on 17233, 18180 and 18233); CHROMIUM names the browser
 * (default `chromium`). Run: `node scripts/screenshot-stuck-task.ts`. Takes under a minute (bundling the
 * workflows is most of it).
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { topicConfigSchema } from '../src/config/topic-config.ts';
import { CamundaClient } from '../src/engine/camunda-client.ts';
import { createLogger } from '../src/logging/logger.ts';
import { Poller } from '../src/poller/poller.ts';
import { createRegistry } from '../src/work-units/registry.ts';
import { createBptlWorker } from '../src/worker/bptl-worker.ts';
import { TaskStates, taskFetchedAgainSignal } from '../src/workflows/task-state.ts';
import { externalTaskProcess } from '../test/support/bpmn.ts';
import { eventually } from '../test/support/eventually.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const imagesDir = path.join(root, 'docs', 'images');

const temporalAddress = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const camundaUrl = process.env.CAMUNDA_URL ?? 'http://127.0.0.1:8080/engine-rest';
const uiUrl = (process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233').replace(/\/$/, '');
const chromium = process.env.CHROMIUM ?? 'chromium';

const ENGINE = 'local';
const id = randomUUID().slice(0, 8);
const processKey = 'order-review';
const topic = `send-order-confirmation-${id}`;
const query = `BptlState = '${TaskStates.CompletionRefused}'`;
/**
 * What the list picture shows: the running workflows stuck this way (a terminated workflow keeps the state it
 * had), of this process only (others' stuck tasks on a shared server stay out of the picture).
 */
const listQuery = `${query} AND ExecutionStatus = 'Running' AND BptlProcessDefinitionKey = '${processKey}'`;

Runtime.install({ logger: new DefaultLogger('ERROR') });
const log = createLogger('screenshot', { level: 'warn' });
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Cdp {
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/**
 * Runs `use` with a page of headless Chromium, driven over the DevTools protocol (Node's own WebSocket). Not
 * `--screenshot` on the command line: its virtual time never runs out on a running workflow's page (the UI
 * long-polls the history), and a picture must wait until the UI shows what it is about.
 */
async function withPage<T>(use: (page: Cdp) => Promise<T>): Promise<T> {
  const profile = await mkdtemp(path.join(tmpdir(), 'bptl-chromium-'));
  const browser = spawn(
    chromium,
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => browser.once('exit', resolve));
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let output = '';
      browser.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = /DevTools listening on (ws:\/\/\S+)/.exec(output);
        if (found?.[1]) resolve(found[1]);
      });
      browser.once('error', reject);
      browser.once('exit', () => reject(new Error(`${chromium} exited: ${output.slice(-2000)}`)));
    });
    const targets = (await (await fetch(`http://${new URL(endpoint).host}/json/list`)).json()) as Array<{
      type: string;
      webSocketDebuggerUrl: string;
    }>;
    const target = targets.find((t) => t.type === 'page');
    if (!target) throw new Error('Chromium has no page');
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error('cannot connect to Chromium'));
    });
    const calls = new Map<
      number,
      { resolve(value: Record<string, unknown>): void; reject(e: Error): void }
    >();
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      const call = message.id === undefined ? undefined : calls.get(message.id);
      if (!call || message.id === undefined) return;
      calls.delete(message.id);
      if (message.error) call.reject(new Error(message.error.message));
      else call.resolve(message.result ?? {});
    };
    let lastId = 0;
    const page: Cdp = {
      send: (method, params = {}) =>
        new Promise((resolve, reject) => {
          const callId = ++lastId;
          calls.set(callId, { resolve, reject });
          socket.send(JSON.stringify({ id: callId, method, params }));
        }),
    };
    try {
      return await use(page);
    } finally {
      socket.close();
    }
  } finally {
    browser.kill();
    await exited;
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

/** The text of the page and of its frames (the UI renders the current details in an iframe). */
const PAGE_TEXT = `[document.body?.innerText ?? '', ...[...document.querySelectorAll('iframe')].map((f) => {
  try { return f.contentDocument?.body?.innerText ?? ''; } catch { return ''; } })].join('\\n')`;

/**
 * One picture of the Web UI: opens `url` in a 1600 px wide window, waits until the page shows every text in
 * `waitFor`, and keeps the top of the page down to `bottom` (a script giving a y coordinate; default 1000).
 */
async function screenshot(options: {
  url: string;
  file: string;
  waitFor: string[];
  bottom?: string;
  /** Before the page loads, e.g. to set the UI's settings in localStorage. */
  setup?: string;
}) {
  const png = await withPage(async (page) => {
    const evaluate = async (expression: string) =>
      (
        (await page.send('Runtime.evaluate', { expression, returnByValue: true })).result as {
          value?: unknown;
        }
      )?.value;
    await page.send('Page.enable');
    await page.send('Emulation.setDeviceMetricsOverride', {
      width: 1600,
      height: 1000,
      deviceScaleFactor: 1,
      mobile: false,
    });
    if (options.setup) await page.send('Page.addScriptToEvaluateOnNewDocument', { source: options.setup });
    await page.send('Page.navigate', { url: options.url });
    await eventually(
      async () => {
        const text = String(await evaluate(PAGE_TEXT));
        return options.waitFor.every((wanted) => text.includes(wanted)) ? true : undefined;
      },
      `the page to show ${options.waitFor.join(', ')}: ${options.url}`,
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the last layout and fonts
    const bottom = Number(options.bottom ? await evaluate(options.bottom) : 1000);
    const height = Math.min(1000, Math.max(200, Math.ceil(bottom)));
    const shot = await page.send('Page.captureScreenshot', {
      format: 'png',
      clip: { x: 0, y: 0, width: 1600, height, scale: 1 },
    });
    return Buffer.from(String(shot.data), 'base64');
  });
  // Smaller (a palette of 256 colours) with pngquant, if it is there; as Chromium made it otherwise.
  const raw = `${options.file}.raw.png`;
  await writeFile(raw, png);
  const quantized = await run('pngquant', ['--force', '--quality=60-90', '--output', options.file, raw]).then(
    () => true,
    () => false,
  );
  if (quantized) await rm(raw);
  else await rename(raw, options.file);
  say(
    `wrote ${path.relative(root, options.file)} (${Math.round((await stat(options.file)).size / 1024)} kB)`,
  );
}

await run(chromium, ['--version']).catch(() => {
  throw new Error(`no ${chromium}: apt-get install -y chromium (or set CHROMIUM)`);
});
const camunda = new CamundaClient({ baseUrl: camundaUrl });
await camunda.engines();
const connection = await Connection.connect({ address: temporalAddress });
const client = new Client({ connection });
const native = await NativeConnection.connect({ address: temporalAddress });

const taskQueue = `bptl-screenshot-${id}`;
const workUnitTaskQueue = `${taskQueue}-work-units`;
let deploymentId: string | undefined;
let instanceId: string | undefined;
let workflow: { workflowId: string; runId: string } | undefined;
let poller: Poller | undefined;
let worker: { shutdown(): void } | undefined;
let running: Promise<void> | undefined;
try {
  say(`deploying ${processKey} (topic ${topic}), starting a worker and a poller`);
  const deployment = await camunda.deploy(processKey, [
    {
      filename: `${processKey}.bpmn`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Camunda expression, not a template
      content: externalTaskProcess({ key: processKey, topic, reviewerExpression: '${reviewer}' }),
    },
  ]);
  deploymentId = deployment.id;
  const bptl = await createBptlWorker({
    connection: native,
    namespace: 'default',
    taskQueue,
    workUnitTaskQueue,
    engines: new Map([[ENGINE, camunda]]),
    registry: createRegistry(),
    logger: log,
    shutdownGraceTimeMs: 1_000,
  });
  worker = bptl;
  running = bptl.run();
  poller = new Poller({
    engine: ENGINE,
    camunda,
    temporal: client,
    topics: [{ ...topicConfigSchema.parse({ topic, workUnit: 'echo' }), engine: ENGINE }],
    workerId: `screenshot-${id}`,
    taskQueue,
    workUnitTaskQueue,
    asyncResponseTimeoutMs: 2_000,
    logger: log,
  });
  poller.start();

  const instance = await camunda.startProcess(processKey, {
    businessKey: 'A-1',
    variables: { order: { value: 'A-1', type: 'String' } },
  });
  instanceId = instance.id;
  say(`started process instance ${instanceId}; waiting for ${query}`);
  workflow = await eventually(
    async () => {
      for await (const w of client.workflow.list({
        query: `${query} AND BptlProcessInstanceId = '${instanceId}'`,
      })) {
        return { workflowId: w.workflowId, runId: w.runId };
      }
      return undefined;
    },
    `a workflow with ${query}`,
    60_000,
  );
  say(`stuck: ${workflow.workflowId} (run ${workflow.runId})`);

  await mkdir(imagesDir, { recursive: true });
  // The list, with the BPTL search attributes as columns (the UI keeps its columns in localStorage).
  const columns = ['Status', 'Workflow ID', 'BptlState', 'BptlTopic', 'BptlBusinessKey', 'Start'];
  await screenshot({
    url: `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(listQuery)}`,
    file: path.join(imagesDir, 'stuck-task-list.png'),
    waitFor: [workflow.workflowId, TaskStates.CompletionRefused],
    setup: `localStorage.setItem('namespace-workflow-table-columns', ${JSON.stringify(
      JSON.stringify({ default: columns.map((label) => ({ label })) }),
    )})`,
    bottom: `Math.max(...[...document.querySelectorAll('tr')].map((r) => r.getBoundingClientRect().bottom)) + 16`,
  });
  // The workflow's page, on the tab with its current details (the UI asks the worker for them).
  await screenshot({
    url: `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflow.workflowId)}/${workflow.runId}/user-metadata`,
    file: path.join(imagesDir, 'stuck-task-workflow.png'),
    waitFor: [`${TaskStates.CompletionRefused} since`, 'Unknown property used in expression'],
    bottom: `Math.max(...[...document.querySelectorAll('iframe')].map((f) => f.getBoundingClientRect().bottom)) + 24`,
  });
} finally {
  say('cleaning up');
  await poller?.stop().catch((error: unknown) => log.warn('poller stop', { error: String(error) }));
  if (instanceId) {
    await camunda
      .delete(`/process-instance/${instanceId}`, { skipCustomListeners: true })
      .catch((error: unknown) => log.warn('delete instance', { error: String(error) }));
  }
  if (workflow) {
    // The instance is gone: told to try again, the workflow finds the task gone and ends (`abandoned`, state
    // `closed`), so the list query no longer finds it. Terminated only if it does not end by itself.
    const handle = client.workflow.getHandle(workflow.workflowId, workflow.runId);
    const ended = await handle
      .signal(taskFetchedAgainSignal, { workerId: `screenshot-${id}`, lockedAtMs: Date.now() })
      .then(() =>
        Promise.race([
          handle.result().then(() => true),
          new Promise<false>((resolve) => setTimeout(() => resolve(false), 30_000)),
        ]),
      )
      .catch(() => false);
    if (!ended) {
      await handle
        .terminate('screenshot taken (scripts/screenshot-stuck-task.ts)')
        .catch((error: unknown) => log.warn('terminate', { error: String(error) }));
    }
  }
  if (deploymentId) {
    await camunda
      .delete(`/deployment/${deploymentId}`, { cascade: true })
      .catch((error: unknown) => log.warn('delete deployment', { error: String(error) }));
  }
  worker?.shutdown();
  await running?.catch((error: unknown) => log.warn('worker', { error: String(error) }));
  await native.close();
  await connection.close();
}
