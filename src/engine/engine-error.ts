/**
 * Errors from a Camunda 7 REST API (Camunda, Operaton, CIB seven). The body of an engine error is
 * `{"type": "...Exception", "message": "...", "code": n}`; the status says whose fault it is.
 */

/** Camunda's error code for an OptimisticLockingException: a concurrent change; trying again succeeds. */
export const CAMUNDA_OPTIMISTIC_LOCKING_CODE = 1;

/** Thrown when the engine answered with an error status, or did not answer at all (`status` undefined). */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  /** The HTTP status, or undefined when the engine could not be reached or timed out. */
  readonly status: number | undefined;
  /** Camunda's exception class name, e.g. `RestException`, `OptimisticLockingException`. */
  readonly engineType: string | undefined;
  /** Camunda's numeric error code (1: optimistic locking). */
  readonly engineCode: number | undefined;
  /** What was called, e.g. `POST /external-task/abc/complete`. */
  readonly operation: string;

  constructor(
    operation: string,
    message: string,
    details: { status?: number; engineType?: string; engineCode?: number; cause?: unknown } = {},
  ) {
    super(`${operation}: ${message}`, { cause: details.cause });
    this.operation = operation;
    this.status = details.status;
    this.engineType = details.engineType;
    this.engineCode = details.engineCode;
  }

  /** The task no longer exists: completed, cancelled by an event, or its instance deleted. */
  get isGone(): boolean {
    return this.status === 404;
  }

  /** The task's lock is held by another worker. */
  get isLockedByOtherWorker(): boolean {
    return this.status === 400 && /locked by worker/i.test(this.message);
  }

  /**
   * Whether the same call may succeed later: no answer at all, a 5xx (Camunda answers 500 for an
   * optimistic-locking conflict or a failure in the next synchronous step), or 429/408. A 4xx is final.
   */
  get isRetryable(): boolean {
    if (this.status === undefined) return true;
    if (this.status === 408 || this.status === 429) return true;
    return this.status >= 500;
  }
}
