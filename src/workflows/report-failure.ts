/**
 * Reporting a failure to the engine: an incident at retries 0 (or Camunda's own retries, as the topic says),
 * with the unit's stack and cause chain in its details. When the engine does not take the report, the workflow
 * ends `abandoned`: nothing else can be done without the engine.
 *
 * Deterministic code only (part of the external-task workflow).
 */
import { log } from '@temporalio/workflow';
import { lostReason } from './engine-calls.ts';
import type { ExternalTaskResult } from './external-task-input.ts';
import { describeFailure, failureMessage, failureType, rootCause } from './failures.ts';
import type { UnitOutcome } from './run-unit.ts';
import { type TaskRun, workflowLine } from './task-run.ts';

/** Sends a failure to the engine (an incident at retries 0). Returns an `abandoned` result when it cannot. */
export async function sendFailure(
  run: TaskRun,
  message: string,
  details: string[],
  retries: number,
  retryTimeoutMs: number,
): Promise<ExternalTaskResult | undefined> {
  log.warn('reporting the failure to the engine', { taskId: run.input.task.id, error: message });
  const sent = await run.engine.call('reporting the failure', (a) =>
    a.reportFailure({
      ...run.lock.command(),
      errorMessage: message,
      errorDetails: details.join('\n'),
      retries,
      retryTimeoutMs,
    }),
  );
  if (sent.ok) return undefined;
  return run.view.end('abandoned', {
    reason: lostReason(sent) ?? `the engine did not take the failure report: ${sent.message}`,
  });
}

/** Reports a failure with the topic's Camunda retries; the workflow ends `failed` (or `abandoned`). */
export async function reportFailure(
  run: TaskRun,
  message: string,
  details: string[],
): Promise<ExternalTaskResult> {
  const { topic } = run.input;
  const abandoned = await sendFailure(
    run,
    message,
    details,
    topic.camundaRetries,
    topic.camundaRetryTimeoutMs,
  );
  return abandoned ?? run.view.end('failed', { reason: message });
}

/** Reports the work unit's last failure: its message, type, attempts and stack. */
export function reportUnitFailure(
  run: TaskRun,
  outcome: Extract<UnitOutcome, { kind: 'failed' }>,
): Promise<ExternalTaskResult> {
  const { topic } = run.input;
  const cause = rootCause(outcome.error);
  return reportFailure(run, outcome.message ?? failureMessage(outcome.error, topic, outcome.attempt), [
    `work unit: ${topic.workUnit}`,
    `failure type: ${failureType(outcome.error) ?? cause.name}`,
    `attempts: ${outcome.attempt} (at most ${topic.retry.maximumAttempts})`,
    workflowLine(),
    '',
    describeFailure(outcome.error),
  ]);
}
