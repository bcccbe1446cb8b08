#!/usr/bin/env node
/**
 * Makes the console's pictures in docs/screenshots/: the sign-in page, every page of the console's navigation
 * (src/console/layout.ts NAV, so a page added there is pictured too) and the detail of a failed task, each a
 * full-page PNG at 1280×860 (pngquant, if installed, makes them smaller).
 *
 * What it does: starts its own Temporal dev server (in memory) and Camunda engine, the way the integration
 * tests do (src/local/*), on ports of its own (BPTL_SCREENSHOTS_TEMPORAL_PORT 17633, _TEMPORAL_UI_PORT 18633,
 * _CAMUNDA_PORT 18280; its data in .data/screenshots, emptied at start), and in this process the API (on a fresh
 * in-memory store, with an admin token), a BPTL worker and a poller. Through the API it configures the engine
 * and two topics (`send-confirmation` → echo, `archive-invoice` → fail), which the audit log then shows; it
 * starts two instances that complete and one whose unit fails, waits until Temporal lists all three as closed,
 * signs in to the console in Chromium (test/support/browser.ts) as the admin, and takes the pictures. Then it
 * stops everything it started. Run: `npm run screenshots` (about a minute).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApp } from '../src/api/app.ts';
import { serveApi } from '../src/api/serve.ts';
import { createAesGcmCodec } from '../src/codec/aes-gcm-codec.ts';
import { CodecKey } from '../src/codec/codec-keys.ts';
import { codecDataConverter } from '../src/codec/data-converter.ts';
import type { ApiToken } from '../src/config/env.ts';
import { type TopicConfig, topicConfigSchema } from '../src/config/topic-config.ts';
import { NAV } from '../src/console/layout.ts';
import { CamundaClient } from '../src/engine/camunda-client.ts';
import { encodeVariables } from '../src/engine/variables.ts';
import { startCamundaEngine } from '../src/local/camunda-engine.ts';
import { waitForProcessEnd } from '../src/local/demo.ts';
import { startTemporalDevServer } from '../src/local/temporal-dev-server.ts';
import { createLogger } from '../src/logging/logger.ts';
import { Poller } from '../src/poller/poller.ts';
import { createConfigStore } from '../src/store/config-store.ts';
import { openPglite } from '../src/store/database.ts';
import { createSecretCipher } from '../src/store/secret-cipher.ts';
import { createRegistry } from '../src/work-units/registry.ts';
import { createBptlWorker } from '../src/worker/bptl-worker.ts';
import { externalTaskProcess } from '../test/support/bpmn.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { eventually } from '../test/support/eventually.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'docs', 'screenshots');
const dataDir = path.join(root, '.data', 'screenshots');
const port = (name: string, fallback: number) => Number(process.env[name] || fallback);
const ports = {
  temporal: port('BPTL_SCREENSHOTS_TEMPORAL_PORT', 17_633),
  temporalUi: port('BPTL_SCREENSHOTS_TEMPORAL_UI_PORT', 18_633),
  camunda: port('BPTL_SCREENSHOTS_CAMUNDA_PORT', 18_280),
};

const ENGINE = 'local';
const TOPICS = { echo: 'send-confirmation', fail: 'archive-invoice' } as const;
const ADMIN: ApiToken = { name: 'ops-admin', role: 'admin', token: randomBytes(24).toString('base64url') };

Runtime.install({ logger: new DefaultLogger('ERROR') });
const log = createLogger('screenshots', { level: 'warn' });
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Stops what was started, last first; a failing stop is logged and the others still run. */
const stops: Array<[string, () => Promise<unknown> | unknown]> = [];
async function stopAll() {
  for (const [what, stop] of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      log.warn(`stopping ${what} failed`, { error: String(error) });
    }
  }
}

/** Writes a PNG, through pngquant when it is installed. */
async function savePng(file: string, png: Buffer): Promise<void> {
  const raw = `${file}.raw.png`;
  await writeFile(raw, png);
  const quantized = await run('pngquant', ['--force', '--quality=60-90', '--output', file, raw]).then(
    () => true,
    () => false,
  );
  if (quantized) await rm(raw);
  else await rename(raw, file);
  say(`wrote ${path.relative(root, file)} (${Math.round((await stat(file)).size / 1024)} kB)`);
}

try {
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  await mkdir(outDir, { recursive: true });
  say(`starting Temporal (${ports.temporal}, UI ${ports.temporalUi}) and Camunda (${ports.camunda})`);
  const serverLog = createLogger('screenshots', { level: 'info' });
  const [temporal, engine] = await Promise.all([
    startTemporalDevServer({
      dataDir,
      port: ports.temporal,
      uiPort: ports.temporalUi,
      inMemory: true,
      log: serverLog,
    }),
    startCamundaEngine({ dataDir, port: ports.camunda, log: serverLog }),
  ]);
  stops.push(['Camunda', () => engine.stop()], ['Temporal', () => temporal.stop()]);

  const codecKeys = [new CodecKey('screenshots', randomBytes(32))];
  const dataConverter = codecDataConverter(codecKeys);
  const camunda = new CamundaClient({ baseUrl: engine.restUrl });
  const connection = await Connection.connect({ address: temporal.address });
  stops.push(['Temporal client', () => connection.close()]);
  const client = new Client({ connection, dataConverter });

  // The API on a fresh store; the engine and topics go in through it, so the audit log has their writes.
  const store = createConfigStore(await openPglite(), createSecretCipher(randomBytes(32)));
  stops.push(['store', () => store.close()]);
  const registry = createRegistry();
  const app = createApp({
    registry,
    store,
    tokens: [ADMIN],
    temporal: client,
    engines: { get: (name) => (name === ENGINE ? camunda : undefined) },
    links: {
      temporalUi: temporal.uiUrl,
      cockpit: (name) => (name === ENGINE ? engine.cockpitUrl : undefined),
    },
    codec: createAesGcmCodec(codecKeys),
    log: createLogger('api', { level: 'warn' }),
  });
  const api = await serveApi(app, { port: 0, hostname: '127.0.0.1' });
  stops.push(['API', () => api.close()]);
  const write = async (method: string, url: string, body: unknown) => {
    const res = await fetch(`${api.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  };
  await write('POST', '/engines', { name: ENGINE, url: engine.restUrl });
  await write('POST', '/topics', { engine: ENGINE, topic: TOPICS.echo, workUnit: 'echo' });
  await write('POST', '/topics', { engine: ENGINE, topic: TOPICS.fail, workUnit: 'fail' });

  say('deploying two processes, starting a worker and a poller');
  await camunda.deploy('order-confirmation', [
    {
      filename: 'order-confirmation.bpmn',
      content: externalTaskProcess({ key: 'order-confirmation', topic: TOPICS.echo }),
    },
  ]);
  await camunda.deploy('invoice-archive', [
    {
      filename: 'invoice-archive.bpmn',
      content: externalTaskProcess({ key: 'invoice-archive', topic: TOPICS.fail }),
    },
  ]);
  const taskQueue = 'bptl-screenshots';
  const workUnitTaskQueue = `${taskQueue}-work-units`;
  const native = await NativeConnection.connect({ address: temporal.address });
  stops.push(['worker connection', () => native.close()]);
  const worker = await createBptlWorker({
    connection: native,
    namespace: 'default',
    taskQueue,
    workUnitTaskQueue,
    engines: new Map([[ENGINE, camunda]]),
    registry,
    logger: log,
    shutdownGraceTimeMs: 1_000,
    dataConverter,
  });
  const running = worker.run();
  stops.push([
    'worker',
    async () => {
      worker.shutdown();
      await running;
    },
  ]);
  const topic = (name: string, workUnit: string): TopicConfig =>
    ({ ...topicConfigSchema.parse({ topic: name, workUnit }), engine: ENGINE }) as TopicConfig;
  const poller = new Poller({
    engine: ENGINE,
    camunda,
    temporal: client,
    topics: [topic(TOPICS.echo, 'echo'), topic(TOPICS.fail, 'fail')],
    workerId: 'bptl-screenshots',
    taskQueue,
    workUnitTaskQueue,
    asyncResponseTimeoutMs: 2_000,
    logger: log,
  });
  poller.start();
  stops.push(['poller', () => poller.stop()]);

  const completed = [
    await camunda.startProcess('order-confirmation', {
      businessKey: 'order-1001',
      variables: encodeVariables({ orderId: 'A-1001', customer: 'Ada Lovelace', amount: 149.9 }),
    }),
    await camunda.startProcess('order-confirmation', {
      businessKey: 'order-1002',
      variables: encodeVariables({ orderId: 'A-1002', customer: 'Grace Hopper', amount: 72 }),
    }),
  ];
  const failing = await camunda.startProcess('invoice-archive', {
    businessKey: 'invoice-2024-117',
    variables: encodeVariables({
      invoiceId: 'R-2024-117',
      failMessage: 'the archive refused the invoice: quota exceeded',
    }),
  });
  for (const instance of completed) await waitForProcessEnd(camunda, instance.id);
  say('waiting until Temporal lists the three tasks as closed');
  const failed = await eventually(
    async () => {
      let closed = 0;
      for await (const _ of client.workflow.list({ query: "ExecutionStatus != 'Running'" })) closed++;
      if (closed < 3) return undefined;
      for await (const w of client.workflow.list({ query: `BptlProcessInstanceId = '${failing.id}'` })) {
        return { workflowId: w.workflowId, runId: w.runId };
      }
      return undefined;
    },
    'three closed workflows',
    90_000,
  );

  const browser = await launchBrowser();
  stops.push(['Chromium', () => browser.close()]);
  const context = await browser.newContext();
  const page = await context.newPage();
  const shoot = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await savePng(path.join(outDir, `${name}.png`), await page.screenshot({ fullPage: true }));
  };
  await page.goto(`${api.url}/console/login`);
  await page.waitForSelector('#token');
  await shoot('sign-in');
  await page.fill('#token', ADMIN.token);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/console\/overview/);
  for (const item of NAV) {
    const response = await page.goto(`${api.url}${item.path}`);
    if (!response?.ok()) throw new Error(`${item.path} answered ${response?.status()}`);
    await shoot(item.path.split('/').pop() ?? item.label);
  }
  const detail = await page.goto(
    `${api.url}/console/tasks/${encodeURIComponent(failed.workflowId)}?runId=${encodeURIComponent(failed.runId)}`,
  );
  if (!detail?.ok()) throw new Error(`the failed task's detail answered ${detail?.status()}`);
  await page.getByText('the archive refused the invoice').first().waitFor();
  await shoot('task-detail-failed');
} finally {
  say('stopping');
  await stopAll();
}
