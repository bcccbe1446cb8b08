/**
 * The lock a work unit's runner keeps while the unit runs: renewed at half its duration (extendLock, or lock
 * again after it expired), from the worker, so that a unit running for days adds no event to the workflow's
 * history. When the task is gone (its instance was deleted, a boundary event fired) or another worker holds it,
 * `signal` aborts: the unit is stopped and the attempt fails with TaskGone or TaskLost. A renewal that fails
 * for another reason (the engine does not answer) is tried again soon; the lock may expire meanwhile and is
 * then taken again.
 */
import { RUNNER_RENEWAL_FRACTION } from '../config/lock-timings.ts';
import type { CamundaClient } from '../engine/camunda-client.ts';
import { ensureError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { keepLock } from './keep-lock.ts';
import type { KeepLockResult, LockState, RunnerLock } from './types.ts';

/** A renewal that failed (no answer) is tried again after this share of the lock, at least 1 s. */
const RETRY_FRACTION = 0.1;

export class RunnerLockKeeper {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lockedAtMs: number;
  /** Why the task was lost, once it was. */
  lost: Extract<KeepLockResult, { status: 'lost' }> | undefined;
  /** The lock after the last renewal, once there was one. */
  state: LockState | undefined;

  private readonly camunda: CamundaClient;
  private readonly taskId: string;
  private readonly lock: RunnerLock;
  private readonly log: Logger;

  /** Called with each renewal's status (the worker's metrics count them). */
  private readonly onRenewal: ((status: 'extended' | 'relocked') => void) | undefined;

  constructor(
    camunda: CamundaClient,
    taskId: string,
    lock: RunnerLock,
    log: Logger,
    onRenewal?: (status: 'extended' | 'relocked') => void,
  ) {
    this.onRenewal = onRenewal;
    this.camunda = camunda;
    this.taskId = taskId;
    this.lock = lock;
    this.log = log;
    this.lockedAtMs = lock.expiresAtMs - lock.lockDurationMs;
  }

  /** Aborted when the task is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Renews now; resolves false when the task is lost. */
  async renewNow(): Promise<boolean> {
    try {
      const result = await keepLock(this.camunda, {
        taskId: this.taskId,
        workerId: this.lock.workerId,
        lockDurationMs: this.lock.lockDurationMs,
      });
      if (result.status === 'lost') {
        this.lost = result;
        this.controller.abort(new Error(result.reason));
        return false;
      }
      this.onRenewal?.(result.status);
      this.lockedAtMs = Date.now();
      this.state = {
        status: result.status,
        expiresAtMs: this.lockedAtMs + this.lock.lockDurationMs,
        renewals: (this.state?.renewals ?? 0) + 1,
      };
      return true;
    } catch (error) {
      this.log.warn('cannot renew the lock; trying again soon', {
        taskId: this.taskId,
        error: ensureError(error),
      });
      throw error;
    }
  }

  /** Starts renewing at half the lock until stop() or the task is lost. */
  start(): void {
    this.schedule(this.lockedAtMs + this.lock.lockDurationMs * RUNNER_RENEWAL_FRACTION - Date.now());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        this.renewNow().then(
          (kept) => {
            if (kept) this.start();
          },
          () => this.schedule(Math.max(1_000, this.lock.lockDurationMs * RETRY_FRACTION)),
        );
      },
      Math.max(delayMs, 0),
    );
  }
}
