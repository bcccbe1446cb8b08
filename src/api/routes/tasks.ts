/** External tasks as Temporal sees them: the workflows, found by BPTL's search attributes. */
import { z } from 'zod';
import { type TaskState, TaskStates } from '../../workflows/task-state.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { type Operation, operation } from '../operation.ts';
import { ApiProblem } from '../problem.ts';
import { taskSchema } from '../resource-schemas.ts';
import { EXECUTION_STATUSES, searchTasks, TaskSearchUnavailableError } from '../task-search.ts';

const tasksQuery = z.object({
  status: z.enum(EXECUTION_STATUSES).default('Running'),
  topic: z.string().min(1).optional(),
  /** Only tasks in this state, e.g. `completion-refused` (docs/operations.md, "Stuck tasks"). */
  state: z.enum(Object.values(TaskStates) as [TaskState, ...TaskState[]]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

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
        try {
          const page = await searchTasks(deps.temporal, { status, topic, state }, { pageSize: limit });
          return c.json(page.tasks);
        } catch (error) {
          // Not the caller's fault, and not a fault of this API either.
          if (error instanceof TaskSearchUnavailableError) throw new ApiProblem(503, error.message);
          throw error;
        }
      },
    }),
  ];
}
