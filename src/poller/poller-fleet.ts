/**
 * The pollers of one process: one Poller per engine, kept in line with the configuration. `apply` takes a new
 * configuration (engines and topics, from the file or the configuration store) and starts a poller for a new
 * engine, stops the poller of a removed engine, replaces the poller of an engine whose URL, credentials or worker
 * id changed, and hands every other poller its new topics (which restarts its long poll when what it fetches
 * changed; see Poller.setTopics).
 */
import type { Client } from '@temporalio/client';
import { type Execution, effectiveExecution, type TopicConfig } from '../config/topic-config.ts';
import { CamundaClient } from '../engine/camunda-client.ts';
import { engineKey } from '../engine/engine-clients.ts';
import { ensureError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { BptlMetrics } from '../observability/metrics.ts';
import type { ResolvedEngine } from '../store/schemas.ts';
import { Poller } from './poller.ts';

export interface PollerFleetOptions {
  temporal: Client;
  /** BPTL_WORKER_ID; an engine's `workerIdPrefix` is put in front of it (`<prefix>-<BPTL_WORKER_ID>`). */
  workerId: string;
  taskQueue: string;
  workUnitTaskQueue: string;
  maxTasks: number;
  /** At most this many of a poller's workflows running at once. @default 64 */
  maxInFlight?: number;
  asyncResponseTimeoutMs: number;
  /** See PollerOptions.fetchLingerMs. @default 100 */
  fetchLingerMs?: number;
  /** Start workflows eagerly (the client is on a worker's NativeConnection in this process). */
  eagerStart?: boolean;
  logger: Logger;
  /** Work units this process knows: a topic naming another one is not fetched (logged once per change). */
  workUnitNames?: ReadonlySet<string>;
  /**
   * A work unit's own execution, for topics that name none (WorkUnit.execution). @default none: such topics run
   * their unit as an activity
   */
  unitExecution?: (workUnit: string) => Execution | undefined;
  /** An engine's client: the process's EngineClientRegistry. @default a CamundaClient with the engine's URL and auth */
  createClient?: (engine: ResolvedEngine) => CamundaClient;
  /** Where the pollers count (observability/metrics.ts). @default none */
  metrics?: BptlMetrics;
}

/** The configuration the fleet follows: what ConfigStore.snapshot() and the configuration file give. */
export interface FleetConfig {
  engines: ReadonlyArray<ResolvedEngine>;
  topics: ReadonlyArray<TopicConfig>;
}

interface Entry {
  poller: Poller;
  /** URL, auth and worker id: when it changes, the poller is replaced. */
  key: string;
}

/**
 * A topic as its poller fetches and starts it: with the execution it names, else its work unit's own
 * (effectiveExecution), so that the workflow's input always says where the unit runs.
 */
export function withExecution(
  topic: TopicConfig,
  unitExecution: ((workUnit: string) => Execution | undefined) | undefined,
): TopicConfig {
  if (topic.execution) return topic;
  const own = unitExecution?.(topic.workUnit);
  return { ...topic, execution: effectiveExecution(topic, own ? { execution: own } : undefined) };
}

export class PollerFleet {
  private readonly options: PollerFleetOptions;
  private readonly entries = new Map<string, Entry>();
  /** apply() calls run one after the other. */
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: PollerFleetOptions) {
    this.options = options;
  }

  /** The running pollers by engine name. */
  get pollers(): ReadonlyMap<string, Poller> {
    return new Map([...this.entries].map(([name, entry]) => [name, entry.poller]));
  }

  /** The worker id tasks of `engine` are locked with. */
  workerIdOf(engine: Pick<ResolvedEngine, 'workerIdPrefix'>): string {
    return engine.workerIdPrefix
      ? `${engine.workerIdPrefix}-${this.options.workerId}`
      : this.options.workerId;
  }

  /** Brings the pollers in line with `config`. Calls are serialised; resolves when this one is done. */
  apply(config: FleetConfig): Promise<void> {
    const next = this.queue.then(() => this.applyNow(config));
    this.queue = next.catch(() => {});
    return next;
  }

  private async applyNow(config: FleetConfig): Promise<void> {
    if (this.stopped) return;
    const log = this.options.logger;
    const known = this.options.workUnitNames;
    const unitExecution = this.options.unitExecution;
    const topics = config.topics
      .filter((topic) => {
        if (!known || known.has(topic.workUnit)) return true;
        if (topic.enabled) {
          log.warn('topic not fetched: this process does not know its work unit', {
            engine: topic.engine,
            topic: topic.topic,
            workUnit: topic.workUnit,
          });
        }
        return false;
      })
      .map((topic) => withExecution(topic, unitExecution));
    const wanted = new Map(config.engines.map((engine) => [engine.name, engine]));
    const stops: Array<Promise<void>> = [];
    for (const [name, entry] of this.entries) {
      const engine = wanted.get(name);
      if (engine && this.keyOf(engine) === entry.key) continue;
      this.entries.delete(name);
      log.info(engine ? 'engine changed: restarting its poller' : 'engine removed: stopping its poller', {
        engine: name,
      });
      stops.push(entry.poller.stop().catch((error) => log.error(ensureError(error).message)));
    }
    // The old poller of a changed engine stops (and releases its orphans) before the new one starts.
    await Promise.all(stops);
    for (const engine of config.engines) {
      const entry = this.entries.get(engine.name);
      if (entry) {
        entry.poller.setTopics([...topics]);
        continue;
      }
      const poller = new Poller({
        engine: engine.name,
        camunda:
          this.options.createClient?.(engine) ??
          new CamundaClient({ baseUrl: engine.url, auth: engine.auth }),
        temporal: this.options.temporal,
        topics: [...topics],
        workerId: this.workerIdOf(engine),
        taskQueue: this.options.taskQueue,
        workUnitTaskQueue: this.options.workUnitTaskQueue,
        maxTasks: this.options.maxTasks,
        ...(this.options.maxInFlight !== undefined ? { maxInFlight: this.options.maxInFlight } : {}),
        ...(this.options.fetchLingerMs !== undefined ? { fetchLingerMs: this.options.fetchLingerMs } : {}),
        asyncResponseTimeoutMs: this.options.asyncResponseTimeoutMs,
        ...(this.options.eagerStart ? { eagerStart: true } : {}),
        logger: log.child(engine.name),
        ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
      });
      this.entries.set(engine.name, { poller, key: this.keyOf(engine) });
      poller.start();
    }
  }

  /** Stops every poller (each aborts its long poll and lets its starts in flight finish). Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(entries.map((entry) => entry.poller.stop()));
  }

  private keyOf(engine: ResolvedEngine): string {
    return JSON.stringify([engineKey(engine), this.workerIdOf(engine)]);
  }
}
