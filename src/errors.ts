/**
 * The error types of BPTL, in one place. The type of an error decides what happens next:
 *
 * | error               | thrown by            | what happens                                              |
 * |---------------------|----------------------|-----------------------------------------------------------|
 * | RetryableError      | a work unit          | tried again under the topic's retry policy (opt. delay)   |
 * | NonRetryableError   | a work unit, BPTL    | no more attempts: the task's failure is reported to Camunda |
 * | BpmnError           | a work unit          | never retried: a BPMN error is thrown in the process      |
 * | VariableError       | the variable codec   | non-retryable: a variable could not be read or written    |
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
  override readonly name = 'RetryableError';
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
