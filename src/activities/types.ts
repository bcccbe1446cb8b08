/**
 * The activity interfaces, shared by the activity implementations and the workflow (which imports them
 * with `import type` only).
 */
import type { CamundaVariables } from '../engine/variables.ts';
import type { OutboundRequest } from '../work-units/outbound-log.ts';
import type { TaskSnapshot, TopicOutboundSnapshot } from '../workflows/external-task-input.ts';

/** The lock a work unit's runner keeps while the unit runs (renewed at half its duration). */
export interface RunnerLock {
  /** The worker id the task is locked for. */
  workerId: string;
  lockDurationMs: number;
  /** When the lock expires at the latest (epoch ms), as the workflow knows it. */
  expiresAtMs: number;
}

export interface RunWorkUnitInput {
  workUnit: string;
  /**
   * The attempt, from 1, as the workflow counts it (the workflow runs each attempt as an activity of its own).
   * @default the activity's own attempt
   */
  attempt?: number;
  /**
   * The task's lock, renewed by the runner while the unit runs: a unit that runs for days adds nothing to the
   * workflow's history. When the task is gone or another worker holds it, the unit is aborted and the attempt
   * fails with TaskGone or TaskLost. Absent (no renewal) for units run outside of a task.
   */
  lock?: RunnerLock;
  /** The topic's service bindings: alias → service name. */
  services?: Record<string, string>;
  /** The topic's outbound settings; absent: the global policy's. */
  outbound?: TopicOutboundSnapshot;
  /** The applications (`bptlAppId`) the topic's tasks may name; absent: any the bound services have credentials of. */
  applications?: string[];
  engine: string;
  task: Omit<TaskSnapshot, 'variables'>;
  variables: CamundaVariables;
}

/** A work unit either returns variables, or raises a BPMN error; any other failure is thrown. */
export type WorkUnitResult = (
  | { outcome: 'completed'; variables: CamundaVariables; localVariables?: CamundaVariables }
  | { outcome: 'bpmn-error'; errorCode: string; errorMessage: string; variables: CamundaVariables }
) & {
  /** The lock as the runner left it, when it renewed it at least once. */
  lock?: LockState;
} & OutboundRequests;

/** The outbound requests of an attempt (for the console; the workflow ignores them). Absent when none. */
export interface OutboundRequests {
  requests?: OutboundRequest[];
  /** How many more requests were made than `requests` keeps. */
  requestsDropped?: number;
}

/** The lock after the runner's last renewal. */
export interface LockState {
  status: 'extended' | 'relocked';
  /** When it expires (epoch ms). */
  expiresAtMs: number;
  /** How many times the runner renewed it during the attempt. */
  renewals: number;
}

/** What a failed attempt carries in its ApplicationFailure details[0]. */
export interface AttemptFailureDetails extends OutboundRequests {
  attempt?: number;
  /** The lock as the runner left it, when it renewed it. */
  lock?: LockState;
}

export interface WorkUnitActivities {
  /** Decodes the variables, validates them against the unit's input, runs it and encodes its output. */
  runWorkUnit(input: RunWorkUnitInput): Promise<WorkUnitResult>;
}

interface TaskCommand {
  engine: string;
  taskId: string;
  workerId: string;
  /** The task's topic, for the worker's metrics (absent in the commands of workflows started before it). */
  topic?: string;
}

/** What keepLock did: extended the lock, took it again after it expired, or found the task lost. */
export type KeepLockResult =
  | { status: 'extended' | 'relocked' }
  /** `gone`: the task no longer exists; `lost`: another worker holds it. */
  | { status: 'lost'; reason: string; kind?: 'gone' | 'lost' };

export interface EngineActivities {
  completeTask(
    command: TaskCommand & { variables: CamundaVariables; localVariables?: CamundaVariables },
  ): Promise<void>;
  /** Extends the lock; re-takes it if it expired; says 'lost' when the task is gone or held by another worker. */
  keepLock(command: TaskCommand & { lockDurationMs: number }): Promise<KeepLockResult>;
  /**
   * POSTs a JSON body to a task's callbackUrl, under the outbound policy (the topic's `allowedOrigins`, else the
   * global ones); a 4xx or a refused URL is final, anything else is retried.
   */
  postCallback(request: { url: string; body: unknown; allowedOrigins?: string[] }): Promise<void>;
  reportFailure(
    command: TaskCommand & {
      errorMessage: string;
      errorDetails: string;
      retries: number;
      retryTimeoutMs: number;
    },
  ): Promise<void>;
  throwBpmnError(
    command: TaskCommand & { errorCode: string; errorMessage: string; variables: CamundaVariables },
  ): Promise<void>;
  /** Reads the task: whether it exists, its retries (0: an incident is open) and who holds its lock. */
  inspectTask(command: { engine: string; taskId: string }): Promise<TaskInspection>;
  /**
   * Whether the engine's history records that `workerId` completed the task (a success log): a completion
   * whose answer was lost, retried, finds the task gone although it landed. False when the history says
   * otherwise or is not kept.
   */
  completedBy(command: { engine: string; taskId: string; workerId: string }): Promise<boolean>;
}

/** What the engine says of a task now. */
export type TaskInspection =
  | { exists: false }
  | { exists: true; retries: number | null; workerId: string | null; lockExpirationTime: string | null };

/**
 * Failure types that the activities throw; the workflow reacts to the type, never to the message. The engine
 * types follow EngineError's `kind` (src/engine/engine-error.ts).
 */
export const FailureTypes = {
  /** The engine answered 404: the task was completed, cancelled or its instance deleted. Final. */
  TaskGone: 'EngineTaskGone',
  /** Another worker holds the task's lock. Final. */
  TaskLost: 'EngineTaskLost',
  /** The engine refused the call with another 4xx (e.g. a variable it cannot convert). Final. */
  EngineRejected: 'EngineRejected',
  /**
   * The engine took the call but its next synchronous step failed (a 5xx such as ProcessEngineException):
   * deterministic; the workflow tries a few times, then raises an incident and keeps the output.
   */
  EngineRefused: 'EngineRefused',
  /** No answer, or an answer that says "try again" (502/503/504, 408/429, optimistic locking): retried. */
  EngineUnavailable: 'EngineUnavailable',
  /** The process instance is suspended: retried until an operator activates it. */
  EngineSuspended: 'EngineSuspended',
  /**
   * The workflow names an engine this worker has no client for (it lags the configuration store): retried
   * for ENGINE_UNKNOWN_LIMIT_MS, then final.
   */
  UnknownEngine: 'UnknownEngine',
  /** No work unit of that name on the worker that took the attempt (it runs an older version): retried a while. */
  UnknownWorkUnit: 'UnknownWorkUnit',
} as const;

/** How long an engine call is retried while the worker does not know the task's engine. */
export const ENGINE_UNKNOWN_LIMIT_MS = 10 * 60_000;
