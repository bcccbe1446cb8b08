/**
 * Starts the workflow of one locked task: a plain start, or signal-with-start for a task that failed before (its
 * running workflow is told). A start that cannot succeed (the input is larger than Temporal accepts, an invalid
 * argument) is reported at once with `retries: 0`, an incident; a transient error (Temporal unreachable) closes
 * the Temporal gate, is tried a few times, then reported as a failure with Camunda retries left and a retry
 * timeout, so the engine offers the task again later and raises an incident after the last.
 */
import type { Client } from '@temporalio/client';
import type { TopicConfig } from '../config/topic-config.ts';
import type { LockedExternalTask } from '../engine/external-task.ts';
import { ensureError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { BptlMetrics } from '../observability/metrics.ts';
import type { ExternalTaskResult } from '../workflows/external-task-input.ts';
import { externalTask } from '../workflows/external-task-workflow.ts';
import { Backoff } from './backoff.ts';
import type { CapacityTracker } from './capacity-tracker.ts';
import type { LockBookkeeping } from './lock-bookkeeping.ts';
import type { PollerStats } from './poller-options.ts';
import { classifyStartError, deterministicStartMessage, transientStartMessage } from './start-error.ts';
import { workflowStart } from './task-to-workflow.ts';
import type { TemporalGate } from './temporal-gate.ts';

/** Tries of one workflow start that fails for a transient reason, 250 ms to 4 s apart. */
export const START_ATTEMPTS = 5;
/**
 * The Camunda retries of a task whose workflow could not be started (transient), when the task has none yet:
 * the failure reports this many minus one, so with 3 Camunda offers the task twice more, and the third failure is
 * an incident. A task that has retries (it failed before) counts down from its own.
 */
export const START_FAILURE_CAMUNDA_RETRIES = 3;
/** How long Camunda waits before it offers again a task whose workflow could not be started. */
export const START_FAILURE_RETRY_TIMEOUT_MS = 60_000;

/** What the poller does when a workflow start fails for a transient reason. */
export interface StartRetryOptions {
  /** Tries of one start before the failure is reported to the engine. @default 5 (START_ATTEMPTS) */
  attempts?: number;
  /** Camunda retries of a task that has none yet. @default 3 (START_FAILURE_CAMUNDA_RETRIES) */
  camundaRetries?: number;
  /** Camunda's wait before it offers the task again, in ms. @default 60000 (START_FAILURE_RETRY_TIMEOUT_MS) */
  retryTimeoutMs?: number;
}

export interface WorkflowStarterOptions {
  engine: string;
  workerId: string;
  taskQueue: string;
  workUnitTaskQueue: string;
  eagerStart?: boolean;
  startRetry?: StartRetryOptions;
  temporal: Client;
  capacity: CapacityTracker;
  locks: LockBookkeeping;
  gate: TemporalGate;
  stats: PollerStats;
  log: Logger;
  metrics?: BptlMetrics;
}

export class WorkflowStarter {
  private readonly options: WorkflowStarterOptions;

  constructor(options: WorkflowStarterOptions) {
    this.options = options;
  }

  /** Starts the task's workflow, or reports why it cannot be. Never throws. */
  async start(task: LockedExternalTask, topic: TopicConfig, lockedAtMs: number): Promise<void> {
    const { temporal, capacity, stats, log } = this.options;
    const start = workflowStart(task, topic, {
      lockedAtMs,
      engine: this.options.engine,
      workerId: this.options.workerId,
      taskQueue: this.options.taskQueue,
      workUnitTaskQueue: this.options.workUnitTaskQueue,
      ...(this.options.eagerStart ? { eagerStart: true } : {}),
    });
    const { workflowId } = start.options;
    const attempts = this.options.startRetry?.attempts ?? START_ATTEMPTS;
    // The failure must reach the engine while the task is still locked for us: no try starts after half the lock.
    const deadlineMs = lockedAtMs + topic.lockDurationMs / 2;
    const backoff = new Backoff({ initialMs: 250, maxMs: 4_000 });
    // Counted until the workflow's chain of runs closes: one that continued as new still counts.
    // A new one is counted in flight until it closes; one that ends abandoned is counted so (the workflow cannot).
    const metrics = this.options.metrics;
    const labels = { topic: task.topicName };
    const closed = (runId: string) => () => {
      const result = temporal.workflow.result(workflowId, runId, { followRuns: true });
      if (metrics) {
        metrics.inFlight.inc(labels);
        result.then(
          (end: ExternalTaskResult) => {
            metrics.inFlight.dec(labels);
            if (end?.outcome === 'abandoned') metrics.tasksAbandoned.inc(labels);
          },
          () => metrics.inFlight.dec(labels),
        );
      }
      return result;
    };
    const counted = (isNew: boolean) =>
      (isNew ? metrics?.workflowsStarted : metrics?.duplicatesJoined)?.inc(labels);
    for (let attempt = 1; ; attempt++) {
      try {
        if (start.method === 'start') {
          const handle = await temporal.workflow.start(externalTask, start.options);
          if (handle.eagerlyStarted) stats.eagerStarts++;
          counted(capacity.follow(workflowId, closed(handle.firstExecutionRunId)));
        } else {
          const handle = await temporal.workflow.signalWithStart(externalTask, start.options);
          counted(capacity.follow(workflowId, closed(handle.signaledRunId)));
        }
        stats.workflowsStarted++;
        log.debug('workflow started', { workflowId, topic: task.topicName, method: start.method });
        return;
      } catch (error) {
        stats.startErrors++;
        const classified = classifyStartError(error);
        const fields = {
          taskId: task.id,
          workflowId,
          error: ensureError(error),
          reason: classified.status ? `${classified.status}: ${classified.detail}` : classified.detail,
        };
        if (classified.kind === 'deterministic') {
          log.error('cannot start the workflow, and trying again cannot help: raising an incident', fields);
          await this.options.locks.reportStartFailure(task, workflowId, error, {
            errorMessage: deterministicStartMessage(classified, inputBytes(start.options.args)),
            retries: 0,
            retryTimeout: 0,
          });
          return;
        }
        // No more fetches until Temporal answers: the next tasks could not be started either.
        this.options.gate.close(fields.reason);
        const waitMs = backoff.next();
        if (attempt >= attempts || Date.now() + waitMs > deadlineMs) {
          const retries = Math.max(
            0,
            (task.retries ?? this.options.startRetry?.camundaRetries ?? START_FAILURE_CAMUNDA_RETRIES) - 1,
          );
          const retryTimeout = this.options.startRetry?.retryTimeoutMs ?? START_FAILURE_RETRY_TIMEOUT_MS;
          log.error('cannot start the workflow; reporting the failure to the engine', {
            ...fields,
            attempts: attempt,
            camundaRetries: retries,
            retryTimeoutMs: retryTimeout,
          });
          await this.options.locks.reportStartFailure(task, workflowId, error, {
            errorMessage: transientStartMessage(classified, attempt, retryTimeout, retries),
            retries,
            retryTimeout,
          });
          return;
        }
        log.warn('starting the workflow failed; trying again', { ...fields, retryInMs: waitMs });
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }
}

/** The size of a workflow's input as JSON, in bytes (what the default payload converter sends). */
function inputBytes(args: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(args) ?? '');
  } catch {
    return 0;
  }
}
