/**
 * Engine and topic settings: which engines BPTL polls, and for each topic the work unit that handles it,
 * its lock and retry settings. Parsed by zod; unknown keys are errors, so a typo never goes unnoticed.
 */
import { z } from 'zod';
import { parseOriginPattern } from '../http/outbound-policy.ts';
import { MIN_LOCAL_LOCK_DURATION_MS, minLocalLockReason } from './lock-timings.ts';
import { MAX_DESCRIPTION_LENGTH, resourceNameSchema, serviceAliasSchema, topicNameSchema } from './names.ts';
import {
  camundaTextSchema,
  MAX_SECRET_LENGTH,
  MAX_SERVICE_BINDINGS,
  MAX_TENANT_IDS,
  MAX_VARIABLES,
  MAX_WORK_UNIT_NAME_LENGTH,
  tenantIdSchema,
  userSchema,
} from './text-limits.ts';
import { httpUrlSchema } from './urls.ts';

/** One allowed origin (see parseOriginPattern), kept as written. */
const originPatternSchema = z
  .string()
  .max(300)
  .superRefine((value, ctx) => {
    try {
      parseOriginPattern(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

export const engineAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('basic'),
    username: userSchema,
    password: z.string().max(MAX_SECRET_LENGTH),
  }),
  z.strictObject({ type: z.literal('bearer'), token: z.string().min(1).max(MAX_SECRET_LENGTH) }),
]);

/** How to authenticate to an engine's REST API (secrets in the clear): what the poller's client is given. */
export type EngineAuth = z.infer<typeof engineAuthSchema>;

export const engineConfigSchema = z.strictObject({
  /** Short name, part of every workflow id (`camunda/<engine>/<taskId>`). */
  name: resourceNameSchema,
  /** Base URL of the Camunda 7 REST API, e.g. http://127.0.0.1:8080/engine-rest (http(s), no credentials: urls.ts) */
  url: httpUrlSchema,
  auth: engineAuthSchema.default({ type: 'none' }),
});

export const retryPolicySchema = z.strictObject({
  /** Wait before the second attempt. */
  initialIntervalMs: z.number().int().positive().default(1_000),
  backoffCoefficient: z.number().min(1).default(2),
  /** Longest wait between attempts. */
  maximumIntervalMs: z.number().int().positive().default(60_000),
  /** Attempts in all, the first included. */
  maximumAttempts: z.number().int().min(1).default(3),
});

/** A topic's outbound settings: see docs/security.md ("Outbound calls"). */
export const topicOutboundSchema = z.strictObject({
  /**
   * The origins this topic's `http-request` and callback may call, instead of BPTL_OUTBOUND_ALLOWED_ORIGINS:
   * exact origins (`https://api.example.nl`, also on a private address), `https://*.example.nl` or `*` (any
   * public address).
   */
  allowedOrigins: z.array(originPatternSchema).max(100).optional(),
  /**
   * Put the answer's body (its first 300 characters) and the query string into failure messages, with values
   * of keys that look secret (token, password, secret, key, auth, session, signature) replaced by `***`.
   * @default false: method, origin, path and status only
   */
  errorDetails: z.boolean().default(false),
});
export type TopicOutbound = z.infer<typeof topicOutboundSchema>;

/** Where a work unit runs: see `execution` below and docs/work-units.md. */
export const EXECUTIONS = ['activity', 'local'] as const;
export type Execution = (typeof EXECUTIONS)[number];

/** The fields of a topic, without the checks that span several fields (see topicConfigSchema). */
export const topicFieldsSchema = z.strictObject({
  /** Camunda's topic name. */
  topic: topicNameSchema,
  /** Engine name; may be left out when exactly one engine is configured. */
  engine: z.string().optional(),
  /** Name of the work unit in the registry. */
  workUnit: z.string().min(1).max(MAX_WORK_UNIT_NAME_LENGTH),
  enabled: z.boolean().default(true),
  description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
  /** How long a fetched task stays locked for us. */
  lockDurationMs: z.number().int().min(1_000).default(60_000),
  /** The variables to fetch; all when left out. */
  variables: z.array(camundaTextSchema).max(MAX_VARIABLES).optional(),
  /** Fetch only the task's local variables. */
  localVariables: z.boolean().default(false),
  processDefinitionKey: camundaTextSchema.optional(),
  businessKey: camundaTextSchema.optional(),
  tenantIdIn: z.array(tenantIdSchema).max(MAX_TENANT_IDS).optional(),
  retry: retryPolicySchema.prefault({}),
  /** Longest one attempt of the work unit may take. */
  startToCloseTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  /** A running work unit that has not heartbeated for this long (its worker died) is tried again. */
  heartbeatTimeoutMs: z.number().int().min(1_000).default(30_000),
  /** Camunda `retries` on failure: 0 raises an incident. */
  camundaRetries: z.number().int().min(0).default(0),
  /** Camunda `retryTimeout` on failure: how long until the engine offers the task again. */
  camundaRetryTimeoutMs: z.number().int().min(0).default(0),
  /**
   * How often a completion (or BPMN error) that the engine refuses is tried before BPTL raises an incident with
   * the engine's message. The engine refuses when the process's next synchronous step fails (an expression that
   * does not resolve, a failing delegate or listener): trying again does not help until someone fixes that; the
   * work unit's output is kept, and retrying the incident completes the task without running the unit again.
   */
  refusedCompletionAttempts: z.number().int().min(1).max(20).default(3),
  /**
   * Service bindings: the work unit's service alias (e.g. `zrc`) → the name of a service in the configuration
   * store. Every alias the work unit requires must be bound.
   */
  services: z
    .record(serviceAliasSchema, resourceNameSchema)
    .refine((bindings) => Object.keys(bindings).length <= MAX_SERVICE_BINDINGS, {
      message: `at most ${MAX_SERVICE_BINDINGS} service bindings`,
    })
    .default({}),
  /**
   * The applications (a task's `bptlAppId`) whose credentials this topic's tasks may use: a task naming another
   * fails without running. Left out: any application the bound services have credentials of. A task without a
   * `bptlAppId` uses the services' default credentials either way.
   */
  applications: z.array(z.string().min(1).max(200)).optional(),
  /**
   * Where the work unit runs. `activity`: an activity on the work-unit task queue, for any unit: heartbeats,
   * cancellation while it runs, durable back-off between attempts, work units scaled apart. `local`: a local
   * activity in the workflow's worker, inside the workflow task, for units that finish in seconds (engine calls,
   * small HTTP calls): about half the Temporal work per task and one round trip instead of three; the heartbeat
   * time-out does not apply (a dead worker is noticed by the workflow task time-out). Left out: the work unit's
   * own choice (`effectiveExecution`): `local` for the units that only call the engine, else `activity`.
   */
  execution: z.enum(EXECUTIONS).optional(),
  /** Where the topic's `http-request` and callback may call, and what their failures may tell (docs/security.md). */
  outbound: topicOutboundSchema.optional(),
});

/** Checks across a topic's fields; used by every schema that parses a whole topic. */
export function checkTopicFields(
  topic: { execution?: Execution | undefined; lockDurationMs?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (topic.execution === 'local' && (topic.lockDurationMs ?? 0) < MIN_LOCAL_LOCK_DURATION_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['lockDurationMs'],
      message: minLocalLockReason(),
    });
  }
}

export const topicConfigSchema = topicFieldsSchema.superRefine(checkTopicFields);

/**
 * Where a topic's unit runs: the topic's `execution` when it names one, else the unit's own (`local` only with a
 * lock long enough for it; a shorter one runs as an activity, which has no minimum).
 */
export function effectiveExecution(
  topic: { execution?: Execution | undefined; lockDurationMs: number },
  unit: { execution: Execution } | undefined,
): Execution {
  if (topic.execution) return topic.execution;
  return unit?.execution === 'local' && topic.lockDurationMs >= MIN_LOCAL_LOCK_DURATION_MS
    ? 'local'
    : 'activity';
}

export const bptlConfigSchema = z.strictObject({
  engines: z.array(engineConfigSchema).min(1, 'at least one engine is needed'),
  topics: z.array(topicConfigSchema).default([]),
});

export type EngineConfig = z.infer<typeof engineConfigSchema>;
export type RetryPolicyConfig = z.infer<typeof retryPolicySchema>;
export type TopicConfig = z.infer<typeof topicConfigSchema> & { engine: string };
export type BptlConfig = { engines: EngineConfig[]; topics: TopicConfig[] };
