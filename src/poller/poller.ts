/**
 * The poller of one engine: long-polls `fetchAndLock` for the configured topics and starts one external-task
 * workflow per locked task. It keeps no state of its own (Temporal holds it), so it can be killed at any time:
 * a task whose workflow was not started is offered again by Camunda when its lock expires, and a task that is
 * fetched again while its workflow runs reaches that workflow: a task that failed before (its `retries` is set,
 * e.g. an operator retried its incident) is started with signal-with-start, so the running workflow is told.
 *
 * Failures stay local and bounded, and none loops: an engine that is down is retried with back-off and jitter; a
 * task that does not parse is reported as failed in the engine (an incident). A workflow that cannot be started
 * is never unlocked (Camunda would offer it again at once, for ever): see workflow-starter.ts. Cockpit shows the
 * retries and the reason (see docs/operations.md, "When a workflow cannot be started"). After a transient start
 * error, and while a start has waited over `slowStartMs`, the poller fetches nothing until Temporal answers
 * again: an outage leaves the tasks waiting in the engine, unlocked and with their retries untouched, instead of
 * counting them down to incidents.
 *
 * This file is the loop (fetch, back-off, topic reload); its parts are the capacity tracker (capacity-tracker.ts),
 * the lock bookkeeping (lock-bookkeeping.ts), the workflow starter (workflow-starter.ts) and the Temporal gate
 * (temporal-gate.ts).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TopicConfig } from '../config/topic-config.ts';
import type { FetchedTask } from '../engine/camunda-client.ts';
import type { FetchTopic } from '../engine/external-task.ts';
import { ensureError } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { externalTaskWorkflowId } from '../workflows/external-task-input.ts';
import { Backoff, sleepUnlessAborted } from './backoff.ts';
import { CapacityTracker } from './capacity-tracker.ts';
import { LockBookkeeping } from './lock-bookkeeping.ts';
import type { PollerOptions, PollerStats } from './poller-options.ts';
import { TemporalGate } from './temporal-gate.ts';
import { WorkflowStarter } from './workflow-starter.ts';

export type { PollerOptions, PollerStats } from './poller-options.ts';

export class Poller {
  private readonly options: PollerOptions;
  private readonly log: Logger;
  private topics = new Map<string, TopicConfig>();
  private readonly abort = new AbortController();
  /** Aborted (and replaced) when the fetched topics change: the long poll in progress restarts with the new ones. */
  private reload = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly backoff = new Backoff();
  private readonly capacity: CapacityTracker;
  private readonly locks: LockBookkeeping;
  private readonly gate: TemporalGate;
  private readonly starter: WorkflowStarter;
  /** The free capacity worth a fetch of its own while the poller is busy: half of what one fetch may bring. */
  private readonly batch: number;
  readonly stats: PollerStats = {
    fetches: 0,
    fetchErrors: 0,
    tasksFetched: 0,
    workflowsStarted: 0,
    eagerStarts: 0,
    startErrors: 0,
    malformedTasks: 0,
    temporalPauses: 0,
    batchWaits: 0,
  };

  constructor(options: PollerOptions) {
    this.options = options;
    const log = options.logger ?? createLogger(`poller.${options.engine}`);
    this.log = log;
    this.capacity = new CapacityTracker({
      maxPendingStarts: options.maxPendingStarts ?? 50,
      maxInFlight: options.maxInFlight ?? 64,
      slowStartMs: options.slowStartMs ?? 2_000,
      log,
    });
    this.batch = Math.ceil(
      Math.min(options.maxTasks ?? 10, options.maxInFlight ?? 64, options.maxPendingStarts ?? 50) / 2,
    );
    this.locks = new LockBookkeeping(options.camunda, options.workerId, log);
    this.gate = new TemporalGate(
      options.temporalProbe ?? (() => options.temporal.workflowService.getSystemInfo({})),
      this.stats,
      log,
    );
    this.starter = new WorkflowStarter({
      engine: options.engine,
      workerId: options.workerId,
      taskQueue: options.taskQueue,
      workUnitTaskQueue: options.workUnitTaskQueue,
      ...(options.eagerStart ? { eagerStart: true } : {}),
      ...(options.startRetry ? { startRetry: options.startRetry } : {}),
      temporal: options.temporal,
      capacity: this.capacity,
      locks: this.locks,
      gate: this.gate,
      stats: this.stats,
      log,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    this.setTopics(options.topics);
  }

  /**
   * Replaces the topics (live reload). Settings that the fetch does not send (work unit, retries …) apply to the
   * next task fetched. When what the fetch asks for changed (a topic added, disabled, removed, or its filters or
   * lock duration changed), a long poll in progress is aborted and a new one starts at once with the new topics,
   * so the change reaches the engine within moments instead of after the long-poll time. The new request has the
   * same worker id, so an engine with `fetch-and-lock-unique-worker-request` drops the aborted one (see
   * docs/operations.md). Tasks already fetched, and their workflows, go on.
   */
  setTopics(topics: TopicConfig[]): void {
    const before = this.fetchKey();
    this.topics = new Map(topics.filter((t) => t.engine === this.options.engine).map((t) => [t.topic, t]));
    if (this.fetchKey() === before) return;
    if (this.loop) {
      this.log.info('topics changed', {
        topics: this.fetchTopics()
          .map((t) => t.topicName)
          .join(','),
      });
    }
    const reload = this.reload;
    this.reload = new AbortController();
    reload.abort();
  }

  /** The topics, in this poller's engine, that are fetched (enabled), in fetch-request form. */
  topicNames(): string[] {
    return this.fetchTopics().map((t) => t.topicName);
  }

  /** What the fetch request asks for, as a string to compare. */
  private fetchKey(): string {
    return JSON.stringify(this.fetchTopics().sort((a, b) => a.topicName.localeCompare(b.topicName)));
  }

  /** Starts the loop; returns at once. */
  start(): void {
    if (this.loop) return;
    this.log.info('polling', {
      url: this.options.camunda.baseUrl,
      workerId: this.options.workerId,
      topics: [...this.topics.keys()].join(','),
    });
    this.loop = this.releaseOrphans().then(() => this.run());
  }

  /** Stops: aborts the long poll and waits for the starts in flight. Idempotent. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private fetchTopics(): FetchTopic[] {
    return [...this.topics.values()]
      .filter((t) => t.enabled)
      .map((t) => ({
        topicName: t.topic,
        lockDuration: t.lockDurationMs,
        deserializeValues: false,
        localVariables: t.localVariables,
        // callbackUrl is always fetched: the workflow calls it after completing the task.
        ...(t.variables ? { variables: [...new Set([...t.variables, 'callbackUrl'])] } : {}),
        ...(t.processDefinitionKey ? { processDefinitionKey: t.processDefinitionKey } : {}),
        ...(t.businessKey ? { businessKey: t.businessKey } : {}),
        ...(t.tenantIdIn ? { tenantIdIn: t.tenantIdIn } : {}),
      }));
  }

  /**
   * One long poll, and the workflow starts of what it locked: resolves with the number of tasks fetched once
   * their starts have settled (each workflow started, or its task reported to the engine or given back). Throws
   * when the fetch fails. For a caller that fetches on cue, such as a one-off poll or a test; the loop does not
   * wait for its starts, it fetches again as soon as there is capacity.
   */
  async pollOnce(signal: AbortSignal = this.abort.signal): Promise<number> {
    const { starts } = await this.fetchAndStart(signal);
    await Promise.allSettled(starts);
    return starts.length;
  }

  /**
   * One long poll; returns the starts of the tasks it locked. Each is tracked by the capacity tracker, which the
   * loop waits on: it need not hold them itself.
   */
  private async fetchAndStart(signal: AbortSignal): Promise<{ starts: Array<Promise<void>> }> {
    const topics = this.fetchTopics();
    const capacity = this.capacity.free();
    if (topics.length === 0 || capacity === 0) return { starts: [] };
    this.stats.fetches++;
    const metrics = this.options.metrics;
    const engine = this.options.engine;
    const endTimer = metrics?.fetchDuration.startTimer({ engine });
    let fetched: FetchedTask[];
    try {
      fetched = await this.options.camunda.fetchAndLock(
        {
          workerId: this.options.workerId,
          maxTasks: Math.min(this.options.maxTasks ?? 10, capacity),
          usePriority: true,
          asyncResponseTimeout: this.options.asyncResponseTimeoutMs ?? 20_000,
          topics,
        },
        signal,
      );
    } catch (error) {
      // A long poll aborted by a stop or a topic change is not an engine error.
      if (!signal.aborted) metrics?.fetchErrors.inc({ engine });
      throw error;
    } finally {
      endTimer?.();
    }
    const lockedAtMs = Date.now();
    this.stats.tasksFetched += fetched.length;
    for (const entry of fetched) {
      if (entry.ok) metrics?.tasksFetched.inc({ engine, topic: entry.task.topicName });
    }
    // Starts run to the end even when stop() is called meanwhile: the tasks are locked already.
    return { starts: fetched.map((entry) => this.capacity.track(this.handle(entry, lockedAtMs))) };
  }

  /**
   * Aborted once stop() is called. The long poll and each wait of the loop listen to it; so can work that should
   * end with this poller.
   */
  get stopping(): AbortSignal {
    return this.abort.signal;
  }

  /** Workflows started by this poller that are still running. */
  get workflowsInFlight(): number {
    return this.capacity.workflowsInFlight;
  }

  /**
   * Unlocks tasks that are locked for this worker id but have no running workflow: after a long poll was
   * aborted (the engine may have locked a task for a request nobody reads any more), or after a crash.
   */
  async releaseOrphans(): Promise<number> {
    return this.locks.releaseOrphans((taskId) => this.hasRunningWorkflow(taskId));
  }

  private async hasRunningWorkflow(taskId: string): Promise<boolean> {
    try {
      const description = await this.options.temporal.workflow
        .getHandle(externalTaskWorkflowId(this.options.engine, taskId))
        .describe();
      return description.status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const reload = this.reload.signal;
      if (this.fetchTopics().length === 0) {
        await sleepUnlessAborted(1_000, AbortSignal.any([signal, reload]));
        continue;
      }
      if (this.capacity.free() === 0) {
        await this.capacity.waitForCapacity(signal);
        continue;
      }
      if (this.gate.closed) {
        await this.gate.waitUntilOpen(signal);
        continue;
      }
      if (await this.capacity.holdBackForSlowStarts(signal)) continue;
      // Then fetch whatever is free, however long it waited: waiting again could starve the fetches.
      await this.capacity.waitForBatch(this.batch, this.options.fetchLingerMs ?? 100, signal, () => {
        this.stats.batchWaits++;
      });
      try {
        await this.fetchAndStart(AbortSignal.any([signal, reload]));
        if (this.backoff.attempts > 0)
          this.log.info('the engine answers again', { url: this.options.camunda.baseUrl });
        this.backoff.reset();
      } catch (error) {
        if (signal.aborted) break;
        if (reload.aborted) continue; // the topics changed: poll again at once, with the new ones
        this.stats.fetchErrors++;
        const waitMs = this.backoff.next();
        this.log.warn('fetchAndLock failed; trying again', {
          url: this.options.camunda.baseUrl,
          error: ensureError(error),
          retryInMs: waitMs,
          attempt: this.backoff.attempts,
        });
        await sleepUnlessAborted(waitMs, signal);
      }
    }
    await this.capacity.settled();
    // The engine does not notice that we aborted the long poll: it may still lock a task for it, even a moment
    // after the cancel. Give such tasks back until a check finds none (bounded).
    await this.locks.cancelPendingPoll();
    const released = await this.locks.releaseOrphansUntilNone((taskId) => this.hasRunningWorkflow(taskId));
    this.log.info('stopped', { ...this.stats, released });
  }

  /** Sends a fetched task on: a malformed one is reported, one of a topic no longer fetched given back. */
  private async handle(entry: FetchedTask, lockedAtMs: number): Promise<void> {
    if (!entry.ok) {
      this.stats.malformedTasks++;
      this.log.error('the engine sent a task that does not parse', {
        taskId: entry.id,
        problem: entry.problem,
      });
      if (entry.id) await this.locks.reportMalformed(entry.id, entry.problem);
      return;
    }
    const task = entry.task;
    const topic = this.topics.get(task.topicName);
    if (!topic?.enabled) {
      // The topic was removed or disabled between the fetch and now: give the task back.
      await this.locks.unlock(task, topic ? 'its topic is disabled' : 'its topic is no longer configured');
      return;
    }
    await this.starter.start(task, topic, lockedAtMs);
  }
}
