/**
 * The environment, parsed once by zod into a typed configuration. A bad value stops start-up with a message
 * naming the variable. Every variable is documented in the README's configuration table.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { type CodecKey, deriveCodecKey, parseCodecKeys } from '../codec/codec-keys.ts';
import { ConfigError } from '../errors.ts';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  OutboundPolicy,
  parseNetworks,
  parseOriginPatterns,
} from '../http/outbound-policy.ts';
import {
  DEV_INSECURE_KEY,
  DEV_INSECURE_KEY_VARIABLE,
  keyIdOf,
  PREVIOUS_SECRET_KEYS_VARIABLE,
  parseSecretKey,
  SECRET_KEY_VARIABLE,
} from '../store/secret-cipher.ts';
import { formatIssues } from './format-issues.ts';
import { httpUrlSchema, originSchema } from './urls.ts';

/** A role of the API: admins write (and read), viewers read. */
export const apiRoleSchema = z.enum(['admin', 'viewer']);
export type ApiRole = z.infer<typeof apiRoleSchema>;

/** One bearer token of the API. `name` is the actor recorded in the audit log (`token:<name>`). */
export const apiTokenSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w.@-]*$/, 'letters, digits, _ . @ -')
    .max(100),
  role: apiRoleSchema,
  /** At least 16 characters of the bearer token alphabet (RFC 6750 b64token), so that it cannot be guessed. */
  token: z
    .string()
    .min(16, 'at least 16 characters')
    .regex(/^[A-Za-z0-9._~+/-]+=*$/, 'letters, digits and - . _ ~ + / ='),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

/**
 * BPTL_API_TOKENS: a JSON list (`[{"name":"ci","role":"admin","token":"…"}]`) or a comma-separated list of
 * `role:token` or `name:role:token` (a token holds no colon or comma). Unnamed tokens are called `<role>-<n>`.
 */
export const apiTokensSchema = z.preprocess(
  (value) => {
    if (value === undefined || value === '') return [];
    if (typeof value !== 'string') return value;
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        return JSON.parse(text);
      } catch {
        return value; // fails below as "expected array"
      }
    }
    return text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry, i) => {
        const parts = entry.split(':');
        if (parts.length === 2) return { name: `${parts[0]}-${i + 1}`, role: parts[0], token: parts[1] };
        if (parts.length === 3) return { name: parts[0], role: parts[1], token: parts[2] };
        return { name: `token-${i + 1}`, role: 'invalid: write role:token or name:role:token', token: '' };
      });
  },
  z
    .array(apiTokenSchema)
    .refine(
      (tokens) => new Set(tokens.map((t) => t.token)).size === tokens.length,
      'a token is listed twice',
    ),
);

/** A zod transform by a parser that throws (a TypeError saying what is wrong): its message becomes the issue. */
function parsedBy<T>(parse: (value: string) => T) {
  return (value: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  };
}

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
  /**
   * The configuration file with engines and topics. When set (or with `--config FILE`), the file is the static
   * source of engines and topics; when unset, the configuration store is (and `bptl dev` imports
   * bptl.config.yaml into an empty store).
   */
  BPTL_CONFIG: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
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
  /** Backpressure: at most this many of a poller's workflows running at once. */
  BPTL_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(64),
  /**
   * While a poller is busy and less than half a fetch is free, the next fetch waits up to this long for more
   * (fewer, fuller fetches; each costs the engine a query over the waiting tasks). 0: no wait.
   */
  BPTL_FETCH_LINGER_MS: z.coerce.number().int().min(0).max(10_000).default(100),
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
  /**
   * Port of the health server of `bptl worker`, `bptl poller` and `bptl run` (GET /healthz, /readyz, /metrics;
   * docs/operations.md). `off` or 0: no server. `bptl api` and `bptl dev` serve these routes on the API instead.
   */
  BPTL_HEALTH_PORT: z.preprocess(
    (value) => (value === 'off' ? 0 : value === '' ? undefined : value),
    z.coerce.number().int().min(0).max(65_535).default(9464),
  ),
  /**
   * Port (on 127.0.0.1) of the Temporal SDK's own Prometheus exporter in a worker process (`bptl worker`, `run`,
   * `dev`); the process's /metrics appends its text. `off` or 0 (the default): the SDK exports no metrics.
   */
  BPTL_TEMPORAL_METRICS_PORT: z.preprocess(
    (value) => (value === 'off' ? 0 : value === '' ? undefined : value),
    z.coerce.number().int().min(0).max(65_535).default(0),
  ),
  /** Where the health server listens; 0.0.0.0 in a container, so that the orchestrator's probes reach it. */
  BPTL_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  /** Bearer tokens of the API with their roles: `role:token,…`, `name:role:token,…` or a JSON list. */
  BPTL_API_TOKENS: apiTokensSchema,
  /**
   * The Temporal UI's base URL (e.g. `https://temporal.example.org`), for the console's links to a task's run.
   * `bptl dev` sets it to the dev server's UI. Unset: the console shows no such link.
   */
  BPTL_TEMPORAL_UI_URL: z.preprocess((value) => (value === '' ? undefined : value), httpUrlSchema.optional()),
  /**
   * Let the Temporal SDK collect stack traces of workflow promises (the Web UI's "Stack Trace" tab of a running
   * workflow). Off by default: it costs about 7 ms of CPU per task (src/worker/workflow-stack-traces.ts).
   */
  BPTL_WORKFLOW_STACK_TRACES: z
    .enum(['true', 'false', '1', '0'], { message: 'true or false' })
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /**
   * Keys of the payload codec that encrypts process data in Temporal: `id:key,…` (32-byte keys, base64 or hex),
   * the first encrypts, all decrypt. Unset: derived from BPTL_SECRET_KEY (src/codec/codec-keys.ts).
   */
  BPTL_CODEC_KEYS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      const parsed = parseCodecKeys(value);
      if ('error' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      return parsed.keys;
    }),
  /**
   * Origins that `http-request`, callbacks and a unit's `http` client may call (a topic's
   * `outbound.allowedOrigins` replaces it): `*` (any public address), `https://*.example.nl`, exact origins
   * (which may be on a private address). Comma-separated. See docs/security.md.
   */
  BPTL_OUTBOUND_ALLOWED_ORIGINS: z.string().default('*').transform(parsedBy(parseOriginPatterns)),
  /**
   * Networks (CIDR, comma-separated) that outbound calls may reach although they are not public (loopback,
   * private, link-local): e.g. `10.20.0.0/16` for an internal API reached through `*`. Empty by default.
   */
  BPTL_OUTBOUND_ALLOWED_NETWORKS: z
    .string()
    .default('')
    .transform(parsedBy((value) => ({ text: value, list: parseNetworks(value) }))),
  /** The largest answer an outbound call reads, in bytes (5 MiB). */
  BPTL_OUTBOUND_MAX_RESPONSE_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_RESPONSE_BYTES),
  /** Origins (the Temporal UI's) that may call the API's codec endpoint (/codec/*) from a browser. */
  BPTL_CODEC_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '')
        return ['http://127.0.0.1:8233', 'http://localhost:8233'];
      const origins = value
        .split(',')
        .map((origin) => origin.trim().replace(/\/+$/, ''))
        .filter(Boolean);
      for (const origin of origins) {
        const parsed = originSchema.safeParse(origin);
        if (!parsed.success)
          ctx.addIssue({ code: 'custom', message: `${origin}: ${parsed.error.issues[0]?.message}` });
      }
      return origins;
    }),
});

export type Env = z.infer<typeof envSchema>;

/** What `bptl topics` (a client of the API) reads from the environment. */
export const apiClientEnvSchema = z.object({
  /** The API's base URL. */
  BPTL_API_URL: httpUrlSchema.default('http://127.0.0.1:3000'),
  /** A bearer token of the API (admin for apply and delete). */
  BPTL_API_TOKEN: z.string().min(1).optional(),
});
export type ApiClientEnv = z.infer<typeof apiClientEnvSchema>;

/** Parses the API client's environment; throws ConfigError naming each bad variable. */
export function loadApiClientEnv(source: NodeJS.ProcessEnv = process.env): ApiClientEnv {
  const parsed = apiClientEnvSchema.safeParse(source);
  if (!parsed.success) throw new ConfigError(`invalid environment:\n${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** The parsed environment with derived values filled in. */
export interface BptlEnv extends Env {
  BPTL_WORK_UNIT_TASK_QUEUE: string;
  BPTL_WORKER_ID: string;
  /** BPTL_DATA_DIR made absolute. */
  dataDir: string;
  /**
   * The payload codec's keys, current first: BPTL_CODEC_KEYS, else derived from BPTL_SECRET_KEY (and the keys
   * in BPTL_SECRET_KEY_PREVIOUS, which only decrypt) or the development key; [] when there is none.
   */
  codecKeys: readonly CodecKey[];
}

/** The codec keys when BPTL_CODEC_KEYS is unset: derived from the store's secret keys (codec-keys.ts). */
function derivedCodecKeys(source: NodeJS.ProcessEnv): CodecKey[] {
  const secret = source[SECRET_KEY_VARIABLE];
  const current =
    secret !== undefined && secret.trim() !== ''
      ? parseSecretKey(secret)
      : source[DEV_INSECURE_KEY_VARIABLE] === '1'
        ? DEV_INSECURE_KEY
        : undefined;
  if (!current) return [];
  const previous = (source[PREVIOUS_SECRET_KEYS_VARIABLE] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => parseSecretKey(part, PREVIOUS_SECRET_KEYS_VARIABLE));
  return [current, ...previous].map((key) => deriveCodecKey(key, keyIdOf(key)));
}

/** The outbound policy of the environment's BPTL_OUTBOUND_* settings. */
export function outboundPolicyOf(env: Env): OutboundPolicy {
  return new OutboundPolicy({
    allowedOrigins: env.BPTL_OUTBOUND_ALLOWED_ORIGINS,
    allowedNetworks: env.BPTL_OUTBOUND_ALLOWED_NETWORKS.list,
    maxResponseBytes: env.BPTL_OUTBOUND_MAX_RESPONSE_BYTES,
  });
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
    codecKeys: env.BPTL_CODEC_KEYS ?? derivedCodecKeys(source),
  };
}
