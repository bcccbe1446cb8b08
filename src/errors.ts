/**
 * The error types of BPTL, in one place. The type of an error decides what happens next:
 *
 * | error               | thrown by            | what happens                                              |
 * |---------------------|----------------------|-----------------------------------------------------------|
 * | RetryableError      | a work unit          | tried again under the topic's retry policy (opt. delay)   |
 * | NonRetryableError   | a work unit, BPTL    | no more attempts: the task's failure is reported to Camunda |
 * | BpmnError           | a work unit          | never retried: a BPMN error is thrown in the process      |
 * | VariableError       | the variable codec   | non-retryable: a variable could not be read or written    |
 * | PayloadTooLargeError | the work-unit runner | non-retryable: the output is larger than Temporal accepts |
 * | EngineError         | the Camunda client   | depends on status: see `isRetryable`                      |
 * | ConfigError         | start-up             | stops start-up with a message naming the field            |
 *
 * Each class has a stable `name`, which is also the Temporal failure type it travels as.
 */

/** Options shared by the work-unit errors. */
export interface WorkUnitErrorOptions {
  /** The underlying error, kept for the failure details. */
  cause?: unknown;
}

/** Thrown by a work unit when the failure is transient: the attempt is repeated under the retry policy. */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
  /** Wait at least this long before the next attempt, overriding the back-off. */
  readonly retryDelayMs: number | undefined;
  constructor(message: string, options: WorkUnitErrorOptions & { retryDelayMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.retryDelayMs = options.retryDelayMs;
  }
}

/** Thrown by a work unit (or BPTL on its behalf) when trying again cannot help: the task fails at once. */
export class NonRetryableError extends Error {
  override readonly name: string = 'NonRetryableError';
}

/** Thrown when a process variable cannot be read or written. Names the variable; never retried. */
export class VariableError extends NonRetryableError {
  override readonly name = 'VariableError';
  readonly variable: string;
  constructor(variable: string, problem: string, options: WorkUnitErrorOptions = {}) {
    super(`variable '${variable}': ${problem}`, { cause: options.cause });
    this.variable = variable;
  }
}

/** Temporal's default limit of one payload (the server's `limit.blobSize.error`): 2 MiB. */
export const DEFAULT_BLOB_SIZE_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * Thrown by the work-unit runner when a unit's output (or its BPMN error's variables) is larger than one Temporal
 * payload may be: the same output would never fit, so the unit is not run again. Carries the size and the limit.
 */
export class PayloadTooLargeError extends NonRetryableError {
  override readonly name = 'PayloadTooLargeError';
  /** The encoded result's size, in bytes. */
  readonly sizeBytes: number;
  /** The limit it exceeds, in bytes. */
  readonly limitBytes: number;
  constructor(sizeBytes: number, limitBytes: number) {
    super(
      `the work unit's output is larger than Temporal accepts (${sizeBytes} bytes; limit ${limitBytes} bytes): ` +
        'keep large data out of process variables (store it elsewhere and pass a reference, or pick fewer ' +
        'fields), then retry the incident',
    );
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** Thrown by a work unit to raise a BPMN error in the process (caught by an error boundary event). */
export class BpmnError extends Error {
  override readonly name = 'BpmnError';
  readonly code: string;
  /** Variables set on the process together with the error. */
  readonly variables: Record<string, unknown>;
  constructor(code: string, message = code, variables: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.variables = variables;
  }
}

/** Thrown when the configuration (environment or configuration file) is invalid. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Thrown when a stop was requested (SIGINT/SIGTERM) while the process was still starting, e.g. while it waited
 * for Temporal to answer. Not a failure: the command stops what it started and exits with 0.
 */
export class StoppedBeforeReadyError extends Error {
  override readonly name = 'StoppedBeforeReadyError';
}

/** Normalises anything thrown into an Error, at every boundary (poll loop, activity wrapper, API). */
export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  try {
    return new Error(`non-error thrown: ${JSON.stringify(value)}`);
  } catch {
    return new Error(`non-error thrown: ${String(value)}`);
  }
}
