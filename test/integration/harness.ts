/**
 * Test harness for integration tests: a real Camunda engine and a real Temporal server (started by the
 * global set-up), and for each test file its own task queues, topics, worker id and BPTL worker.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import { createAesGcmCodec } from '../../src/codec/aes-gcm-codec.ts';
import { parseCodecKeys } from '../../src/codec/codec-keys.ts';
import { codecDataConverter } from '../../src/codec/data-converter.ts';
import { type TopicConfig, topicConfigSchema } from '../../src/config/topic-config.ts';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
import type { OutboundPolicy } from '../../src/http/outbound-policy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { Poller } from '../../src/poller/poller.ts';
import type { AnyWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { createRegistry } from '../../src/work-units/registry.ts';
import type { ServiceResolver } from '../../src/work-units/service-clients.ts';
import { type BptlWorker, createBptlWorker } from '../../src/worker/bptl-worker.ts';
import { type ExternalTaskProcess, externalTaskProcess } from '../support/bpmn.ts';
import { type BptlChild, spawnBptl, writeConfigFile } from '../support/processes.ts';

export { eventually } from '../support/eventually.ts';

export const ENGINE = 'test';

/**
 * The payload codec keys of the integration tests (fixed, published: test data only). Set in process.env, so
 * that the `bptl` children these tests spawn encrypt and decrypt with the same keys as the harness.
 */
export const TEST_CODEC_KEYS = 'test-1:QlBUTCBpbnRlZ3JhdGlvbiB0ZXN0IGNvZGVjIGtleSE=';
process.env.BPTL_CODEC_KEYS ??= TEST_CODEC_KEYS;
const codecKeys = (() => {
  const parsed = parseCodecKeys(process.env.BPTL_CODEC_KEYS);
  if ('error' in parsed) throw new Error(`BPTL_CODEC_KEYS: ${parsed.error}`);
  return parsed.keys;
})();
/** BPTL's payload codec with the test keys (for a test API's codec server). */
export const testCodec = () => createAesGcmCodec(codecKeys);
/** The data converter of the harness's clients and workers: BPTL's codec with the test keys. */
export const testDataConverter = () => codecDataConverter(codecKeys);

try {
  Runtime.install({ logger: new DefaultLogger(process.env.LOG_LEVEL === 'debug' ? 'INFO' : 'ERROR') });
} catch {
  // installed already in this process
}

export interface Harness {
  readonly id: string;
  readonly camunda: CamundaClient;
  readonly client: Client;
  readonly workerId: string;
  readonly taskQueue: string;
  readonly workUnitTaskQueue: string;
  /** A topic name unique to this harness. */
  topicName(suffix: string): string;
  topicConfig(topic: string, workUnit: string, overrides?: Partial<TopicConfig>): TopicConfig;
  deploy(process: ExternalTaskProcess): Promise<void>;
  /**
   * Starts a BPTL worker with the built-in units plus `units`; `services` resolves the topics' service bindings,
   * `outboundPolicy` replaces the default one (which refuses loopback servers).
   */
  startWorker(
    units?: AnyWorkUnit[],
    options?: { services?: ServiceResolver; outboundPolicy?: OutboundPolicy },
  ): Promise<void>;
  createPoller(
    topics: TopicConfig[],
    options?: { maxTasks?: number; maxInFlight?: number; asyncResponseTimeoutMs?: number },
  ): Poller;
  close(): Promise<void>;
}

export async function createHarness(
  name: string,
  /** camundaUrl: another engine than the global set-up's (a test that stops and restarts its own). */
  options: { camundaUrl?: string } = {},
): Promise<Harness> {
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  const address = inject('temporalAddress');
  const camunda = new CamundaClient({ baseUrl: options.camundaUrl ?? inject('camundaUrl') });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter: testDataConverter() });
  const log = createLogger(`test.${name}`, { level: (process.env.LOG_LEVEL as 'info') ?? 'warn' });
  const workers: Array<{ worker: BptlWorker; running: Promise<void>; connection: NativeConnection }> = [];
  const pollers: Poller[] = [];
  const harness: Harness = {
    id,
    camunda,
    client,
    workerId: `worker-${id}`,
    taskQueue: `bptl-${id}`,
    workUnitTaskQueue: `bptl-${id}-work-units`,
    topicName: (suffix) => `${id}-${suffix}`,
    topicConfig: (topic, workUnit, overrides = {}) =>
      ({ ...topicConfigSchema.parse({ topic, workUnit, engine: ENGINE }), ...overrides }) as TopicConfig,
    async deploy(process) {
      await camunda.deploy(process.key, [
        { filename: `${process.key}.bpmn`, content: externalTaskProcess(process) },
      ]);
    },
    async startWorker(units = [], options = {}) {
      const native = await NativeConnection.connect({ address });
      const worker = await createBptlWorker({
        connection: native,
        namespace: 'default',
        taskQueue: harness.taskQueue,
        workUnitTaskQueue: harness.workUnitTaskQueue,
        engines: new Map([[ENGINE, camunda]]),
        registry: createRegistry(units),
        logger: log,
        workflowBundle: { codePath: inject('workflowBundlePath') },
        shutdownGraceTimeMs: 1_000,
        dataConverter: testDataConverter(),
        ...(options.services ? { services: options.services } : {}),
        ...(options.outboundPolicy ? { outboundPolicy: options.outboundPolicy } : {}),
      });
      workers.push({ worker, running: worker.run(), connection: native });
    },
    createPoller(topics, options = {}) {
      const poller = new Poller({
        engine: ENGINE,
        camunda,
        temporal: client,
        topics,
        workerId: harness.workerId,
        taskQueue: harness.taskQueue,
        workUnitTaskQueue: harness.workUnitTaskQueue,
        maxTasks: options.maxTasks ?? 10,
        ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
        asyncResponseTimeoutMs: options.asyncResponseTimeoutMs ?? 2_000,
        logger: log,
      });
      pollers.push(poller);
      return poller;
    },
    async close() {
      await Promise.allSettled(pollers.map((p) => p.stop()));
      for (const w of workers) w.worker.shutdown();
      await Promise.allSettled(workers.map((w) => w.running));
      await Promise.allSettled(workers.map((w) => w.connection.close()));
      await connection.close();
    },
  };
  return harness;
}

/**
 * The harness of a test file, for its file-scoped fixture: made at the first test that asks for it, closed when
 * the file's tests are done (`onCleanup` is the fixture's).
 */
export async function fileHarness(
  name: string,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<Harness> {
  const h = await createHarness(name);
  onCleanup(() => h.close());
  return h;
}

/**
 * `bptl worker` child processes of a harness (the tests that kill a worker mid-unit): each call of `start()`
 * spawns one on the harness's task queues; `killAll()` ends those still running. Their configuration is a file
 * naming the engine and the topic, or (`{ store: env }`) the configuration store that `env` names (DATABASE_URL,
 * BPTL_SECRET_KEY, …, on top of ours): then engines, services and credentials are the store's, as the test's
 * API wrote them.
 */
export async function workerProcesses(
  h: Harness,
  source: ({ topic: string; workUnit: string } & Partial<TopicConfig>) | { store: NodeJS.ProcessEnv },
): Promise<{ start(): BptlChild; killAll(): Promise<void> }> {
  const configFile =
    'store' in source
      ? undefined
      : await writeConfigFile({ engines: [{ name: ENGINE, url: inject('camundaUrl') }], topics: [source] });
  const storeEnv = 'store' in source ? source.store : {};
  const children: BptlChild[] = [];
  return {
    start() {
      const child = spawnBptl('worker', configFile, {
        ...storeEnv,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        BPTL_TASK_QUEUE: h.taskQueue,
        BPTL_WORK_UNIT_TASK_QUEUE: h.workUnitTaskQueue,
        LOG_LEVEL: 'warn',
      });
      children.push(child);
      return child;
    },
    async killAll() {
      await Promise.allSettled(children.map((c) => c.kill()));
    },
  };
}
