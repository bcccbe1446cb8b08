/** What the API's routes are built from. */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { ApiToken } from '../config/env.ts';
import type { EngineClients } from '../engine/engine-clients.ts';
import type { Logger } from '../logging/logger.ts';
import type { HealthChecks } from '../observability/health-checks.ts';
import type { ConfigStore } from '../store/config-store.ts';
import type { WorkUnitRegistry } from '../work-units/registry.ts';

export interface ApiDependencies {
  registry: WorkUnitRegistry;
  /** The configuration store: engines, services, credentials, topics, audit log. */
  store: ConfigStore;
  /** The bearer tokens (BPTL_API_TOKENS). Empty: every operation but the open ones answers 401. */
  tokens: readonly ApiToken[];
  /** For GET /tasks and POST /work-units/{name}/run; without it they answer 503. */
  temporal?: Client | undefined;
  /** Task queue of the workflows (BPTL_TASK_QUEUE), for running a work unit. @default bptl */
  taskQueue?: string;
  /** Task queue of the work units (BPTL_WORK_UNIT_TASK_QUEUE). @default `<taskQueue>-work-units` */
  workUnitTaskQueue?: string;
  /**
   * Why the configuration cannot be changed here, e.g. "the configuration comes from bptl.config.yaml": then
   * every write answers 409 with this reason. Undefined: writable.
   */
  readOnly?: string | undefined;
  /** The engines' clients, for the console's live view of an external task. */
  engines?: EngineClients | undefined;
  /**
   * Where the console links to: the Temporal UI (e.g. `http://127.0.0.1:8233`; BPTL_TEMPORAL_UI_URL), and the
   * Cockpit of an engine (by its name; default: the engine's URL with `/engine-rest` replaced by
   * `/camunda/app/cockpit/default/`).
   */
  links?: {
    temporalUi?: string | undefined;
    namespace?: string;
    cockpit?: (engine: string) => string | undefined;
  };
  /** Largest request body. @default 1048576 (1 MiB) */
  bodyLimitBytes?: number;
  /** The payload codec of POST /codec/decode and /codec/encode; without it they answer 503. */
  codec?: PayloadCodec | undefined;
  /** Origins that may call /codec/* from a browser (the Temporal UI). @default the local Temporal UI's */
  codecCorsOrigins?: readonly string[];
  /**
   * The checks of GET /readyz (the command passes its engines, Temporal and store: observability/process-checks.ts).
   * @default the store, and Temporal when `temporal` is given
   */
  checks?: HealthChecks;
  /** GET /metrics: the process's Prometheus text (observability/metrics.ts). @default 404 */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** @default a logger named `api` */
  log?: Logger;
}
