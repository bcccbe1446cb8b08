/**
 * The activity interfaces, shared by the activity implementations and the workflow (which imports them
 * with `import type` only).
 */
import type { CamundaVariables } from '../engine/variables.ts';
import type { TaskSnapshot } from '../workflows/external-task-input.ts';

export interface RunWorkUnitInput {
  workUnit: string;
  /** The topic's service bindings: alias → service name. */
  services?: Record<string, string>;
  engine: string;
  task: Omit<TaskSnapshot, 'variables'>;
  variables: CamundaVariables;
}

/** A work unit either returns variables, or raises a BPMN error; any other failure is thrown. */
export type WorkUnitResult =
  | { outcome: 'completed'; variables: CamundaVariables; localVariables?: CamundaVariables }
  | { outcome: 'bpmn-error'; errorCode: string; errorMessage: string; variables: CamundaVariables };

export interface WorkUnitActivities {
  /** Decodes the variables, validates them against the unit's input, runs it and encodes its output. */
  runWorkUnit(input: RunWorkUnitInput): Promise<WorkUnitResult>;
}

interface TaskCommand {
  engine: string;
  taskId: string;
  workerId: string;
}

/** What keepLock did: extended the lock, took it again after it expired, or found the task lost. */
export type KeepLockResult = { status: 'extended' | 'relocked' } | { status: 'lost'; reason: string };

export interface EngineActivities {
  completeTask(
    command: TaskCommand & { variables: CamundaVariables; localVariables?: CamundaVariables },
  ): Promise<void>;
  /** Extends the lock; re-takes it if it expired; says 'lost' when the task is gone or held by another worker. */
  keepLock(command: TaskCommand & { lockDurationMs: number }): Promise<KeepLockResult>;
  /** POSTs a JSON body to a task's callbackUrl; a 4xx is final, anything else is retried. */
  postCallback(request: { url: string; body: unknown }): Promise<void>;
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
}

/** Failure types that the activities throw; the workflow reacts to the type, never to the message. */
export const FailureTypes = {
  /** The engine answered 404: the task was completed, cancelled or its instance deleted. */
  TaskGone: 'EngineTaskGone',
  /** Another worker holds the task's lock. */
  TaskLost: 'EngineTaskLost',
  /** The engine refused the call with another 4xx (e.g. a variable it cannot convert). */
  EngineRejected: 'EngineRejected',
  /** The workflow names an engine this worker has no client for. */
  UnknownEngine: 'UnknownEngine',
} as const;
