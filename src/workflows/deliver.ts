/**
 * Delivering the work unit's result: exactly one of complete (the unit's variables) or bpmnError. A completion
 * the engine rejects (a 4xx: the output does not fit) becomes an incident. One the engine refuses (its next
 * synchronous step fails) is tried a few times, then raised as an incident with the engine's message; the output
 * is kept, and when the incident is retried the task is completed with it: the unit never runs twice
 * (`completion-refused`). After a completion, the task's `callbackUrl` is POSTed to (retried).
 *
 * Deterministic code only (part of the external-task workflow).
 */
import { log, sleep } from '@temporalio/workflow';
import type { EngineActivities, WorkUnitResult } from '../activities/types.ts';
import { awaitIncidentRetry } from './await-incident-retry.ts';
import { type FinalFailure, lostReason } from './engine-calls.ts';
import { DEFAULT_REFUSED_COMPLETION_ATTEMPTS, type ExternalTaskResult } from './external-task-input.ts';
import { describeFailure, engineAnswer, rootCause } from './failures.ts';
import { reportFailure, sendFailure } from './report-failure.ts';
import { type TaskRun, workflowLine } from './task-run.ts';
import { TaskStates } from './task-state.ts';

/** Tells the engine the unit's result; returns how the workflow ends. `resumed`: the refusal a run before saw. */
export async function deliver(
  run: TaskRun,
  result: WorkUnitResult,
  resumed?: string,
): Promise<ExternalTaskResult> {
  const { input, engine, lock, view } = run;
  const { topic, task } = input;
  const isBpmn = result.outcome === 'bpmn-error';
  const what = isBpmn ? 'the BPMN error' : 'the completion';
  const names = Object.keys(result.variables);
  const call = (a: EngineActivities) =>
    result.outcome === 'bpmn-error'
      ? a.throwBpmnError({
          ...lock.command(),
          errorCode: result.errorCode,
          errorMessage: result.errorMessage,
          variables: result.variables,
        })
      : a.completeTask({
          ...lock.command(),
          variables: result.variables,
          ...(result.localVariables ? { localVariables: result.localVariables } : {}),
        });
  const attempts = topic.refusedCompletionAttempts ?? DEFAULT_REFUSED_COMPLETION_ATTEMPTS;
  let refusals = 0;
  let refusal = resumed;
  for (;;) {
    if (refusal === undefined) {
      const sent = await engine.call(what, call);
      if (sent.ok) break;
      if (sent.kind === 'gone' && !isBpmn) {
        // An earlier try may have landed with its answer lost (the engine did not answer in time, then the
        // retry found the task gone): then the engine's history has our success log. A rare path: one read.
        const landed = await engine.call("reading the task's history", (a) =>
          a.completedBy({ engine: input.engine, taskId: task.id, workerId: lock.workerId }),
        );
        if (landed.ok && landed.value) {
          log.info('the task was completed by an earlier try whose answer was lost', { taskId: task.id });
          break;
        }
      }
      const lost = lostReason(sent);
      if (lost) return view.end('abandoned', { reason: lost });
      if (sent.kind === 'unknown-engine') return view.end('abandoned', { reason: sent.message });
      if (sent.kind === 'rejected') {
        // A 4xx: the output itself does not fit (a value the engine cannot convert): an incident.
        return reportFailure(run, `the engine refused the work unit's output: ${sent.message}`, [
          `work unit: ${topic.workUnit}`,
          `variables: ${names.join(', ')}`,
          workflowLine(),
          '',
          describeFailure(sent.error),
        ]);
      }
      // Refused: the engine's next synchronous step failed. Try a few times; then an incident.
      refusals++;
      if (refusals < attempts) {
        await sleep(1_000 * 2 ** (refusals - 1));
        continue;
      }
      refusal = `${isBpmn ? 'BPMN error' : 'completion'} refused by the engine: ${sent.message}`;
      const abandoned = await sendFailure(run, refusal, refusedDetails(run, result, refusals, sent), 0, 0);
      if (abandoned) return abandoned;
    }
    view.set(
      isBpmn ? TaskStates.BpmnErrorRefused : TaskStates.CompletionRefused,
      `${refusal} — an incident is open; once the cause is fixed, retry it in Cockpit: the task is then completed with the kept ${isBpmn ? 'BPMN error' : 'output'} (${names.join(', ') || 'no variables'}), without running the work unit again`,
    );
    const gone = await awaitIncidentRetry(run, { phase: 'refused', result, refusal });
    if (gone) return gone;
    refusal = undefined;
    refusals = 0;
  }

  if (result.outcome === 'bpmn-error') {
    return view.end('bpmn-error', { reason: `${result.errorCode}: ${result.errorMessage}` });
  }
  return completed(run, result);
}

/** The details of the incident over a refused completion or BPMN error: what is kept, and what to do. */
function refusedDetails(
  run: TaskRun,
  result: WorkUnitResult,
  refusals: number,
  sent: FinalFailure,
): string[] {
  const isBpmn = result.outcome === 'bpmn-error';
  const names = Object.keys(result.variables);
  return [
    `work unit: ${run.input.topic.workUnit} (it ran; its ${isBpmn ? 'BPMN error is' : 'output is'} kept)`,
    `${isBpmn ? `BPMN error: ${result.outcome === 'bpmn-error' ? result.errorCode : ''}; ` : ''}variables: ${names.length > 0 ? names.join(', ') : '(none)'}`,
    `tried: ${refusals} times; the engine answered ${engineAnswer(sent.error)}`,
    'what to do: fix the cause the message names, then retry this incident: BPTL then completes the task with the kept output, the work unit does not run again.',
    workflowLine(),
    '',
    describeFailure(sent.error),
  ];
}

/** Ends a completed task: first the POST to its `callbackUrl`, when it has one. */
async function completed(run: TaskRun, result: WorkUnitResult): Promise<ExternalTaskResult> {
  const { task } = run.input;
  const names = Object.keys(result.variables);
  const callbackUrl = task.variables.callbackUrl;
  if (callbackUrl?.type === 'String' && typeof callbackUrl.value === 'string' && callbackUrl.value !== '') {
    try {
      const allowedOrigins = run.input.topic.outbound?.allowedOrigins;
      await run.engine.callbacks.postCallback({
        url: callbackUrl.value,
        ...(allowedOrigins ? { allowedOrigins } : {}),
        body: {
          externalTaskId: task.id,
          topic: task.topicName,
          processInstanceId: task.processInstanceId ?? null,
          businessKey: task.businessKey ?? null,
          outcome: 'completed',
          variables: result.variables,
        },
      });
    } catch (error) {
      log.error('the callback failed; the task is completed all the same', {
        error: rootCause(error).message,
      });
      return run.view.end('completed', { variables: names, callback: 'failed' });
    }
    return run.view.end('completed', { variables: names, callback: 'sent' });
  }
  return run.view.end('completed', { variables: names });
}
