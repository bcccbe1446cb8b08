/**
 * The options and the counters of a poller (src/poller/poller.ts), apart from its code so that each of its parts
 * can name them.
 */
import type { Client } from '@temporalio/client';
import type { TopicConfig } from '../config/topic-config.ts';
import type { CamundaClient } from '../engine/camunda-client.ts';
import type { Logger } from '../logging/logger.ts';
import type { BptlMetrics } from '../observability/metrics.ts';
import type { StartRetryOptions } from './workflow-starter.ts';

export interface PollerOptions {
  /** The engine's name in the configuration. */
  engine: string;
  camunda: CamundaClient;
  temporal: Client;
  /** The topics of this engine; disabled ones are not fetched. */
  topics: TopicConfig[];
  /** The worker id tasks are locked for. Stable across restarts. */
  workerId: string;
  taskQueue: string;
  workUnitTaskQueue: string;
  /** At most this many tasks per fetch. @default 10 */
  maxTasks?: number;
  /**
   * Backpressure: at most this many fetched tasks whose workflow is not started yet. A fetch asks only for the
   * free capacity, so the poller never holds more locked tasks than it can start. @default 50
   */
  maxPendingStarts?: number;
  /**
   * Backpressure: at most this many of this poller's workflows running at once. A task fetched beyond what
   * the workers can take would wait in Temporal while its lock runs out; so the poller fetches only the free
   * capacity, and follows each workflow it started until it closes. @default 64
   */
  maxInFlight?: number;
  /**
   * Fewer, fuller fetches: while some of the poller's workflows run and fewer than half a fetch's worth of tasks
   * may be fetched, the next fetch waits up to this long for more capacity (CapacityTracker.waitForBatch). 0:
   * fetch whatever is free at once. @default 100
   */
  fetchLingerMs?: number;
  /** Long-poll time of one fetch. @default 20000 */
  asyncResponseTimeoutMs?: number;
  /**
   * Start workflows eagerly: the first workflow task comes back with the start call, to a worker in this
   * process. Needs a Client on the worker's NativeConnection (`bptl dev` shares one). @default false
   */
  eagerStart?: boolean;
  /** Transient start failures: tries, then the failure reported to the engine. Tests make it short. */
  startRetry?: StartRetryOptions;
  /**
   * A start still waiting after this long holds the next fetch back until it settles: Temporal is slow or silent
   * (a network that drops packets answers nothing until the call's deadline, 30 s), and the tasks are better off
   * waiting in the engine than locked for starts that cannot happen yet. @default 2000
   */
  slowStartMs?: number;
  /**
   * Asks whether Temporal answers, while fetching is paused after a start failed for a transient reason.
   * @default the client's `getSystemInfo` call
   */
  temporalProbe?: () => Promise<unknown>;
  logger?: Logger;
  /** Where the poller counts (observability/metrics.ts); none: nothing is counted. */
  metrics?: BptlMetrics;
}

/** Counters, for logs, tests and benchmarks. */
export interface PollerStats {
  fetches: number;
  fetchErrors: number;
  tasksFetched: number;
  workflowsStarted: number;
  /** Starts whose first workflow task came back with the start call (eagerStart, a free worker slot). */
  eagerStarts: number;
  startErrors: number;
  malformedTasks: number;
  /** Times fetching was paused because Temporal did not answer (a start failed for a transient reason). */
  temporalPauses: number;
  /** Times a fetch waited for more capacity (fewer, fuller fetches: `fetchLingerMs`). */
  batchWaits: number;
}
