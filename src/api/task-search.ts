/**
 * Finding external tasks' workflows in Temporal's visibility by BPTL's search attributes: the query a filter
 * makes, and a page of rows (with the memo's reason) and the token of the next. The API's GET /tasks and the
 * console's task list use it. A Temporal that does not answer, is too slow, or lacks BPTL's search attributes
 * is a TaskSearchUnavailableError (its cause kept), never a hang.
 */
import { createHash } from 'node:crypto';
import { type Client, isGrpcServiceError, ServiceError } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import type { TaskState, TaskStateMemo } from '../workflows/task-state.ts';

/** Temporal's execution statuses, as its list filter names them. */
export const EXECUTION_STATUSES = [
  'Running',
  'Completed',
  'Failed',
  'Terminated',
  'Canceled',
  'TimedOut',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** How the external-task workflow ended (BptlOutcome). */
export const TASK_OUTCOMES = ['completed', 'failed', 'bpmn-error', 'abandoned'] as const;

export interface TaskFilter {
  status?: ExecutionStatus | undefined;
  topic?: string | undefined;
  state?: TaskState | undefined;
  outcome?: string | undefined;
  processInstanceId?: string | undefined;
  businessKey?: string | undefined;
  startedAfter?: Date | undefined;
  startedBefore?: Date | undefined;
}

/** One task's workflow run as a list shows it. */
export interface TaskRow {
  workflowId: string;
  runId: string;
  status: string;
  startTime: Date;
  closeTime: Date | null;
  engine: string | undefined;
  topic: string | undefined;
  workUnit: string | undefined;
  processInstanceId: string | null;
  businessKey: string | null;
  outcome: string | null;
  state: string | null;
  reason: string | null;
}

export interface TaskPage {
  tasks: TaskRow[];
  /** Opaque (base64url): pass it back for the next page; undefined on the last. */
  nextPageToken: string | undefined;
}

/** Temporal could not list the workflows. */
export class TaskSearchUnavailableError extends Error {
  override readonly name = 'TaskSearchUnavailableError';
  constructor(options: { cause: unknown }) {
    // A ServiceError says little of its own; the gRPC error it wraps says what failed.
    const { cause } = options;
    const inner = cause instanceof ServiceError && cause.cause instanceof Error ? cause.cause : cause;
    super(
      `Temporal could not list the workflows${inner instanceof Error ? `: ${inner.message}` : ''}`,
      options,
    );
  }
}

/** How long listing may take: a Temporal that does not answer must not hang the caller. */
export const SEARCH_TIMEOUT_MS = 10_000;

/** Escapes a value for a Temporal list-filter string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The visibility query of a filter: BPTL's workflows only (they carry BptlTopic). */
export function taskQuery(filter: TaskFilter): string {
  const query = ['BptlTopic IS NOT NULL'];
  if (filter.status) query.unshift(`ExecutionStatus = ${literal(filter.status)}`);
  if (filter.topic) query.push(`BptlTopic = ${literal(filter.topic)}`);
  if (filter.state) query.push(`BptlState = ${literal(filter.state)}`);
  if (filter.outcome) query.push(`BptlOutcome = ${literal(filter.outcome)}`);
  if (filter.processInstanceId) query.push(`BptlProcessInstanceId = ${literal(filter.processInstanceId)}`);
  if (filter.businessKey) query.push(`BptlBusinessKey = ${literal(filter.businessKey)}`);
  if (filter.startedAfter) query.push(`StartTime >= ${literal(filter.startedAfter.toISOString())}`);
  if (filter.startedBefore) query.push(`StartTime < ${literal(filter.startedBefore.toISOString())}`);
  return query.join(' AND ');
}

/** A `pageToken` that is not one this API gave (a 400 naming `pageToken`). */
export class BadPageTokenError extends Error {
  override readonly name = 'BadPageTokenError';
}

/** A check sum over Temporal's token, so that a token made up by a client never reaches Temporal. */
function pageTokenSum(token: Buffer): string {
  return createHash('sha256').update('bptl page token\0').update(token).digest('base64url').slice(0, 12);
}

/** Temporal's page token as the API hands it out: `<base64url token>.<check sum>`. */
export function sealPageToken(token: Buffer): string {
  return `${token.toString('base64url')}.${pageTokenSum(token)}`;
}

/** Temporal's page token of a token this API gave; throws BadPageTokenError for any other text. */
export function openPageToken(text: string): Buffer {
  const [body = '', sum, ...rest] = text.split('.');
  const token = Buffer.from(body, 'base64url');
  if (rest.length > 0 || sum === undefined || token.length === 0 || pageTokenSum(token) !== sum) {
    throw new BadPageTokenError('pageToken: not a token of this API (take it from the Link header)');
  }
  return token;
}

/** One page of tasks, newest first. */
export async function searchTasks(
  temporal: Client,
  filter: TaskFilter,
  options: { pageSize: number; pageToken?: string | undefined },
): Promise<TaskPage> {
  const namespace = temporal.options.namespace;
  const list = async (): Promise<TaskPage> => {
    const response = await temporal.workflowService.listWorkflowExecutions({
      namespace,
      query: taskQuery(filter),
      pageSize: options.pageSize,
      ...(options.pageToken ? { nextPageToken: openPageToken(options.pageToken) } : {}),
    });
    const tasks: TaskRow[] = [];
    for (const raw of response.executions ?? []) {
      // A memo this process cannot decode (another codec key) must not hide the other rows: the row is shown
      // without it, saying why.
      let unreadable: string | undefined;
      const w = await executionInfoFromRaw(raw, temporal.options.loadedDataConverter, raw, namespace).catch(
        (error: unknown) => {
          unreadable = `the memo cannot be decoded (${error instanceof Error ? error.message : String(error)}): is BPTL_CODEC_KEYS the workers' key?`;
          return executionInfoFromRaw(
            { ...raw, memo: null },
            temporal.options.loadedDataConverter,
            raw,
            namespace,
          );
        },
      );
      const attrs = w.typedSearchAttributes.getAll();
      const get = (name: string) => attrs.find((p) => p.key.name === name)?.value as string | undefined;
      tasks.push({
        workflowId: w.workflowId,
        runId: w.runId,
        status: w.status.name,
        startTime: w.startTime,
        closeTime: w.closeTime ?? null,
        engine: get('BptlEngine'),
        topic: get('BptlTopic'),
        workUnit: get('BptlWorkUnit'),
        processInstanceId: get('BptlProcessInstanceId') ?? null,
        businessKey: get('BptlBusinessKey') ?? null,
        outcome: get('BptlOutcome') ?? null,
        state: get('BptlState') ?? null,
        reason: unreadable ?? (w.memo as { state?: TaskStateMemo } | undefined)?.state?.reason ?? null,
      });
    }
    const token = response.nextPageToken;
    return {
      tasks,
      nextPageToken: token && token.length > 0 ? sealPageToken(Buffer.from(token)) : undefined,
    };
  };
  try {
    return await temporal.connection.withDeadline(Date.now() + SEARCH_TIMEOUT_MS, list);
  } catch (error) {
    // Temporal unreachable, too slow, or without BPTL's search attributes (a server not set up for BPTL).
    if (error instanceof ServiceError || isGrpcServiceError(error)) {
      throw new TaskSearchUnavailableError({ cause: error });
    }
    throw error;
  }
}
