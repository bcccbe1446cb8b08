/**
 * The task's lock as the external-task workflow knows it: the worker id its engine calls go out under and when
 * the lock expires at the latest. The runner keeps the lock while an attempt runs (it reports the lock it left);
 * between attempts the workflow extends it once over the whole back-off. When the poller fetches the task again
 * (an operator retried its incident) its signal brings the new lock.
 *
 * Deterministic code only (part of the external-task workflow).
 */
import { CancellationScope, log, setHandler, sleep, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { LockState } from '../activities/types.ts';
import { type EngineCalls, lostReason } from './engine-calls.ts';
import type { ExternalTaskInput } from './external-task-input.ts';
import { type TaskFetchedAgain, taskFetchedAgainSignal } from './task-state.ts';

export class TaskLock {
  /** The worker id the task is locked for: every engine call sends it. */
  workerId: string;
  /** When the lock expires at the latest (epoch ms). */
  expiresAtMs: number;
  /** The poller's latest signal that it fetched the task again, until the workflow acts on it. */
  fetchedAgain: TaskFetchedAgain | undefined;
  private readonly input: ExternalTaskInput;
  private readonly engine: EngineCalls;

  /** Takes the lock of the workflow's input, and listens for the poller's signal from the workflow's start. */
  constructor(input: ExternalTaskInput, engine: EngineCalls) {
    this.input = input;
    this.engine = engine;
    this.workerId = input.workerId;
    this.expiresAtMs = (input.lockedAtMs ?? workflowInfo().startTime.getTime()) + input.topic.lockDurationMs;
    setHandler(taskFetchedAgainSignal, (fetched) => {
      // The poller locked the task again (an operator retried its incident): calls go out under its worker id.
      this.workerId = fetched.workerId;
      this.expiresAtMs = fetched.lockedAtMs + input.topic.lockDurationMs;
      this.fetchedAgain = fetched;
    });
  }

  /** What every engine call about the task carries. */
  command(): { engine: string; taskId: string; workerId: string; topic: string } {
    // The topic only labels the worker's metrics: an activity's input is not compared on replay.
    return {
      engine: this.input.engine,
      taskId: this.input.task.id,
      workerId: this.workerId,
      topic: this.input.task.topicName,
    };
  }

  /** Takes note of a lock the runner (or a renewal) left, in the memo too. */
  note(lock: LockState | undefined): void {
    if (!lock) return;
    this.expiresAtMs = lock.expiresAtMs;
    upsertMemo({ lock: { status: lock.status, expiresAt: new Date(lock.expiresAtMs).toISOString() } });
  }

  /**
   * Waits `delayMs` before the next attempt, keeping the lock: extended once over the whole wait (plus one lock
   * duration), so the back-off costs one renewal. Returns why the task was lost, if it was.
   */
  async waitKeepingLock(delayMs: number): Promise<string | undefined> {
    const topicLockMs = this.input.topic.lockDurationMs;
    const lockDurationMs = delayMs + topicLockMs;
    if (Date.now() + delayMs > this.expiresAtMs - topicLockMs / 2) {
      const kept = await this.engine.call('keeping the lock during the back-off', (a) =>
        CancellationScope.nonCancellable(() => a.keepLock({ ...this.command(), lockDurationMs })),
      );
      if (!kept.ok) {
        const lost = lostReason(kept);
        if (lost) return lost;
        log.warn('cannot keep the lock during the back-off', {
          taskId: this.input.task.id,
          error: kept.message,
        });
      } else if (kept.value.status === 'lost') {
        return kept.value.reason;
      } else {
        this.note({ status: kept.value.status, expiresAtMs: Date.now() + lockDurationMs, renewals: 1 });
      }
    }
    await sleep(delayMs);
    return undefined;
  }
}
