/**
 * Reading the failures that activities report to the workflow: the innermost cause (what the work unit or the
 * engine call itself threw), its failure type, whether it may be retried, and the whole cause chain with stacks
 * as text for an incident's errorDetails. Deterministic code: used inside the workflow.
 */
import { ActivityFailure, ApplicationFailure, TemporalFailure, TimeoutFailure } from '@temporalio/workflow';
import type { AttemptFailureDetails } from '../activities/types.ts';

/** The innermost cause of an activity's failure: what the work unit (or the engine call) itself threw. */
export function rootCause(error: unknown): Error {
  let current = error as Error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  return current;
}

/** The failure type of what the activity threw, e.g. `EngineRefused`, `NonRetryableError`. */
export function failureType(error: unknown): string | undefined {
  const cause = rootCause(error);
  if (cause instanceof ApplicationFailure) return cause.type ?? undefined;
  return cause instanceof TemporalFailure ? cause.name : undefined;
}

/** Whether the unit said that trying again cannot help. */
export function isNonRetryable(error: unknown): boolean {
  const cause = rootCause(error);
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

/** The delay the unit asked for (RetryableError's retryDelayMs), if any. */
export function requestedRetryDelayMs(error: unknown): number | undefined {
  const cause = rootCause(error);
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const delay: unknown = cause.nextRetryDelay;
  return typeof delay === 'number' && delay >= 0 ? delay : undefined;
}

/** What the runner put in the failure's details: the attempt, the lock. */
export function attemptDetails(error: unknown): AttemptFailureDetails {
  const cause = rootCause(error);
  const first: unknown = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return first !== null && typeof first === 'object' ? (first as AttemptFailureDetails) : {};
}

/**
 * The incident's message for a failure: the unit's own message, or — for an attempt Temporal timed out, whose
 * own message is a bare "activity Heartbeat timeout" — what happened and what to look at.
 */
export function failureMessage(
  error: unknown,
  topic: { heartbeatTimeoutMs: number; startToCloseTimeoutMs: number },
  attempts: number,
): string {
  const cause = rootCause(error);
  if (!(cause instanceof TimeoutFailure)) return cause.message;
  const tried = `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`;
  if (cause.timeoutType === 'HEARTBEAT')
    return `the work unit's worker sent no heartbeat for ${topic.heartbeatTimeoutMs / 1000} s (${tried}): it died, or was too busy to heartbeat; check the worker's log and load (a topic's heartbeatTimeoutMs can be raised), then retry this incident`;
  if (cause.timeoutType === 'START_TO_CLOSE')
    return `the work unit did not finish within ${topic.startToCloseTimeoutMs / 1000} s (${tried}; the topic's startToCloseTimeoutMs): raise it if the unit needs longer, then retry this incident`;
  return `${cause.message} (${tried})`;
}

/** Longest cause chain written out. */
const MAX_CAUSES = 8;

/**
 * The failure as an operator needs it: the unit's own error with its stack, then each `cause` with its stack
 * (`caused by: …`). The ActivityFailure wrapper (BPTL's and the SDK's internals) is left out.
 */
export function describeFailure(error: unknown): string {
  const lines: string[] = [];
  let current: Error | undefined = rootCause(error);
  for (let depth = 0; current && depth < MAX_CAUSES; depth++) {
    // A cause decoded without its type (a plain Error the unit kept as `cause`) arrives as a TemporalFailure.
    const type =
      current instanceof ApplicationFailure
        ? (current.type ?? current.name)
        : current.name === 'TemporalFailure'
          ? 'Error'
          : current.name;
    const head = `${type}: ${current.message}`;
    const stack = current.stack && current.stack.trim() !== '' ? current.stack : head;
    // The stack's first line names the class ("ApplicationFailure: …"): name the type instead.
    const text =
      stack.includes('\n') && !stack.startsWith(head)
        ? `${head}\n${stack.slice(stack.indexOf('\n') + 1)}`
        : stack;
    lines.push(depth === 0 ? text : `caused by: ${text}`);
    current = current.cause instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}

/** The wait before attempt `attempt + 1` under an exponential policy. */
export function backoffMs(
  policy: { initialIntervalMs: number; backoffCoefficient: number; maximumIntervalMs: number },
  attempt: number,
): number {
  const delay = policy.initialIntervalMs * policy.backoffCoefficient ** Math.max(0, attempt - 1);
  return Math.min(Math.round(delay), policy.maximumIntervalMs);
}

/** The engine's answer that an engine call's failure carries (status, Camunda's exception type), as text. */
export function engineAnswer(error: unknown): string {
  const cause = rootCause(error);
  const first: unknown = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  if (first === null || typeof first !== 'object') return 'unknown';
  const { status, engineType } = first as { status?: number; engineType?: string };
  return [status === undefined ? 'no answer' : `HTTP ${status}`, engineType].filter(Boolean).join(' ');
}
