/**
 * The poller's dealings with the locks it holds in the engine, outside of a workflow: giving back tasks it
 * cannot start (an unlock) or that are locked for it without a running workflow (orphans), cancelling the
 * engine's side of an aborted long poll, and reporting the tasks it cannot read or start as failures (never an
 * unlock: Camunda would offer them again at once, for ever).
 */
import type { CamundaClient } from '../engine/camunda-client.ts';
import { truncateErrorMessage } from '../engine/error-message.ts';
import type { LockedExternalTask } from '../engine/external-task.ts';
import { ensureError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { startErrorDetails } from './start-error.ts';

/** What a task report needs of a task: its id, and its topic for the log. */
export type TaskRef = Pick<LockedExternalTask, 'id' | 'topicName'>;

/** A failure to report for a task whose workflow could not be started. */
export interface StartFailure {
  errorMessage: string;
  retries: number;
  retryTimeout: number;
}

/** How a stopping poller checks for orphaned locks until a check finds none. */
export interface OrphanCheckOptions {
  /** The waits between the checks, in ms; one check more than waits. @default [250, 500, 1000, 2000] */
  waitsMs?: readonly number[];
}

const DEFAULT_ORPHAN_CHECK_WAITS_MS = [250, 500, 1_000, 2_000] as const;

export class LockBookkeeping {
  private readonly camunda: CamundaClient;
  private readonly workerId: string;
  private readonly log: Logger;

  /** `workerId` is the id the poller locks its tasks for. */
  constructor(camunda: CamundaClient, workerId: string, log: Logger) {
    this.camunda = camunda;
    this.workerId = workerId;
    this.log = log;
  }

  /**
   * Unlocks tasks that are locked for this worker id but have no running workflow: after a long poll was
   * aborted (the engine may have locked a task for a request nobody reads any more), or after a crash.
   * `hasRunningWorkflow` says whether a task's workflow runs. Returns how many were unlocked; a failed check
   * is logged and counts none.
   */
  async releaseOrphans(hasRunningWorkflow: (taskId: string) => Promise<boolean>): Promise<number> {
    return (await this.releaseOrphansOnce(hasRunningWorkflow)) ?? 0;
  }

  /**
   * At a stop, after cancelPendingPoll: the engine may still lock a task for the aborted long poll, a moment
   * later. Releases the orphans, then checks again after a short wait, until a check after a wait finds none, or a
   * check fails (the engine does not answer: nothing to wait for). Bounded: after the last check (five, over about
   * four seconds by default) it warns that orphaned locks may remain, naming how many the last check found.
   * Returns how many it released.
   */
  async releaseOrphansUntilNone(
    hasRunningWorkflow: (taskId: string) => Promise<boolean>,
    options: OrphanCheckOptions = {},
  ): Promise<number> {
    const waitsMs = options.waitsMs ?? DEFAULT_ORPHAN_CHECK_WAITS_MS;
    let total = 0;
    let last = 0;
    for (let check = 0; check <= waitsMs.length; check++) {
      const found = await this.releaseOrphansOnce(hasRunningWorkflow);
      // An engine that does not answer is not waited for (the check logged why): its locks expire by themselves.
      if (found === undefined) return total;
      last = found;
      total += found;
      // The first check may come before the engine locked a task for the aborted poll: never stop on it.
      if (check > 0 && last === 0) return total;
      const waitMs = waitsMs[check];
      // A wait for the engine, not a synchronisation: nothing tells when it has finished with the aborted poll.
      if (waitMs !== undefined) await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    this.log.warn(
      'orphaned locks may remain: the engine still locked tasks for this poller at the last check',
      {
        checks: waitsMs.length + 1,
        foundAtLastCheck: last,
        released: total,
      },
    );
    return total;
  }

  /** One check: how many orphans it released, or undefined when the check failed (logged). */
  private async releaseOrphansOnce(
    hasRunningWorkflow: (taskId: string) => Promise<boolean>,
  ): Promise<number | undefined> {
    try {
      let released = 0;
      const locked = await this.camunda.lockedTasks(this.workerId);
      for (const task of locked) {
        if (await hasRunningWorkflow(task.id)) continue;
        await this.unlock(task, 'it was locked for this poller but has no running workflow');
        released++;
      }
      return released;
    } catch (error) {
      this.log.warn('cannot check for orphaned locks', { error: ensureError(error) });
      return undefined;
    }
  }

  /**
   * Cancels the engine's side of an aborted long poll: with `fetch-and-lock-unique-worker-request` (set in the
   * local engine; recommended for any engine BPTL polls), a new request of the same worker id — here one that
   * asks for nothing and waits 1 ms — makes the engine drop the pending one. Without that setting it is a no-op,
   * and a task the dropped poll locks waits for its lock to expire, or for this poller's next start.
   */
  async cancelPendingPoll(): Promise<void> {
    try {
      await this.camunda.fetchAndLock({
        workerId: this.workerId,
        maxTasks: 1,
        asyncResponseTimeout: 1,
        topics: [],
      });
    } catch (error) {
      this.log.debug('cannot cancel the pending long poll', { error: ensureError(error) });
    }
  }

  /** Gives a task back to the engine, which offers it again at once. A failure is logged. */
  async unlock(task: TaskRef, why: string): Promise<void> {
    try {
      await this.camunda.unlock(task.id);
      this.log.warn('task unlocked', { taskId: task.id, topic: task.topicName, why });
    } catch (error) {
      this.log.error('cannot unlock the task; it is offered again when its lock expires', {
        taskId: task.id,
        why,
        error: ensureError(error),
      });
    }
  }

  /** Reports a task that does not parse as failed with no retries left: an incident naming the problem. */
  async reportMalformed(taskId: string, problem: string): Promise<void> {
    try {
      await this.camunda.failure(taskId, {
        workerId: this.workerId,
        errorMessage: truncateErrorMessage(`BPTL cannot read this task: ${problem}`),
        errorDetails: problem,
        retries: 0,
        retryTimeout: 0,
      });
    } catch (error) {
      this.log.error('cannot report the malformed task', { taskId, error: ensureError(error) });
    }
  }

  /**
   * Reports a start that failed to the engine (never an unlock: Camunda would offer the task again at once). If
   * that fails too, the task stays locked until its lock expires, and is offered again then.
   */
  async reportStartFailure(
    task: TaskRef,
    workflowId: string,
    error: unknown,
    failure: StartFailure,
  ): Promise<void> {
    try {
      await this.camunda.failure(task.id, {
        workerId: this.workerId,
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
}
