/** What the API's routes are built from. */
import type { Client } from '@temporalio/client';
import type { ApiToken } from '../config/env.ts';
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
  /** Largest request body. @default 1048576 (1 MiB) */
  bodyLimitBytes?: number;
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
