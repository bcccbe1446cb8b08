/**
 * The authoring API of work units. A work unit is a name, a description, a zod schema for its input (read
 * from process variables) and for its output (written back as process variables), and a run function.
 *
 * ```ts
 * export const greet = defineWorkUnit({
 *   name: 'greet',
 *   description: 'Says hello to `name`.',
 *   input: z.object({ name: z.string() }),
 *   output: z.object({ greeting: z.string() }),
 *   run: async ({ input }) => ({ greeting: `Hello, ${input.name}` }),
 * });
 * ```
 */
import type { AxiosInstance } from 'axios';
import type { z } from 'zod';
import { isServiceAlias } from '../config/names.ts';
import { MAX_WORK_UNIT_NAME_LENGTH } from '../config/text-limits.ts';
import type { Execution } from '../config/topic-config.ts';
import type { CamundaClient } from '../engine/camunda-client.ts';
import type { Logger } from '../logging/logger.ts';
import type { OutboundLog } from './outbound-log.ts';

/** What a task looked like when it was fetched: for logs and for work units that need it. */
export interface TaskMetadata {
  /** Camunda's external task id. */
  taskId: string;
  engine: string;
  topic: string;
  processInstanceId: string | undefined;
  processDefinitionKey: string | undefined;
  businessKey: string | undefined;
  activityId: string | undefined;
  tenantId: string | undefined;
}

/** What a work unit's run function receives. */
export interface WorkUnitContext<I> {
  /** The process variables, validated by the unit's input schema. */
  input: I;
  task: TaskMetadata;
  /** Which attempt this is, from 1. */
  attempt: number;
  /**
   * The same for every attempt and every run of this one Camunda task, different for any other task: pass it on
   * (`Idempotency-Key` for HTTP) or use it to find an earlier result, so that an attempt repeated after a crash
   * does not do the same thing twice. See docs/work-units.md ("Side effects and retries").
   */
  idempotencyKey: string;
  log: Logger;
  /** Aborted when the task is cancelled (deleted in the engine, workflow cancelled) or the worker stops. */
  signal: AbortSignal;
  /** Tells Temporal the unit is alive; also how cancellation reaches a running unit. */
  heartbeat(details?: unknown): void;
  /** Sleeps, waking early (with an error) on cancellation. */
  sleep(ms: number): Promise<void>;
  /**
   * A client for the REST API of the engine the task came from (`task.engine`), or undefined when the worker
   * has no client for it (a runner created without engines, e.g. in a unit test).
   */
  camunda: CamundaClient | undefined;
  /**
   * Ready HTTP clients for the unit's service aliases (axios, with the bound service's base URL and auth, the
   * task's `bptlAppId` picking the application's credentials). Empty when the unit declares no services.
   */
  services: Readonly<Record<string, AxiosInstance>>;
  /**
   * An HTTP client (axios) for URLs that are not a bound service's: under the outbound policy (the topic's
   * `outbound.allowedOrigins`, else BPTL_OUTBOUND_ALLOWED_ORIGINS; no private address unless allowed; redirects
   * checked; answers up to BPTL_OUTBOUND_MAX_RESPONSE_BYTES), its requests recorded in `outbound`. A refused call
   * rejects with an OutboundRefusedError (non-retryable); a failed one with an HttpRequestError.
   */
  http: AxiosInstance;
  /**
   * True when the topic opts in (`outbound.errorDetails`) to answers' bodies and query strings in failure
   * messages; pass them through `redactDetail` (src/http/redact.ts) first. False: method, origin, path, status.
   */
  outboundErrorDetails: boolean;
  /**
   * The attempt's outbound request log, shown on the console's task detail: the service clients record into it
   * themselves; a unit that makes requests by other means may record them (never a header, body or query).
   */
  outbound: OutboundLog;
}

/** A work unit: the typed code a topic runs. */
export interface WorkUnit<I = unknown, O = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<I>;
  readonly output: z.ZodType<O>;
  /**
   * Aliases of the services the unit calls (e.g. `zrc`): a topic that runs it must bind each one to a service of
   * the configuration store (`services: { zrc: 'open-zaak' }`). @default []
   */
  readonly services: readonly string[];
  /**
   * Where the unit runs when its topic names no `execution`: `local` for a unit that always finishes in seconds
   * and calls nothing but the engine (a local activity costs Temporal half the work per task;
   * docs/work-units.md, "Short units"), `activity` for anything else. @default 'activity'
   */
  readonly execution: Execution;
  run(context: WorkUnitContext<I>): Promise<O>;
}

/** Any work unit, whatever its input and output. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds units of every type
export type AnyWorkUnit = WorkUnit<any, any>;

/** Defines a work unit. The name must be unique in a registry. */
export function defineWorkUnit<I, O extends Record<string, unknown>>(definition: {
  name: string;
  description: string;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  /** Aliases of the services the unit calls; a topic must bind each. @default [] */
  services?: readonly string[];
  /** Where it runs when its topic names no `execution` (see WorkUnit.execution). @default 'activity' */
  execution?: Execution;
  run: (context: WorkUnitContext<I>) => Promise<O>;
}): WorkUnit<I, O> {
  if (!/^[a-zA-Z][\w.-]*$/.test(definition.name)) {
    throw new TypeError(
      `work unit name '${definition.name}' must start with a letter and hold only [A-Za-z0-9_.-]`,
    );
  }
  if (definition.name.length > MAX_WORK_UNIT_NAME_LENGTH) {
    throw new TypeError(
      `work unit name '${definition.name.slice(0, 40)}…' has ${definition.name.length} characters: at most ${MAX_WORK_UNIT_NAME_LENGTH}`,
    );
  }
  const services = [...new Set(definition.services ?? [])];
  for (const alias of services) {
    if (!isServiceAlias(alias)) {
      throw new TypeError(
        `work unit '${definition.name}': service alias '${alias}' must match [A-Za-z][A-Za-z0-9_-]*`,
      );
    }
  }
  return Object.freeze({
    ...definition,
    services: Object.freeze(services),
    execution: definition.execution ?? 'activity',
  });
}
