/**
 * What an operator sees of a task's workflow: the `BptlState` search attribute, the memo's `state` and the
 * current details say where the task waits and why (task-state.ts); at the end, `BptlOutcome` says how it
 * ended. One object per workflow run, so that each update says only what changed.
 *
 * Deterministic code only (part of the external-task workflow).
 */
import { setCurrentDetails, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ExternalTaskOutcome, ExternalTaskResult } from './external-task-input.ts';
import { failureType, rootCause } from './failures.ts';
import { BptlOutcome, BptlState } from './search-attributes.ts';
import { type TaskState, type TaskStateMemo, TaskStates } from './task-state.ts';

export class TaskView {
  /** The state shown (or, before the first update of this run, the one a run before it showed). */
  state: TaskState;
  /** Why the task is in `state`, as last said by this run. */
  reason = '';
  /** Whether `BptlState` holds `state` already (a run continued as new inherits its search attributes). */
  shown: boolean;
  /** Whether this run wrote the memo's `state`: the end then closes it. */
  memoWritten = false;

  constructor() {
    const inherited = workflowInfo().typedSearchAttributes.get(BptlState) as TaskState | undefined;
    this.state = inherited ?? TaskStates.UnitRunning;
    this.shown = workflowInfo().typedSearchAttributes.get(BptlState) !== undefined;
  }

  /** Says where the task waits and why: the BptlState search attribute, the memo and the current details. */
  set(next: TaskState, reason: string, error?: unknown): void {
    const now = new Date(Date.now()).toISOString();
    const memo: TaskStateMemo = { state: next, reason, since: now };
    if (error !== undefined) {
      const cause = rootCause(error);
      memo.lastError = { type: failureType(error) ?? cause.name, message: cause.message, at: now };
    }
    if (next !== this.state || !this.shown) upsertSearchAttributes([{ key: BptlState, value: next }]);
    upsertMemo({ state: memo });
    setCurrentDetails(`**${next}** since ${now}\n\n${reason}`);
    this.state = next;
    this.reason = reason;
    this.shown = true;
    this.memoWritten = true;
  }

  /** Shows the workflow closed with `outcome`, and returns its result. */
  end(outcome: ExternalTaskOutcome, extra: Omit<ExternalTaskResult, 'outcome'> = {}): ExternalTaskResult {
    upsertSearchAttributes([
      { key: BptlOutcome, value: outcome },
      { key: BptlState, value: TaskStates.Closed },
    ]);
    if (this.memoWritten) {
      const memo: TaskStateMemo = {
        state: TaskStates.Closed,
        reason: extra.reason ? `${outcome}: ${extra.reason}` : outcome,
        since: new Date(Date.now()).toISOString(),
      };
      upsertMemo({ state: memo });
    }
    setCurrentDetails(`**closed**: ${outcome}${extra.reason ? `\n\n${extra.reason}` : ''}`);
    return { outcome, ...extra };
  }
}
