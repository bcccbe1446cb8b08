/**
 * What the poller hands the external-task workflow, and what the workflow returns. Plain JSON, so it is
 * readable in Temporal's Web UI; the task's variables stay in Camunda's wire form until the work-unit
 * activity decodes them, so a variable that cannot be read fails that task, never the poller.
 */
import type { WorkUnitResult } from '../activities/types.ts';
import type { CamundaVariables } from '../engine/variables.ts';

/** The locked task, as fetched. */
export interface TaskSnapshot {
  id: string;
  topicName: string;
  processInstanceId?: string;
  processDefinitionId?: string;
  processDefinitionKey?: string;
  businessKey?: string;
  activityId?: string;
  tenantId?: string;
  /** Camunda's retries: absent until a failure set them. */
  retries?: number;
  /** When the lock that the poller took expires (ISO-8601). */
  lockExpirationTime?: string;
  variables: CamundaVariables;
}

/** The topic's settings when the task was fetched: a configuration change never alters a running workflow. */
export interface TopicSnapshot {
  topic: string;
  workUnit: string;
  lockDurationMs: number;
  retry: {
    initialIntervalMs: number;
    backoffCoefficient: number;
    maximumIntervalMs: number;
    maximumAttempts: number;
  };
  startToCloseTimeoutMs: number;
  /** A work unit that has not heartbeated for this long is considered lost (its worker died) and retried. */
  heartbeatTimeoutMs: number;
  /** Service bindings: the unit's alias → a service of the configuration store. */
  services?: Record<string, string>;
  /** The applications (`bptlAppId`) the topic's tasks may name; absent: any (and in workflows started before). */
  applications?: string[];
  camundaRetries: number;
  camundaRetryTimeoutMs: number;
  /**
   * How often a completion (or BPMN error) that the engine refuses — its next synchronous step fails — is
   * tried before BPTL raises an incident and keeps the output for the incident's retry. Absent in workflows
   * started before the setting existed: DEFAULT_REFUSED_COMPLETION_ATTEMPTS.
   */
  refusedCompletionAttempts?: number;
  /**
   * Where the work unit runs: an activity on the work-unit task queue, or a local activity inside the workflow
   * task. Absent in workflows started before the setting existed: `activity`.
   */
  execution?: 'activity' | 'local';
  /** The topic's outbound settings (allowed origins of http-request and the callback); absent: the global ones. */
  outbound?: TopicOutboundSnapshot;
}

/** A topic's `outbound` settings, as the work unit and the callback get them. */
export interface TopicOutboundSnapshot {
  allowedOrigins?: string[];
  errorDetails?: boolean;
}

export interface ExternalTaskInput {
  /** The engine's name in the configuration; activities resolve its URL and credentials by it. */
  engine: string;
  /** The worker id the task is locked for; every engine call sends it. */
  workerId: string;
  /** Task queue of the work-unit activities. */
  workUnitTaskQueue: string;
  task: TaskSnapshot;
  topic: TopicSnapshot;
  /** When the poller received the lock (epoch ms): the lock expires `lockDurationMs` after it at the latest. */
  lockedAtMs?: number;
  /** Set when the workflow continued as new during a long wait: where to go on. */
  resume?: ResumeState;
}

/** Where a workflow that continued as new goes on (its history had grown long during a wait). */
export type ResumeState =
  /** The work unit's attempt `attempt` is next (the back-off before it is over). */
  | { phase: 'retry'; attempt: number }
  /** The engine refused to take the unit's result; an incident is open; the result is kept. */
  | { phase: 'refused'; result: WorkUnitResult; refusal: string };

/** See TopicSnapshot.refusedCompletionAttempts. */
export const DEFAULT_REFUSED_COMPLETION_ATTEMPTS = 3;

/** How a task's workflow ended. */
export type ExternalTaskOutcome = 'completed' | 'failed' | 'bpmn-error' | 'abandoned';

export interface ExternalTaskResult {
  outcome: ExternalTaskOutcome;
  /** Why, for every outcome but completed. */
  reason?: string;
  /** Names of the variables set on completion (never their values). */
  variables?: string[];
  /** Whether the task's callbackUrl was called, when it had one. */
  callback?: 'sent' | 'failed';
}

/** The workflow id of a task: a task fetched twice maps to the same workflow. */
export function externalTaskWorkflowId(engine: string, taskId: string): string {
  return `camunda/${engine}/${taskId}`;
}
