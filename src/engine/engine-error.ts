/**
 * Errors from a Camunda 7 REST API (Camunda, Operaton, CIB seven). The body of an engine error is
 * `{"type": "...Exception", "message": "...", "code": n}`; the status says whose fault it is.
 */

/** Camunda's error code for an OptimisticLockingException: a concurrent change; trying again succeeds. */
export const CAMUNDA_OPTIMISTIC_LOCKING_CODE = 1;
/** Camunda's error code for a deadlock in its database: trying again succeeds. */
export const CAMUNDA_DEADLOCK_CODE = 10_000;

/**
 * What an engine error means for the call that got it:
 * - `unavailable`: no answer, 502/503/504, 408/429, or a 500 that says "try again" (an optimistic-locking
 *   conflict, a database deadlock, the server shutting down or too busy): the same call may succeed later;
 * - `suspended`: the process instance is suspended (Camunda 7.24 answers 400 ENGINE-03043, others a 500
 *   SuspendedEntityInteractionException): the call succeeds once an operator activates it;
 * - `gone`: 404, the task was completed, cancelled, or its instance deleted;
 * - `lost`: 400, another worker holds the task's lock;
 * - `rejected`: another 4xx: the request itself is wrong (e.g. a variable the engine cannot convert);
 * - `refused`: another 5xx: the engine took the request but its next synchronous step failed (an expression
 *   that does not resolve, a failing delegate or listener); trying again fails the same way until someone
 *   fixes the cause.
 */
export type EngineErrorKind = 'unavailable' | 'suspended' | 'gone' | 'lost' | 'rejected' | 'refused';

const TRANSIENT_ENGINE_TYPES = new Set(['OptimisticLockingException', 'CrdbTransactionRetryException']);
const TRANSIENT_500_MESSAGES = /too many requests|rejected due to shutdown|deadlock/i;

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

  /** What the error means for the call: see EngineErrorKind. */
  get kind(): EngineErrorKind {
    const status = this.status;
    if (
      status === undefined ||
      status === 408 ||
      status === 429 ||
      status === 502 ||
      status === 503 ||
      status === 504
    )
      return 'unavailable';
    if (status === 404) return 'gone';
    if (this.isLockedByOtherWorker) return 'lost';
    // Camunda 7.24 answers 400 `ENGINE-03043 ExternalTask with id '…' is suspended.` (measured); other
    // versions and forks a 500 SuspendedEntityInteractionException.
    if (
      this.engineType === 'SuspendedEntityInteractionException' ||
      (status === 400 && /ENGINE-03043|\bis suspended\b/.test(this.message))
    )
      return 'suspended';
    if (status < 500) return 'rejected';
    if (
      (this.engineType !== undefined && TRANSIENT_ENGINE_TYPES.has(this.engineType)) ||
      this.engineCode === CAMUNDA_OPTIMISTIC_LOCKING_CODE ||
      this.engineCode === CAMUNDA_DEADLOCK_CODE ||
      TRANSIENT_500_MESSAGES.test(this.message)
    )
      return 'unavailable';
    return 'refused';
  }

  /**
   * Whether the same call may succeed later without anyone doing anything: no answer at all, 502/503/504,
   * 429/408, or a 500 that says "try again" (kind `unavailable`). A 4xx is final; so is a 500 whose next step
   * failed (kind `refused`), until someone fixes its cause.
   */
  get isRetryable(): boolean {
    return this.kind === 'unavailable';
  }
}
