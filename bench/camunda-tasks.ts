/**
 * External tasks for a measurement, and what Camunda's history says about them: a one-task BPMN per topic,
 * tasks made by starting process instances (a few starters at once), and each task's creation and success
 * times from `/history/external-task-log`, so that every figure comes from the engine's own clock.
 */
import { randomUUID } from 'node:crypto';
import { CamundaClient } from '../src/engine/camunda-client.ts';
import { EngineError } from '../src/engine/engine-error.ts';
import { type CamundaVariables, encodeVariables, parseCamundaDate } from '../src/engine/variables.ts';
import { externalTaskProcess } from '../test/support/bpmn.ts';
import type { Progress } from './progress.ts';

interface ExternalTaskLogEntry {
  id: string;
  timestamp: string;
  externalTaskId: string;
  processInstanceId: string | null;
  topicName: string;
}

/** What the history says about one topic's tasks. */
export interface TopicHistory {
  /** Creation time (epoch ms) per external task id. */
  created: Map<string, number>;
  /** Success times per external task id (more than one would be a duplicate completion). */
  succeeded: Map<string, number[]>;
}

export interface TaskOutcome {
  created: number;
  /** Tasks with exactly one success entry. */
  completedOnce: number;
  /** Tasks with more than one success entry. */
  duplicateCompletions: number;
  /** Creation → success per task completed once, in ms. */
  latenciesMs: number[];
  firstCreatedMs: number;
  lastCreatedMs: number;
  lastSucceededMs: number;
}

const PAGE = 1_000;

/** No answer (e.g. "socket hang up" on a kept-alive connection the engine just closed), or a 5xx. */
function transient(error: unknown): boolean {
  return error instanceof EngineError && (error.status === undefined || error.status >= 500);
}

/** Runs a call again (up to 5 times) while it fails transiently. Only for calls that are safe to repeat. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!transient(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

export class CamundaTasks {
  readonly restUrl: string;
  readonly camunda: CamundaClient;

  constructor(restUrl: string) {
    this.restUrl = restUrl;
    this.camunda = new CamundaClient({ baseUrl: restUrl, timeoutMs: 120_000 });
  }

  /** Deploys start → external task (topic) → end under the process key `topic`. */
  async deploy(topic: string): Promise<void> {
    await this.camunda.deploy(topic, [
      { filename: `${topic}.bpmn`, content: externalTaskProcess({ key: topic, topic }) },
    ]);
  }

  /** Starts one process instance (so one external task); returns the process instance id. */
  async createOne(topic: string, variables: Record<string, unknown>): Promise<string> {
    return this.start(topic, encodeVariables(variables), `${topic}-${randomUUID()}`);
  }

  /**
   * Starts an instance with a unique business key. When the engine does not answer, the start may or may
   * not have happened: the business key tells, so a task is never created twice (nor lost).
   */
  private async start(topic: string, variables: CamundaVariables, businessKey: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.camunda.startProcess(topic, { variables, businessKey })).id;
      } catch (error) {
        if (!transient(error) || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        const found = await retrying(() =>
          // The history, not the runtime: the instance may have ended already.
          this.camunda.get<Array<{ id: string }>>('/history/process-instance', {
            processInstanceBusinessKey: businessKey,
          }),
        );
        if (found[0]) return found[0].id;
      }
    }
  }

  /** Creates `n` tasks with `starters` concurrent starters; returns the wall time it took. */
  async create(
    topic: string,
    n: number,
    options: { starters: number; variables: Record<string, unknown>; progress?: Progress },
  ): Promise<{ ms: number }> {
    const started = Date.now();
    const variables = encodeVariables(options.variables);
    let next = 0;
    let done = 0;
    const starter = async () => {
      while (next < n) {
        const i = next++;
        await this.start(topic, variables, `${topic}-${i}`);
        done++;
      }
    };
    options.progress?.begin(() => done);
    try {
      await Promise.all(Array.from({ length: Math.min(options.starters, n) }, starter));
    } finally {
      options.progress?.end();
    }
    return { ms: Date.now() - started };
  }

  /** Number of success entries of a topic (one per completed task). */
  async countSucceeded(topic: string): Promise<number> {
    const { count } = await retrying(() =>
      this.camunda.get<{ count: number }>('/history/external-task-log/count', {
        topicName: topic,
        successLog: true,
      }),
    );
    return count;
  }

  /**
   * Waits until `n` tasks of the topic have succeeded. Gives up (and returns) when no task completed for
   * `stallTimeoutMs`; the caller then reports what did complete.
   */
  async waitForSuccesses(
    topic: string,
    n: number,
    options: { stallTimeoutMs: number; progress?: Progress; pollMs?: number; signal?: AbortSignal },
  ): Promise<{ succeeded: number; stalled: boolean }> {
    let succeeded = 0;
    let lastChange = Date.now();
    options.progress?.begin(() => succeeded);
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const count = await this.countSucceeded(topic);
        if (count !== succeeded) lastChange = Date.now();
        succeeded = count;
        if (succeeded >= n) return { succeeded, stalled: false };
        if (Date.now() - lastChange > options.stallTimeoutMs) return { succeeded, stalled: true };
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
      }
    } finally {
      options.progress?.end();
    }
  }

  /** Has the task of this process instance succeeded? */
  async succeededFor(processInstanceId: string): Promise<boolean> {
    const { count } = await retrying(() =>
      this.camunda.get<{ count: number }>('/history/external-task-log/count', {
        processInstanceId,
        successLog: true,
      }),
    );
    return count > 0;
  }

  /**
   * Low rate: creates one task, waits until it has completed, and again, `m` times. The latencies come from
   * the history afterwards (`outcome`), like those under load.
   */
  async oneAtATime(
    topic: string,
    m: number,
    options: { variables: Record<string, unknown>; timeoutMs: number; progress?: Progress },
  ): Promise<void> {
    let done = 0;
    options.progress?.begin(() => done);
    try {
      for (let i = 0; i < m; i++) {
        const id = await this.createOne(topic, options.variables);
        const deadline = Date.now() + options.timeoutMs;
        while (!(await this.succeededFor(id))) {
          if (Date.now() > deadline) throw new Error(`low-rate task ${i + 1} of ${topic} did not complete`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        done++;
      }
    } finally {
      options.progress?.end();
    }
  }

  private async log(topic: string, kind: 'creationLog' | 'successLog'): Promise<ExternalTaskLogEntry[]> {
    const entries: ExternalTaskLogEntry[] = [];
    const seen = new Set<string>();
    for (let first = 0; ; first += PAGE) {
      const page = await retrying(() =>
        this.camunda.get<ExternalTaskLogEntry[]>('/history/external-task-log', {
          topicName: topic,
          [kind]: true,
          // A total order, so that paging neither repeats nor skips an entry: each task has one creation
          // entry and (normally) one success entry. Sorting by timestamp did both when entries shared a
          // millisecond.
          sortBy: 'externalTaskId',
          sortOrder: 'asc',
          firstResult: first,
          maxResults: PAGE,
        }),
      );
      for (const entry of page) {
        if (seen.has(entry.id)) continue; // never counted twice, whatever the paging does
        seen.add(entry.id);
        entries.push(entry);
      }
      if (page.length < PAGE) return entries;
    }
  }

  async history(topic: string): Promise<TopicHistory> {
    const [creations, successes] = await Promise.all([
      this.log(topic, 'creationLog'),
      this.log(topic, 'successLog'),
    ]);
    const created = new Map<string, number>();
    for (const e of creations) created.set(e.externalTaskId, parseCamundaDate(e.timestamp).getTime());
    const succeeded = new Map<string, number[]>();
    for (const e of successes) {
      const list = succeeded.get(e.externalTaskId) ?? [];
      list.push(parseCamundaDate(e.timestamp).getTime());
      succeeded.set(e.externalTaskId, list);
    }
    return { created, succeeded };
  }

  /** Per-task outcome of a topic: completed once, duplicates, latencies, and the time window. */
  async outcome(topic: string): Promise<TaskOutcome> {
    const { created, succeeded } = await this.history(topic);
    const latenciesMs: number[] = [];
    let completedOnce = 0;
    let duplicateCompletions = 0;
    let lastSucceededMs = 0;
    for (const [taskId, createdAt] of created) {
      const successes = succeeded.get(taskId) ?? [];
      if (successes.length === 1) {
        completedOnce++;
        latenciesMs.push(successes[0]! - createdAt);
      }
      if (successes.length > 1) duplicateCompletions++;
      for (const t of successes) lastSucceededMs = Math.max(lastSucceededMs, t);
    }
    const times = [...created.values()];
    return {
      created: created.size,
      completedOnce,
      duplicateCompletions,
      latenciesMs,
      firstCreatedMs: times.reduce((a, b) => Math.min(a, b), times[0] ?? 0),
      lastCreatedMs: times.reduce((a, b) => Math.max(a, b), 0),
      lastSucceededMs,
    };
  }

  /** The engine's version (`GET /version`). */
  async version(): Promise<string | undefined> {
    try {
      return (await this.camunda.get<{ version: string }>('/version')).version;
    } catch {
      return undefined;
    }
  }
}
