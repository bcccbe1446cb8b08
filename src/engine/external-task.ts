/**
 * The shape of a locked external task as `fetchAndLock` returns it, parsed at the boundary with zod.
 * Unknown fields are kept out; fields the engine may send as null are optional.
 */
import { z } from 'zod';
import { engineVariableSchema } from './camunda-variable.ts';

export const lockedExternalTaskSchema = z.object({
  id: z.string().min(1),
  topicName: z.string(),
  workerId: z.string().nullish(),
  lockExpirationTime: z.string().nullish(),
  createTime: z.string().nullish(),
  retries: z.number().int().nullish(),
  errorMessage: z.string().nullish(),
  activityId: z.string().nullish(),
  activityInstanceId: z.string().nullish(),
  executionId: z.string().nullish(),
  processDefinitionId: z.string().nullish(),
  processDefinitionKey: z.string().nullish(),
  processDefinitionVersionTag: z.string().nullish(),
  processInstanceId: z.string().nullish(),
  businessKey: z.string().nullish(),
  tenantId: z.string().nullish(),
  priority: z.number().nullish(),
  variables: z.record(z.string(), engineVariableSchema).nullish(),
});

/** A task locked for us by `fetchAndLock`. */
export type LockedExternalTask = z.infer<typeof lockedExternalTaskSchema>;

/**
 * One entry of `GET /external-task?workerId=…&locked=true` (an `ExternalTaskDto`): only the fields BPTL reads.
 * Parsed like fetchAndLock's answer, so that a changed or broken engine answer fails here, with the problem named,
 * instead of as an undefined id further on.
 */
export const externalTaskSchema = z.object({
  id: z.string().min(1),
  topicName: z.string(),
  workerId: z.string().nullish(),
  lockExpirationTime: z.string().nullish(),
  retries: z.number().int().nullish(),
});

/** An external task as the task query returns it. */
export type ExternalTask = z.infer<typeof externalTaskSchema>;

/** One topic of a `fetchAndLock` request. */
export interface FetchTopic {
  topicName: string;
  lockDuration: number;
  variables?: string[];
  localVariables?: boolean;
  deserializeValues?: boolean;
  businessKey?: string;
  processDefinitionKey?: string;
  processDefinitionKeyIn?: string[];
  tenantIdIn?: string[];
  withoutTenantId?: boolean;
}

/** The body of `POST /external-task/fetchAndLock`. */
export interface FetchAndLockRequest {
  workerId: string;
  maxTasks: number;
  usePriority?: boolean;
  asyncResponseTimeout?: number;
  topics: FetchTopic[];
}
