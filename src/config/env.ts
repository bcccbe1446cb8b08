/**
 * The environment, parsed once by zod into a typed configuration. A bad value stops start-up with a message
 * naming the variable. Every variable is documented in the README's configuration table.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { formatIssues } from './format-issues.ts';

const port = z.coerce.number().int().min(1).max(65_535);
const positiveMs = z.coerce.number().int().positive();

export const envSchema = z.object({
  /** Where the Temporal frontend listens. */
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Task queue of the external-task workflows and the engine activities. */
  BPTL_TASK_QUEUE: z.string().min(1).default('bptl'),
  /** Task queue of the work-unit activities (kept apart so slow work cannot starve engine calls). */
  BPTL_WORK_UNIT_TASK_QUEUE: z.string().min(1).optional(),
  /** The configuration file with engines and topics. */
  BPTL_CONFIG: z.string().min(1).default('bptl.config.yaml'),
  /** The worker id the poller locks tasks with; stable across restarts of the same poller. */
  BPTL_WORKER_ID: z.string().min(1).max(255).optional(),
  /** Data folder of the local servers (Temporal's SQLite file, Camunda's H2 file, logs). */
  BPTL_DATA_DIR: z.string().min(1).default('.data'),
  /** Ports of the local servers started by `bptl dev` and the tests. */
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  CAMUNDA_PORT: port.default(8080),
  /** Long-poll time of fetchAndLock (Camunda's maximum is 30 minutes). */
  BPTL_ASYNC_RESPONSE_TIMEOUT_MS: positiveMs.max(1_800_000).default(20_000),
  /** At most this many tasks per fetchAndLock. */
  BPTL_MAX_TASKS: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * PostgreSQL URL of the configuration store (postgres://user:password@host:5432/bptl). When unset, the store
   * is the embedded PGlite in `<BPTL_DATA_DIR>/bptl-db`. Its secret key (BPTL_SECRET_KEY) is read by the store
   * itself, so that it never sits in this object. See docs/configuration-store.md.
   */
  DATABASE_URL: z.preprocess(
    (value) => (value === '' ? undefined : value), // empty (as compose files pass it) means unset
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// or postgresql:// URL')
      .optional(),
  ),
  /** Where `bptl api` (and `bptl dev`) serve the HTTP API. */
  BPTL_API_PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  BPTL_API_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** The parsed environment with derived values filled in. */
export interface BptlEnv extends Env {
  BPTL_WORK_UNIT_TASK_QUEUE: string;
  BPTL_WORKER_ID: string;
  /** BPTL_DATA_DIR made absolute. */
  dataDir: string;
}

/** Parses the environment; throws ConfigError naming each bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): BptlEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(`invalid environment:\n${formatIssues(parsed.error.issues)}`);
  }
  const env = parsed.data;
  return {
    ...env,
    BPTL_WORK_UNIT_TASK_QUEUE: env.BPTL_WORK_UNIT_TASK_QUEUE ?? `${env.BPTL_TASK_QUEUE}-work-units`,
    BPTL_WORKER_ID: env.BPTL_WORKER_ID ?? `bptl-${hostname()}`,
    dataDir: path.resolve(env.BPTL_DATA_DIR),
  };
}
