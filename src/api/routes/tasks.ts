/** External tasks as Temporal sees them: the workflows, found by BPTL's search attributes. */
import { ServiceError } from '@temporalio/client';
import { z } from 'zod';
import { type TaskState, type TaskStateMemo, TaskStates } from '../../workflows/task-state.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { type Operation, operation } from '../operation.ts';
import { ApiProblem } from '../problem.ts';
import { taskSchema } from '../resource-schemas.ts';

const tasksQuery = z.object({
  status: z.enum(['Running', 'Completed', 'Failed', 'Terminated', 'Canceled', 'TimedOut']).default('Running'),
  topic: z.string().min(1).optional(),
  /** Only tasks in this state, e.g. `completion-refused` (docs/operations.md, "Stuck tasks"). */
  state: z.enum(Object.values(TaskStates) as [TaskState, ...TaskState[]]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** How long listing may take before the answer is 503: a Temporal that does not answer must not hang the API. */
const LIST_TIMEOUT_MS = 10_000;

/** Escapes a value for a Temporal list-filter string literal. */
function literal(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function taskOperations(deps: ApiDependencies): Operation[] {
  return [
    operation({
      method: 'get',
      path: '/tasks',
      operationId: 'listTasks',
      tag: 'tasks',
      summary: "List external tasks' workflows in Temporal",
      access: 'viewer',
      query: tasksQuery,
      responses: { 200: { description: 'newest first', schema: z.array(taskSchema) } },
      problems: [400, 503],
      handler: async (c, { query: { status, topic, state, limit } }) => {
        if (!deps.temporal) throw new ApiProblem(503, 'Temporal is not connected');
        const query = [`ExecutionStatus = ${literal(status)}`, 'BptlTopic IS NOT NULL'];
        if (topic) query.push(`BptlTopic = ${literal(topic)}`);
        if (state) query.push(`BptlState = ${literal(state)}`);
        const temporal = deps.temporal;
        const list = async () => {
          const tasks = [];
          for await (const w of temporal.workflow.list({ query: query.join(' AND '), pageSize: limit })) {
            const attrs = w.typedSearchAttributes;
            const get = (name: string) => attrs.getAll().find((p) => p.key.name === name)?.value;
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
              reason: (w.memo as { state?: TaskStateMemo } | undefined)?.state?.reason ?? null,
            });
            if (tasks.length >= limit) break;
          }
          return tasks;
        };
        let tasks: Awaited<ReturnType<typeof list>>;
        try {
          tasks = await temporal.connection.withDeadline(Date.now() + LIST_TIMEOUT_MS, list);
        } catch (error) {
          // Temporal unreachable, too slow, or without BPTL's search attributes (a server not set up for BPTL):
          // not the caller's fault, and not a fault of this API either.
          if (!(error instanceof ServiceError)) throw error;
          const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
          throw new ApiProblem(503, `Temporal could not list the workflows${cause}`);
        }
        return c.json(tasks);
      },
    }),
  ];
}
