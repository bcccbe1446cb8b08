/**
 * Work-unit results that reach Temporal while the worker shuts down. The work units run on a worker of their own
 * (bptl-worker.ts), which stops first; a result it reports then brings a workflow task to the main worker, which
 * reports the outcome to the engine. Stopping the main worker as soon as the work units' worker has stopped would
 * race that workflow task, and the task would stay locked in the engine until another worker came. So the main
 * worker stops once each workflow whose unit finished during the shutdown has reported to the engine, or after a
 * deadline (a unit that failed and will be retried by another worker never reports here).
 */
import { Context } from '@temporalio/activity';
import type { EngineActivities, WorkUnitActivities } from '../activities/index.ts';

/** The engine activities that report a work unit's outcome: after one of them, the workflow has handed it on. */
const REPORTS = ['completeTask', 'reportFailure', 'throwBpmnError'] as const;

export class ResultHandoff {
  private stopping = false;
  /** Workflow ids whose unit finished during the shutdown and that have not reported to the engine yet. */
  private readonly waiting = new Set<string>();
  private changed: (() => void) | undefined;

  /** From now on, results of work units are awaited. */
  startStopping(): void {
    this.stopping = true;
  }

  /** The work-unit activities, noting each unit that finishes during the shutdown. */
  workUnits(activities: WorkUnitActivities): WorkUnitActivities {
    return {
      ...activities,
      runWorkUnit: async (input) => {
        const result = await activities.runWorkUnit(input);
        const workflowId = Context.current().info.workflowExecution?.workflowId;
        if (this.stopping && workflowId) this.waiting.add(workflowId);
        return result;
      },
    };
  }

  /** The engine activities, noting each workflow that has reported its outcome. */
  engine(activities: EngineActivities): EngineActivities {
    const wrapped = { ...activities };
    for (const name of REPORTS) {
      const report = activities[name] as (command: never) => Promise<void>;
      (wrapped[name] as (command: never) => Promise<void>) = async (command) => {
        await report(command);
        const workflowId = Context.current().info.workflowExecution?.workflowId;
        if (workflowId && this.waiting.delete(workflowId)) this.changed?.();
      };
    }
    return wrapped;
  }

  /** Resolves when every result awaited has been reported, or after `deadlineMs`. */
  async reported(deadlineMs: number): Promise<void> {
    if (this.waiting.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, deadlineMs);
      this.changed = () => {
        if (this.waiting.size > 0) return;
        clearTimeout(timer);
        resolve();
      };
    });
    this.changed = undefined;
  }
}
