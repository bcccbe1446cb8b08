/**
 * The API's response shapes as zod schemas, for the OpenAPI document (the request shapes are the store's own
 * input schemas). Secrets appear only as `{ "set": true }`.
 */
import { z } from 'zod';
import { camundaVariableSchema } from '../engine/camunda-variable.ts';
import { topicInputSchema } from '../store/schemas.ts';

const meta = {
  version: z.number().int().min(1).describe('starts at 1, +1 per update; the ETag is this number in quotes'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

/** A stored secret as the API shows it. */
const secret = z.object({ set: z.literal(true) }).describe('a stored secret: never returned');

const noAuth = z.object({ type: z.literal('none') });
const basicAuth = z.object({ type: z.literal('basic'), username: z.string(), password: secret });
const bearerAuth = z.object({ type: z.literal('bearer'), token: secret });
const engineAuth = z.discriminatedUnion('type', [noAuth, basicAuth, bearerAuth]);
const serviceAuth = z.discriminatedUnion('type', [
  noAuth,
  basicAuth,
  bearerAuth,
  z.object({ type: z.literal('api-key'), header: z.string(), key: secret }),
  z.object({ type: z.literal('zgw'), clientId: z.string(), secret }),
]);

export const engineRecordSchema = z.object({
  name: z.string(),
  url: z.string(),
  auth: engineAuth,
  workerIdPrefix: z.string().optional(),
  ...meta,
});

export const serviceRecordSchema = z.object({
  name: z.string(),
  baseUrl: z.string(),
  kind: z.string(),
  auth: serviceAuth,
  ...meta,
});

export const credentialRecordSchema = z.object({
  service: z.string(),
  applicationId: z.string(),
  auth: serviceAuth,
  ...meta,
});

export const topicRecordSchema = topicInputSchema.safeExtend(meta);

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  revision: z.number().int().describe('the configuration revision this write made'),
  actor: z.string().describe('who wrote: `token:<name>` for the API'),
  action: z.enum(['create', 'update', 'delete']),
  resourceType: z.enum(['engine', 'service', 'service-credential', 'topic']),
  resourceName: z.string(),
  before: z.unknown().describe('the row before the write, secrets redacted; null for a create'),
  after: z.unknown().describe('the row after the write, secrets redacted; null for a delete'),
});

export const workUnitInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  services: z.array(z.string()).describe('service aliases a topic running this unit must bind'),
  execution: z
    .enum(['activity', 'local'])
    .describe(
      'where the unit runs when its topic names no execution (local: a local activity, for short units)',
    ),
  input: z.record(z.string(), z.unknown()).describe('JSON Schema of the input (process variables)'),
  output: z.record(z.string(), z.unknown()).describe('JSON Schema of the output (variables set)'),
});

export const healthSchema = z.object({ status: z.literal('ok') });

/** GET /readyz: each check by name (`engine:<name>`, `temporal`, `store`), with its error when it failed. */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
});

export const taskSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  status: z.string(),
  startTime: z.iso.datetime(),
  closeTime: z.iso.datetime().nullable(),
  engine: z.string().optional(),
  topic: z.string().optional(),
  workUnit: z.string().optional(),
  processInstanceId: z.string().nullable(),
  businessKey: z.string().nullable(),
  outcome: z.string().nullable(),
  /** Where the task waits now (BptlState, e.g. `completion-refused`), or `closed`; null for older workflows. */
  state: z.string().nullable(),
  /** Why it waits there (the workflow's memo), when it said so. */
  reason: z.string().nullable(),
});

const failureViewSchema = z.object({
  type: z.string().optional(),
  message: z.string(),
  stack: z.string().optional(),
  causes: z.array(z.object({ type: z.string().optional(), message: z.string() })),
});

/** GET /tasks/{engine}/{taskId}: what the console's task detail shows, as JSON. */
export const taskDetailSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  status: z.string(),
  startTime: z.iso.datetime(),
  closeTime: z.iso.datetime().optional(),
  attributes: z.record(z.string(), z.string()).describe("the run's Bptl* search attributes"),
  state: z
    .object({ state: z.string(), reason: z.string().optional() })
    .loose()
    .optional()
    .describe('where the task waits now and why (the workflow memo)'),
  activities: z
    .array(
      z.object({
        activityId: z.string(),
        type: z.string(),
        scheduledAt: z.iso.datetime().optional(),
        closedAt: z.iso.datetime().optional(),
        result: z.string().describe('completed, failed, timed-out, canceled or running'),
        failure: failureViewSchema.optional(),
        requests: z
          .array(
            z.object({
              method: z.string(),
              origin: z.string(),
              path: z.string().describe('without query string'),
              status: z.number().int().optional(),
              code: z.string().optional(),
              durationMs: z.number(),
              at: z.number().describe('epoch ms'),
            }),
          )
          .optional()
          .describe("a work unit attempt's outbound requests: never a header, body or query"),
        requestsDropped: z.number().int().optional(),
        lock: z
          .object({ status: z.string(), renewals: z.number().int(), expiresAt: z.iso.datetime() })
          .optional(),
        keepLock: z.string().optional(),
        payloadError: z.string().optional(),
      }),
    )
    .describe("the run's activities: the work unit's attempts and the engine calls"),
  localActivities: z.number().int(),
  lockRenewals: z.object({}).loose(),
  pending: z.array(
    z.object({
      type: z.string(),
      attempt: z.number().int(),
      state: z.string(),
      lastFailure: failureViewSchema.optional(),
    }),
  ),
  engineTask: z
    .union([
      z.object({ task: z.record(z.string(), z.unknown()) }),
      z.object({ gone: z.literal(true) }),
      z.object({ error: z.string() }),
    ])
    .optional()
    .describe('the external task in the engine now; gone when completed or deleted'),
  historyError: z.string().optional(),
});

export const runWorkUnitRequestSchema = z.strictObject({
  variables: z
    .record(z.string(), z.unknown())
    .default({})
    .describe(
      'the input variables: plain JSON values (typed like work-unit output: String, Boolean, Integer/Long/Double, Json) or Camunda typed values {type, value, valueInfo?}',
    ),
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(300_000)
    .default(30_000)
    .describe('how long to wait for the result; 504 after it'),
});

export const runWorkUnitResultSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('completed'),
    workflowId: z.string(),
    output: z.record(z.string(), z.unknown()).describe('the output, decoded to JSON'),
    variables: z.record(z.string(), camundaVariableSchema).describe('the output as Camunda typed values'),
    localVariables: z.record(z.string(), camundaVariableSchema).optional(),
  }),
  z.object({
    outcome: z.literal('bpmn-error'),
    workflowId: z.string(),
    errorCode: z.string(),
    errorMessage: z.string(),
    variables: z.record(z.string(), camundaVariableSchema),
  }),
]);

export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  issues: z
    .array(
      z.object({
        path: z.array(z.union([z.string(), z.number()])),
        field: z.string(),
        message: z.string(),
        code: z.string().optional(),
      }),
    )
    .optional()
    .describe('400: each field that does not fit, with its path'),
});
