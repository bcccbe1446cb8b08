/**
 * Work units (read-only, from the registry): name, description, required service aliases, and the input and
 * output JSON Schemas. `POST /work-units/{name}/run` runs one through Temporal (workflow `runWorkUnitOnce` on
 * the workflow task queue, the unit itself on the work-unit task queue, one attempt) and answers its output,
 * or 504 when it does not finish within `timeoutMs`.
 */
import { randomUUID } from 'node:crypto';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { z } from 'zod';
import { type CamundaVariables, decodeVariables, encodeVariable } from '../../engine/variables.ts';
import { ensureError } from '../../errors.ts';
import { describeWorkUnit } from '../../work-units/describe-work-unit.ts';
import { runWorkUnitOnce } from '../../workflows/run-work-unit-workflow.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { type Operation, operation } from '../operation.ts';
import { pageQuery, sendStorePage } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { param } from '../request.ts';
import {
  runWorkUnitRequestSchema,
  runWorkUnitResultSchema,
  workUnitInfoSchema,
} from '../resource-schemas.ts';

/** Camunda's value types: an object `{type, value, valueInfo?}` with one of these is taken as a typed value. */
const CAMUNDA_TYPES = new Set([
  'String',
  'Boolean',
  'Short',
  'Integer',
  'Long',
  'Double',
  'Date',
  'Json',
  'Xml',
  'Null',
  'Object',
  'Bytes',
  'File',
]);

function isTypedValue(value: unknown): value is CamundaVariables[string] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const type = (value as { type?: unknown }).type;
  return (
    typeof type === 'string' &&
    CAMUNDA_TYPES.has(type) &&
    'value' in value &&
    keys.every((k) => k === 'type' || k === 'value' || k === 'valueInfo')
  );
}

/** Plain JSON values are typed like work-unit output; typed values pass as they are. 400 naming a bad one. */
function toCamundaVariables(variables: Record<string, unknown>): CamundaVariables {
  const result: CamundaVariables = {};
  for (const [name, value] of Object.entries(variables)) {
    try {
      result[name] = isTypedValue(value) ? value : encodeVariable(name, value);
    } catch (error) {
      throw new ApiProblem(400, `variables.${name}: ${ensureError(error).message}`, {
        extensions: { field: `variables.${name}` },
      });
    }
  }
  return result;
}

/** Failure types of the runner that mean the caller's input did not fit (see work-unit-activities.ts). */
const INPUT_FAILURES = new Set(['InputError', 'VariableError', 'UnknownWorkUnit']);

function rootFailure(error: unknown): Error {
  let current = ensureError(error);
  while ((current instanceof WorkflowFailedError || current instanceof ActivityFailure) && current.cause) {
    current = current.cause;
  }
  return current;
}

export function workUnitOperations(deps: ApiDependencies): Operation[] {
  const { registry } = deps;
  const taskQueue = deps.taskQueue ?? 'bptl';
  const workUnitTaskQueue = deps.workUnitTaskQueue ?? `${taskQueue}-work-units`;
  const nameParam = { name: "the work unit's name" };
  return [
    operation({
      method: 'get',
      path: '/work-units',
      operationId: 'listWorkUnits',
      tag: 'work units',
      summary: 'List the work units, with their input and output JSON Schemas',
      description:
        'A page at a time: `limit` and `after`, the next page in the Link header (docs/api.md, "Pagination").',
      access: 'viewer',
      query: pageQuery,
      responses: { 200: { description: 'by name', schema: z.array(workUnitInfoSchema), link: true } },
      problems: [400],
      handler: (c, { query: { limit, after } }) => {
        // The registry is in memory: sorted and sliced here (by code unit, as the store's cursors compare).
        const rows = registry
          .list()
          .filter((unit) => after === undefined || unit.name > after)
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const page = { items: rows.slice(0, limit).map(describeWorkUnit), more: rows.length > limit };
        return sendStorePage(c, page, limit, (unit) => unit.name);
      },
    }),
    {
      method: 'get',
      path: '/work-units/{name}',
      operationId: 'getWorkUnit',
      tag: 'work units',
      summary: 'Get a work unit',
      access: 'viewer',
      params: nameParam,
      responses: { 200: { description: 'the work unit', schema: workUnitInfoSchema } },
      problems: [404],
      handler: (c) => {
        const name = param(c, 'name');
        const unit = registry.get(name);
        if (!unit) throw new ApiProblem(404, `work unit '${name}' does not exist`);
        return c.json(describeWorkUnit(unit));
      },
    },
    operation({
      method: 'post',
      path: '/work-units/{name}/run',
      operationId: 'runWorkUnit',
      tag: 'work units',
      summary: 'Run a work unit through Temporal and return its output',
      description:
        'One attempt, on the work-unit task queue of the running workers. 422 when the variables do not fit the unit, 502 when the unit fails, 504 when it does not finish within timeoutMs (the run is then terminated).',
      access: 'admin',
      params: nameParam,
      body: runWorkUnitRequestSchema,
      responses: { 200: { description: 'the outcome', schema: runWorkUnitResultSchema } },
      problems: [400, 404, 415, 422, 502, 503, 504],
      handler: async (c, { body: request }) => {
        const name = param(c, 'name');
        if (!registry.get(name)) throw new ApiProblem(404, `work unit '${name}' does not exist`);
        const temporal = deps.temporal;
        if (!temporal) throw new ApiProblem(503, 'Temporal is not connected');
        const variables = toCamundaVariables(request.variables);
        const runId = randomUUID();
        const workflowId = `bptl-run/${name}/${runId}`;
        const handle = await temporal.workflow.start(runWorkUnitOnce, {
          taskQueue,
          workflowId,
          args: [{ workUnit: name, variables, workUnitTaskQueue, timeoutMs: request.timeoutMs, runId }],
          // A safety net: the run never outlives its caller's patience by much.
          workflowExecutionTimeout: request.timeoutMs + 10_000,
        });
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), request.timeoutMs);
        });
        try {
          const result = await Promise.race([handle.result(), timedOut]);
          if (result === 'timeout') {
            await handle.terminate('no result within the HTTP time-out').catch(() => {});
            throw new ApiProblem(504, `work unit '${name}' did not finish within ${request.timeoutMs} ms`, {
              extensions: { workflowId },
            });
          }
          if (result.outcome === 'bpmn-error') return c.json({ workflowId, ...result });
          return c.json({ workflowId, output: decodeVariables(result.variables), ...result });
        } catch (error) {
          if (error instanceof ApiProblem) throw error;
          const cause = rootFailure(error);
          const type = cause instanceof ApplicationFailure ? cause.type : undefined;
          if (type && INPUT_FAILURES.has(type)) {
            throw new ApiProblem(422, cause.message, { extensions: { workflowId, failure: type } });
          }
          if (error instanceof WorkflowFailedError && cause.name === 'TimeoutFailure') {
            throw new ApiProblem(504, `work unit '${name}' did not finish within ${request.timeoutMs} ms`, {
              extensions: { workflowId },
            });
          }
          throw new ApiProblem(502, `work unit '${name}' failed: ${cause.message}`, {
            extensions: { workflowId, ...(type ? { failure: type } : {}) },
          });
        } finally {
          clearTimeout(timer);
        }
      },
    }),
  ];
}
