/**
 * The poller of one engine: long-polls `fetchAndLock` for the configured topics and starts one external-task
 * workflow per locked task. It keeps no state of its own (Temporal holds it), so it can be killed at any time:
 * a task whose workflow was not started is offered again by Camunda when its lock expires, and a task that is
 * fetched again while its workflow runs reaches that workflow: a task that failed before (its `retries` is set,
 * e.g. an operator retried its incident) is started with signal-with-start, so the running workflow is told.
 *
 * Failures stay local and bounded, and none loops: an engine that is down is retried with back-off and jitter; a
 * task that does not parse is reported as failed in the engine (an incident). A workflow that cannot be started
 * is never unlocked (Camunda would offer it again at once, for ever): a start that cannot succeed (the input is
 * larger than Temporal accepts, an invalid argument) is reported at once with `retries: 0`, an incident; a
 * transient error (Temporal unreachable) is tried a few times, then reported as a failure with Camunda retries
 * left and a retry timeout, so the engine offers the task again later and raises an incident after the last.
 * Cockpit shows the retries and the reason (see docs/operations.md, "When a workflow cannot be started"). After
 * a transient start error, and while a start has waited over `slowStartMs`, the poller fetches nothing until
 * Temporal answers again: an outage leaves the tasks waiting in the engine, unlocked and with their retries
 * untouched, instead of counting them down to incidents.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { TopicConfig } from '../config/topic-config.ts';
import type { CamundaClient, FetchedTask } from '../engine/camunda-client.ts';
import { truncateErrorMessage } from '../engine/error-message.ts';
import type { FetchTopic, LockedExternalTask } from '../engine/external-task.ts';
import { ensureError } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { externalTaskWorkflowId } from '../workflows/external-task-input.ts';
import { externalTask } from '../workflows/external-task-workflow.ts';
import { Backoff, sleepUnlessAborted } from './backoff.ts';
import {
  classifyStartError,
  deterministicStartMessage,
  startErrorDetails,
  transientStartMessage,
} from './start-error.ts';
import { workflowStart } from './task-to-workflow.ts';

/** Tries of one workflow start that fails for a transient reason, 250 ms to 4 s apart. */
export const START_ATTEMPTS = 5;
/**
 * The Camunda retries of a task whose workflow could not be started (transient), when the task has none yet:
 * the failure reports this many minus one, so with 3 Camunda offers the task twice more, and the third failure is
 * an incident. A task that has retries (it failed before) counts down from its own.
 */
export const START_FAILURE_CAMUNDA_RETRIES = 3;
/** How long Camunda waits before it offers again a task whose workflow could not be started. */
export const START_FAILURE_RETRY_TIMEOUT_MS = 60_000;

/** What the poller does when a workflow start fails for a transient reason. */
export interface StartRetryOptions {
  /** Tries of one start before the failure is reported to the engine. @default 5 (START_ATTEMPTS) */
  attempts?: number;
  /** Camunda retries of a task that has none yet. @default 3 (START_FAILURE_CAMUNDA_RETRIES) */
  camundaRetries?: number;
  /** Camunda's wait before it offers the task again, in ms. @default 60000 (START_FAILURE_RETRY_TIMEOUT_MS) */
  retryTimeoutMs?: number;
}

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
}

export class Poller {
  private readonly options: PollerOptions;
  private readonly log: Logger;
  private topics = new Map<string, TopicConfig>();
  private readonly abort = new AbortController();
  /** Aborted (and replaced) when the fetched topics change: the long poll in progress restarts with the new ones. */
  private reload = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly backoff = new Backoff();
  /** Workflows this poller started that have not closed yet, by workflow id. */
  private readonly inFlight = new Set<string>();
  /** Resolved when capacity frees up. */
  private capacityFreed: () => void = () => {};
  /** Starts in flight (fetched, not yet started). */
  private readonly pending = new Set<Promise<void>>();
  /** When each pending start began. */
  private readonly pendingSince = new Map<Promise<void>, number>();
  /** Set while fetching is held back by a slow start (logged once per episode). */
  private heldBackSince: number | undefined;
  readonly stats: PollerStats = {
    fetches: 0,
    fetchErrors: 0,
    tasksFetched: 0,
    workflowsStarted: 0,
    eagerStarts: 0,
    startErrors: 0,
    malformedTasks: 0,
    temporalPauses: 0,
  };
  /** Set when a start failed for a transient reason: no fetch until Temporal answers again. */
  private temporalUnreachable: { since: number; reason: string } | undefined;

  constructor(options: PollerOptions) {
    this.options = options;
    this.log = options.logger ?? createLogger(`poller.${options.engine}`);
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
   * One long poll, and the workflow starts of what it locked. Returns the number of tasks fetched; throws
   * when the fetch fails. The loop calls it; tests call it to fetch on cue.
   */
  async pollOnce(signal: AbortSignal = this.abort.signal): Promise<number> {
    const topics = this.fetchTopics();
    const capacity = this.capacity();
    if (topics.length === 0 || capacity === 0) return 0;
    this.stats.fetches++;
    const fetched = await this.options.camunda.fetchAndLock(
      {
        workerId: this.options.workerId,
        maxTasks: Math.min(this.options.maxTasks ?? 10, capacity),
        usePriority: true,
        asyncResponseTimeout: this.options.asyncResponseTimeoutMs ?? 20_000,
        topics,
      },
      signal,
    );
    const lockedAtMs = Date.now();
    this.stats.tasksFetched += fetched.length;
    // Starts run to the end even when stop() is called meanwhile: the tasks are locked already.
    const starts = fetched.map((entry) => this.track(this.handle(entry, lockedAtMs)));
    if (this.loop === undefined) await Promise.all(starts); // called on its own (tests): wait for the starts
    return fetched.length;
  }

  /** How many more tasks may be fetched now. */
  private capacity(): number {
    const starts = (this.options.maxPendingStarts ?? 50) - this.pending.size;
    const running = (this.options.maxInFlight ?? 64) - this.inFlight.size - this.pending.size;
    return Math.max(0, Math.min(starts, running));
  }

  /**
   * Counts a started workflow against the capacity until it closes (whatever its outcome), following its chain
   * of runs: a workflow that continued as new still counts. Any rejection (a failed workflow, a lost connection)
   * frees the capacity too.
   */
  private follow(workflowId: string, runId: string): void {
    if (this.inFlight.has(workflowId)) return; // a task fetched again joins its running workflow
    this.inFlight.add(workflowId);
    const done = () => {
      this.inFlight.delete(workflowId);
      this.capacityFreed();
    };
    this.options.temporal.workflow.result(workflowId, runId, { followRuns: true }).then(done, done);
  }

  /** Workflows started by this poller that are still running. */
  get workflowsInFlight(): number {
    return this.inFlight.size;
  }

  private track(start: Promise<void>): Promise<void> {
    this.pending.add(start);
    this.pendingSince.set(start, Date.now());
    const done = () => {
      this.pending.delete(start);
      this.pendingSince.delete(start);
      this.capacityFreed();
    };
    start.then(done, done);
    return start;
  }

  /** Waits until a start or a workflow has finished, or the signal aborts. */
  private async waitForCapacity(signal: AbortSignal): Promise<void> {
    let onAbort = () => {};
    await new Promise<void>((resolve) => {
      this.capacityFreed = resolve;
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    // The signal lives as long as the poller: a listener left on it per wait would pile up (one per task).
    signal.removeEventListener('abort', onAbort);
    this.capacityFreed = () => {};
  }

  /**
   * Unlocks tasks that are locked for this worker id but have no running workflow: after a long poll was
   * aborted (the engine may have locked a task for a request nobody reads any more), or after a crash.
   */
  async releaseOrphans(): Promise<number> {
    let released = 0;
    try {
      const locked = await this.options.camunda.lockedTasks(this.options.workerId);
      for (const task of locked) {
        if (await this.hasRunningWorkflow(task.id)) continue;
        await this.unlock(task, 'it was locked for this poller but has no running workflow');
        released++;
      }
    } catch (error) {
      this.log.warn('cannot check for orphaned locks', { error: ensureError(error) });
    }
    return released;
  }

  /**
   * Cancels the engine's side of an aborted long poll: with `fetch-and-lock-unique-worker-request` (set in the
   * local engine; recommended for any engine BPTL polls), a new request of the same worker id — here one that
   * asks for nothing and waits 1 ms — makes the engine drop the pending one. Without that setting it is a no-op,
   * and a task the dropped poll locks waits for its lock to expire, or for this poller's next start.
   */
  private async cancelPendingPoll(): Promise<void> {
    try {
      await this.options.camunda.fetchAndLock({
        workerId: this.options.workerId,
        maxTasks: 1,
        asyncResponseTimeout: 1,
        topics: [],
      });
    } catch (error) {
      this.log.debug('cannot cancel the pending long poll', { error: ensureError(error) });
    }
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
      if (this.capacity() === 0) {
        await this.waitForCapacity(signal);
        continue;
      }
      if (this.temporalUnreachable) {
        await this.waitForTemporal(this.temporalUnreachable, signal);
        continue;
      }
      if (await this.holdBackForSlowStarts(signal)) continue;
      try {
        await this.pollOnce(AbortSignal.any([signal, reload]));
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
    await Promise.allSettled(this.pending);
    // The engine does not notice that we aborted the long poll: it may still lock a task for it.
    await this.cancelPendingPoll();
    // It may have done so already: give such tasks back.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const released = await this.releaseOrphans();
    this.log.info('stopped', { ...this.stats, released });
  }

  /**
   * While a start has waited longer than `slowStartMs`, waits (up to 250 ms at a time, or until a start settles)
   * instead of fetching. Returns whether it waited.
   */
  private async holdBackForSlowStarts(signal: AbortSignal): Promise<boolean> {
    const slowMs = this.options.slowStartMs ?? 2_000;
    const now = Date.now();
    const slow = [...this.pendingSince].filter(([, since]) => now - since > slowMs).map(([start]) => start);
    if (slow.length === 0) {
      if (this.heldBackSince !== undefined)
        this.log.info('workflow starts answer again: fetching goes on', {
          heldBackMs: now - this.heldBackSince,
        });
      this.heldBackSince = undefined;
      return false;
    }
    if (this.heldBackSince === undefined) {
      this.heldBackSince = now;
      this.log.warn(
        'a workflow start has waited for Temporal for over its limit: no fetch until it is answered',
        {
          slowStarts: slow.length,
          slowStartMs: slowMs,
        },
      );
    }
    await Promise.race([...slow.map((p) => p.catch(() => {})), sleepUnlessAborted(250, signal)]);
    return true;
  }

  /**
   * Waits, fetching nothing, until Temporal answers again (probed 0.5 s to 5 s apart): a task fetched meanwhile
   * could not be started either, and would only count its Camunda retries down.
   */
  private async waitForTemporal(
    paused: { since: number; reason: string },
    signal: AbortSignal,
  ): Promise<void> {
    this.stats.temporalPauses++;
    this.log.warn('Temporal does not answer: fetching paused until it does (the tasks wait in the engine)', {
      reason: paused.reason,
    });
    const probe =
      this.options.temporalProbe ?? (() => this.options.temporal.workflowService.getSystemInfo({}));
    const backoff = new Backoff({ initialMs: 500, maxMs: 5_000 });
    let lastSaid = Date.now();
    while (!signal.aborted) {
      try {
        await probe();
        this.temporalUnreachable = undefined;
        this.log.info('Temporal answers again: fetching resumed', { pausedMs: Date.now() - paused.since });
        return;
      } catch (error) {
        // Said again once a minute, so that a long pause stays visible in the log, with the latest error.
        if (Date.now() - lastSaid >= 60_000) {
          lastSaid = Date.now();
          this.log.warn('Temporal still does not answer: fetching paused', {
            pausedMs: lastSaid - paused.since,
            error: ensureError(error),
          });
        }
        await sleepUnlessAborted(backoff.next(), signal);
      }
    }
  }

  private async handle(entry: FetchedTask, lockedAtMs: number): Promise<void> {
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
    if (!topic?.enabled) {
      // The topic was removed or disabled between the fetch and now: give the task back.
      await this.unlock(task, topic ? 'its topic is disabled' : 'its topic is no longer configured');
      return;
    }
    await this.startWorkflow(task, topic, lockedAtMs);
  }

  private async startWorkflow(
    task: LockedExternalTask,
    topic: TopicConfig,
    lockedAtMs: number,
  ): Promise<void> {
    const start = workflowStart(task, topic, {
      lockedAtMs,
      engine: this.options.engine,
      workerId: this.options.workerId,
      taskQueue: this.options.taskQueue,
      workUnitTaskQueue: this.options.workUnitTaskQueue,
      ...(this.options.eagerStart ? { eagerStart: true } : {}),
    });
    const { workflowId } = start.options;
    const attempts = this.options.startRetry?.attempts ?? START_ATTEMPTS;
    // The failure must reach the engine while the task is still locked for us: no try starts after half the lock.
    const deadlineMs = lockedAtMs + topic.lockDurationMs / 2;
    const backoff = new Backoff({ initialMs: 250, maxMs: 4_000 });
    for (let attempt = 1; ; attempt++) {
      try {
        if (start.method === 'start') {
          const handle = await this.options.temporal.workflow.start(externalTask, start.options);
          if (handle.eagerlyStarted) this.stats.eagerStarts++;
          this.follow(workflowId, handle.firstExecutionRunId);
        } else {
          const handle = await this.options.temporal.workflow.signalWithStart(externalTask, start.options);
          this.follow(workflowId, handle.signaledRunId);
        }
        this.stats.workflowsStarted++;
        this.log.debug('workflow started', { workflowId, topic: task.topicName, method: start.method });
        return;
      } catch (error) {
        this.stats.startErrors++;
        const classified = classifyStartError(error);
        const fields = {
          taskId: task.id,
          workflowId,
          error: ensureError(error),
          reason: classified.status ? `${classified.status}: ${classified.detail}` : classified.detail,
        };
        if (classified.kind === 'deterministic') {
          this.log.error(
            'cannot start the workflow, and trying again cannot help: raising an incident',
            fields,
          );
          await this.reportStartFailure(task, error, {
            errorMessage: deterministicStartMessage(classified, inputBytes(start.options.args)),
            retries: 0,
            retryTimeout: 0,
          });
          return;
        }
        // No more fetches until Temporal answers: the next tasks could not be started either.
        this.temporalUnreachable ??= { since: Date.now(), reason: fields.reason };
        const waitMs = backoff.next();
        if (attempt >= attempts || Date.now() + waitMs > deadlineMs) {
          const retries = Math.max(
            0,
            (task.retries ?? this.options.startRetry?.camundaRetries ?? START_FAILURE_CAMUNDA_RETRIES) - 1,
          );
          const retryTimeout = this.options.startRetry?.retryTimeoutMs ?? START_FAILURE_RETRY_TIMEOUT_MS;
          this.log.error('cannot start the workflow; reporting the failure to the engine', {
            ...fields,
            attempts: attempt,
            camundaRetries: retries,
            retryTimeoutMs: retryTimeout,
          });
          await this.reportStartFailure(task, error, {
            errorMessage: transientStartMessage(classified, attempt, retryTimeout, retries),
            retries,
            retryTimeout,
          });
          return;
        }
        this.log.warn('starting the workflow failed; trying again', { ...fields, retryInMs: waitMs });
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  /**
   * Reports a start that failed to the engine (never an unlock: Camunda would offer the task again at once). If
   * that fails too, the task stays locked until its lock expires, and is offered again then.
   */
  private async reportStartFailure(
    task: LockedExternalTask,
    error: unknown,
    failure: { errorMessage: string; retries: number; retryTimeout: number },
  ): Promise<void> {
    const workflowId = externalTaskWorkflowId(this.options.engine, task.id);
    try {
      await this.options.camunda.failure(task.id, {
        workerId: this.options.workerId,
        errorMessage: truncateErrorMessage(failure.errorMessage),
        errorDetails: startErrorDetails(error, workflowId),
        retries: failure.retries,
        retryTimeout: failure.retryTimeout,
      });
    } catch (reportError) {
      this.log.error(
        'cannot report the failed start to the engine; the task is offered again when its lock expires',
        {
          taskId: task.id,
          topic: task.topicName,
          error: ensureError(reportError),
        },
      );
    }
  }

  private async unlock(task: Pick<LockedExternalTask, 'id' | 'topicName'>, why: string): Promise<void> {
    try {
      await this.options.camunda.unlock(task.id);
      this.log.warn('task unlocked', { taskId: task.id, topic: task.topicName, why });
    } catch (error) {
      this.log.error('cannot unlock the task; it is offered again when its lock expires', {
        taskId: task.id,
        why,
        error: ensureError(error),
      });
    }
  }

  private async reportMalformed(taskId: string, problem: string): Promise<void> {
    try {
      await this.options.camunda.failure(taskId, {
        workerId: this.options.workerId,
        errorMessage: truncateErrorMessage(`BPTL cannot read this task: ${problem}`),
        errorDetails: problem,
        retries: 0,
        retryTimeout: 0,
      });
    } catch (error) {
      this.log.error('cannot report the malformed task', { taskId, error: ensureError(error) });
    }
  }
}

/** The size of a workflow's input as JSON, in bytes (what the default payload converter sends). */
function inputBytes(args: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(args) ?? '');
  } catch {
    return 0;
  }
}
