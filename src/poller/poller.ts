/**
 * The poller of one engine: long-polls `fetchAndLock` for the configured topics and starts one external-task
 * workflow per locked task. It keeps no state of its own (Temporal holds it), so it can be killed at any time:
 * a task whose workflow was not started is offered again by Camunda when its lock expires, and a task that is
 * fetched twice joins its running workflow.
 *
 * Failures stay local: an engine that is down is retried with back-off and jitter; a task that does not parse
 * is reported as failed in the engine; a workflow that cannot be started has its task unlocked.
 */
import type { Client } from '@temporalio/client';
import type { TopicConfig } from '../config/topic-config.ts';
import type { CamundaClient, FetchedTask } from '../engine/camunda-client.ts';
import type { FetchTopic, LockedExternalTask } from '../engine/external-task.ts';
import { ensureError } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { externalTask } from '../workflows/external-task-workflow.ts';
import { Backoff, sleepUnlessAborted } from './backoff.ts';
import { workflowStartOptions } from './task-to-workflow.ts';

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
  /** Long-poll time of one fetch. @default 20000 */
  asyncResponseTimeoutMs?: number;
  logger?: Logger;
}

/** Counters, for logs, tests and benchmarks. */
export interface PollerStats {
  fetches: number;
  fetchErrors: number;
  tasksFetched: number;
  workflowsStarted: number;
  startErrors: number;
  malformedTasks: number;
}

export class Poller {
  private readonly options: PollerOptions;
  private readonly log: Logger;
  private topics = new Map<string, TopicConfig>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly backoff = new Backoff();
  readonly stats: PollerStats = {
    fetches: 0,
    fetchErrors: 0,
    tasksFetched: 0,
    workflowsStarted: 0,
    startErrors: 0,
    malformedTasks: 0,
  };

  constructor(options: PollerOptions) {
    this.options = options;
    this.log = options.logger ?? createLogger(`poller.${options.engine}`);
    this.setTopics(options.topics);
  }

  /** Replaces the topics; takes effect at the next fetch. */
  setTopics(topics: TopicConfig[]): void {
    this.topics = new Map(topics.filter((t) => t.engine === this.options.engine).map((t) => [t.topic, t]));
  }

  /** Starts the loop; returns at once. */
  start(): void {
    if (this.loop) return;
    this.log.info('polling', {
      url: this.options.camunda.baseUrl,
      workerId: this.options.workerId,
      topics: [...this.topics.keys()].join(','),
    });
    this.loop = this.run();
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
        ...(t.variables ? { variables: t.variables } : {}),
        ...(t.processDefinitionKey ? { processDefinitionKey: t.processDefinitionKey } : {}),
        ...(t.businessKey ? { businessKey: t.businessKey } : {}),
        ...(t.tenantIdIn ? { tenantIdIn: t.tenantIdIn } : {}),
      }));
  }

  /**
   * One long poll, and the workflow starts of what it locked. Returns the number of tasks fetched; throws
   * when the fetch fails. The loop calls it; tests call it to fetch on cue.
   */
  async pollOnce(signal: AbortSignal = this.abort.signal): Promise<number> {
    const topics = this.fetchTopics();
    if (topics.length === 0) return 0;
    this.stats.fetches++;
    const fetched = await this.options.camunda.fetchAndLock(
      {
        workerId: this.options.workerId,
        maxTasks: this.options.maxTasks ?? 10,
        usePriority: true,
        asyncResponseTimeout: this.options.asyncResponseTimeoutMs ?? 20_000,
        topics,
      },
      signal,
    );
    this.stats.tasksFetched += fetched.length;
    // Starts run to the end even when stop() is called meanwhile: the tasks are locked already.
    await Promise.all(fetched.map((entry) => this.handle(entry)));
    return fetched.length;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.fetchTopics().length === 0) {
        await sleepUnlessAborted(1_000, signal);
        continue;
      }
      try {
        await this.pollOnce(signal);
        if (this.backoff.attempts > 0)
          this.log.info('the engine answers again', { url: this.options.camunda.baseUrl });
        this.backoff.reset();
      } catch (error) {
        if (signal.aborted) break;
        this.stats.fetchErrors++;
        const waitMs = this.backoff.next();
        this.log.warn('fetchAndLock failed; trying again', {
          url: this.options.camunda.baseUrl,
          error: ensureError(error).message,
          retryInMs: waitMs,
          attempt: this.backoff.attempts,
        });
        await sleepUnlessAborted(waitMs, signal);
      }
    }
    this.log.info('stopped', { ...this.stats });
  }

  private async handle(entry: FetchedTask): Promise<void> {
    if (!entry.ok) {
      this.stats.malformedTasks++;
      this.log.error('the engine sent a task that does not parse', {
        taskId: entry.id,
        problem: entry.problem,
      });
      if (entry.id) await this.reportMalformed(entry.id, entry.problem);
      return;
    }
    const task = entry.task;
    const topic = this.topics.get(task.topicName);
    if (!topic) {
      // The topic was removed between the fetch and now: give the task back.
      await this.unlock(task, 'its topic is no longer configured');
      return;
    }
    await this.startWorkflow(task, topic);
  }

  private async startWorkflow(task: LockedExternalTask, topic: TopicConfig): Promise<void> {
    const options = workflowStartOptions(task, topic, {
      engine: this.options.engine,
      workerId: this.options.workerId,
      taskQueue: this.options.taskQueue,
      workUnitTaskQueue: this.options.workUnitTaskQueue,
    });
    const backoff = new Backoff({ initialMs: 250, maxMs: 4_000 });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.temporal.workflow.start(externalTask, options);
        this.stats.workflowsStarted++;
        this.log.debug('workflow started', { workflowId: options.workflowId, topic: task.topicName });
        return;
      } catch (error) {
        this.stats.startErrors++;
        const message = ensureError(error).message;
        if (attempt >= 5) {
          this.log.error('cannot start the workflow; unlocking the task so it is offered again', {
            workflowId: options.workflowId,
            error: message,
          });
          await this.unlock(task, 'the workflow could not be started');
          return;
        }
        this.log.warn('starting the workflow failed; trying again', {
          workflowId: options.workflowId,
          error: message,
        });
        await new Promise((resolve) => setTimeout(resolve, backoff.next()));
      }
    }
  }

  private async unlock(task: LockedExternalTask, why: string): Promise<void> {
    try {
      await this.options.camunda.unlock(task.id);
      this.log.warn('task unlocked', { taskId: task.id, topic: task.topicName, why });
    } catch (error) {
      this.log.error('cannot unlock the task; it is offered again when its lock expires', {
        taskId: task.id,
        why,
        error: ensureError(error).message,
      });
    }
  }

  private async reportMalformed(taskId: string, problem: string): Promise<void> {
    try {
      await this.options.camunda.failure(taskId, {
        workerId: this.options.workerId,
        errorMessage: `BPTL cannot read this task: ${problem}`.slice(0, 666),
        errorDetails: problem,
        retries: 0,
        retryTimeout: 0,
      });
    } catch (error) {
      this.log.error('cannot report the malformed task', { taskId, error: ensureError(error).message });
    }
  }
}
