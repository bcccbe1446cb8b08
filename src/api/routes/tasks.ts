/** External tasks as Temporal sees them: the workflows, found by BPTL's search attributes. */
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { MAX_TOPIC_LENGTH } from '../../config/names.ts';
import { loadTaskDetail } from '../../console/task-detail.ts';
import { GrpcStatus, grpcCause } from '../../poller/start-error.ts';
import { type TaskState, TaskStates } from '../../workflows/task-state.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { type Operation, operation } from '../operation.ts';
import { limitParam, sendPage } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { taskDetailSchema, taskSchema } from '../resource-schemas.ts';
import {
  BadPageTokenError,
  EXECUTION_STATUSES,
  searchTasks,
  TaskSearchUnavailableError,
} from '../task-search.ts';

const tasksQuery = z.object({
  status: z.enum(EXECUTION_STATUSES).default('Running'),
  topic: z.string().min(1).max(MAX_TOPIC_LENGTH).optional(),
  /** Only tasks in this state, e.g. `completion-refused` (docs/operations.md, "Stuck tasks"). */
  state: z.enum(Object.values(TaskStates) as [TaskState, ...TaskState[]]).optional(),
  limit: limitParam,
  pageToken: z
    .string()
    .max(4_096)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'the page token, as the Link header gives it')
    .optional()
    .describe('the next page: the token the Link header\'s rel="next" gives (opaque)'),
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
      description:
        'A page at a time: `limit` and the opaque `pageToken` of the Link header (docs/api.md, "Pagination"). A token this API did not give is a 400.',
      responses: { 200: { description: 'newest first', schema: z.array(taskSchema), link: true } },
      problems: [400, 503],
      handler: async (c, { query: { status, topic, state, limit, pageToken } }) => {
        if (!deps.temporal) throw new ApiProblem(503, 'Temporal is not connected');
        try {
          const page = await searchTasks(
            deps.temporal,
            { status, topic, state },
            { pageSize: limit, pageToken },
          );
          const next = page.nextPageToken === undefined ? undefined : { pageToken: page.nextPageToken };
          return sendPage(c, page.tasks, next, limit);
        } catch (error) {
          // Not the caller's fault, and not a fault of this API either.
          if (error instanceof TaskSearchUnavailableError) throw new ApiProblem(503, error.message);
          if (error instanceof BadPageTokenError) {
            throw new ApiProblem(400, error.message, { cause: error });
          }
          throw error;
        }
      },
    }),
    operation({
      method: 'get',
      path: '/tasks/{engine}/{taskId}',
      operationId: 'getTask',
      tag: 'tasks',
      summary: "One external task's workflow: its attempts, their outbound requests and failures",
      description:
        "What the console's task detail shows, as JSON: the run's status and search attributes, where it waits and why, each attempt of the work unit with its outbound requests (method, origin, path, status or error code — never a header, body or query string) and failure, the engine calls, and the external task as the engine has it now. `runId` picks an earlier run.",
      access: 'viewer',
      params: { engine: "the engine's name", taskId: "Camunda's external task id" },
      query: z.object({ runId: z.uuid().optional().describe('a run id of the workflow (a UUID)') }),
      responses: { 200: { description: 'the task', schema: taskDetailSchema } },
      problems: [400, 404, 503],
      handler: async (c, { query: { runId } }) => {
        if (!deps.temporal) throw new ApiProblem(503, 'Temporal is not connected');
        const workflowId = `camunda/${c.req.param('engine')}/${c.req.param('taskId')}`;
        const temporal = deps.temporal;
        try {
          const detail = await temporal.connection.withDeadline(Date.now() + 10_000, () =>
            loadTaskDetail(temporal, deps.engines, workflowId, runId),
          );
          return c.json(detail, 200);
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) {
            throw new ApiProblem(
              404,
              `Temporal has no workflow ${workflowId}${runId ? ` run ${runId}` : ''}`,
            );
          }
          // A workflow id Temporal refuses (too long, say): the request's fault, in Temporal's words.
          const grpc = grpcCause(error);
          if (grpc?.code === GrpcStatus.INVALID_ARGUMENT) {
            throw new ApiProblem(400, `Temporal refuses ${workflowId}: ${grpc.details}`, { cause: error });
          }
          throw error;
        }
      },
    }),
  ];
}
