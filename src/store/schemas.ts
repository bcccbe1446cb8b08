/**
 * What the configuration store accepts and returns, as zod schemas and the types derived from them. Engines and
 * topics reuse the configuration file's schemas (src/config/topic-config.ts), so that a topic written through the
 * API and one read from bptl.config.yaml are the same thing to the poller.
 *
 * Secrets (password, token, key, secret) take three forms:
 * - clear text in inputs, and in what `resolve…`/`credentialsFor` return for the worker;
 * - `{ "$enc": "v2:…" }` in the table (AES-256-GCM bound to the row and field, see secret-cipher.ts);
 * - `{ "set": true }` in everything read for the API and in the audit log (`Redacted`). An update may send this
 *   marker back to keep the stored secret, so a client can GET a row, change its URL and PUT it back.
 */
import { z } from 'zod';
import { resourceNameSchema } from '../config/names.ts';
import {
  MAX_ACTOR_LENGTH,
  MAX_HEADER_NAME_LENGTH,
  MAX_SECRET_LENGTH,
  userSchema,
} from '../config/text-limits.ts';
import {
  checkTopicFields,
  type EngineAuth,
  engineAuthSchema,
  engineConfigSchema,
  type TopicConfig,
  topicFieldsSchema,
} from '../config/topic-config.ts';
import { httpUrlSchema } from '../config/urls.ts';

/** The marker that stands for a stored secret in reads and in the audit log. */
export const redactedSchema = z.strictObject({ set: z.literal(true) });
export type Redacted = z.infer<typeof redactedSchema>;

/** The field of each auth type that holds its secret. */
export const SECRET_FIELDS = { basic: 'password', bearer: 'token', 'api-key': 'key', zgw: 'secret' } as const;
export type SecretField = (typeof SECRET_FIELDS)[keyof typeof SECRET_FIELDS];

/** `A` with its secret field's value replaced by `S`. */
export type WithSecret<A, S> = A extends unknown
  ? { [K in keyof A]: K extends SecretField ? S : A[K] }
  : never;

/** A secret in an update: the value, or `{ set: true }` to keep the stored one. */
const secretInput = (_field: SecretField, min: number) =>
  z.union([z.string().min(min).max(MAX_SECRET_LENGTH), redactedSchema]);

/**
 * A secret in a create: the value itself. There is nothing stored to keep, so `{ set: true }` is refused here,
 * at the field, and the create's documented schema does not offer it.
 */
const secretValue = (field: SecretField, min: number) =>
  z
    .string({
      error: (issue) =>
        redactedSchema.safeParse(issue.input).success
          ? `there is no stored ${field} to keep: give the ${field}`
          : undefined,
    })
    .min(min)
    .max(MAX_SECRET_LENGTH);

/** An HTTP header name (RFC 9110 token). */
const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name')
  .max(MAX_HEADER_NAME_LENGTH);

/** Names of engines and services: they are keys, part of URLs and of workflow ids (config/names.ts). */
export { resourceNameSchema };

// --- auth ---------------------------------------------------------------------------------------------------

/** An engine's auth as the poller uses it (secrets in the clear): the configuration file's schema. */
export { type EngineAuth, engineAuthSchema };

/** A service's auth as the worker uses it (secrets in the clear). */
export const serviceAuthSchema = z.discriminatedUnion('type', [
  ...engineAuthSchema.options,
  z.strictObject({
    type: z.literal('api-key'),
    header: headerName,
    key: z.string().min(1).max(MAX_SECRET_LENGTH),
  }),
  z.strictObject({
    type: z.literal('zgw'),
    clientId: userSchema,
    secret: z.string().min(1).max(MAX_SECRET_LENGTH),
  }),
]);
export type ServiceAuth = z.infer<typeof serviceAuthSchema>;

/** An engine's auth types, with its secrets given as `secret` says (create or update). */
function engineAuthOf<S extends z.ZodType>(secret: (field: SecretField, min: number) => S) {
  return [
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({
      type: z.literal('basic'),
      username: userSchema,
      password: secret('password', 0),
    }),
    z.strictObject({ type: z.literal('bearer'), token: secret('token', 1) }),
  ] as const;
}

/** A service's auth types: an engine's, an API key and ZGW client credentials. */
function serviceAuthOf<S extends z.ZodType>(secret: (field: SecretField, min: number) => S) {
  return [
    ...engineAuthOf(secret),
    z.strictObject({ type: z.literal('api-key'), header: headerName, key: secret('key', 1) }),
    z.strictObject({ type: z.literal('zgw'), clientId: userSchema, secret: secret('secret', 1) }),
  ] as const;
}

/** An engine's auth in an update: a secret of `{ set: true }` keeps the stored one. */
export const engineAuthInputSchema = z.discriminatedUnion('type', engineAuthOf(secretInput));
export type EngineAuthInput = z.input<typeof engineAuthInputSchema>;
/** An engine's auth in a create: every secret given. */
const engineAuthCreateSchema = z.discriminatedUnion('type', engineAuthOf(secretValue));

export const serviceAuthInputSchema = z.discriminatedUnion('type', serviceAuthOf(secretInput));
const serviceAuthCreateSchema = z.discriminatedUnion('type', serviceAuthOf(secretValue));
export type ServiceAuthInput = z.input<typeof serviceAuthInputSchema>;

export type RedactedEngineAuth = WithSecret<EngineAuth, Redacted>;
export type RedactedServiceAuth = WithSecret<ServiceAuth, Redacted>;

// --- rows ---------------------------------------------------------------------------------------------------

/** Bookkeeping every row has. `version` starts at 1 and goes up by one with each update. */
export interface RowMeta {
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** An engine: the configuration file's engine plus a worker-id prefix. */
export const engineInputSchema = engineConfigSchema.extend({
  auth: engineAuthCreateSchema.default({ type: 'none' }),
  /** Prefix of the worker id that this engine's tasks are locked with (default: BPTL_WORKER_ID). */
  workerIdPrefix: z.string().min(1).max(200).optional(),
});
/** An update replaces everything but the name (which is the key, taken from the URL); it may keep a secret. */
export const engineUpdateSchema = engineInputSchema
  .omit({ name: true })
  .extend({ auth: engineAuthInputSchema.default({ type: 'none' }) });
/** An engine to create, parsed: what the store takes. */
export type EngineInput = z.output<typeof engineInputSchema>;
/** An engine's new settings, parsed: what the store takes. */
export type EngineUpdate = z.output<typeof engineUpdateSchema>;

/** An engine as the API reads it: secrets redacted. */
export interface EngineRecord extends RowMeta {
  name: string;
  url: string;
  auth: RedactedEngineAuth;
  workerIdPrefix?: string;
}

/** An engine as the poller uses it: an EngineConfig (secrets in the clear) plus the worker-id prefix. */
export interface ResolvedEngine {
  name: string;
  url: string;
  auth: EngineAuth;
  workerIdPrefix?: string;
}

export const serviceInputSchema = z.strictObject({
  name: resourceNameSchema,
  /** Root URL of the service's API, e.g. https://zaken.example.nl/zaken/api/v1 (http(s), no credentials: urls.ts) */
  baseUrl: httpUrlSchema,
  /** What kind of API it is, e.g. `http`, `zrc`, `drc`, `ztc`; work units pick services by it. */
  kind: resourceNameSchema.default('http'),
  /** The default credentials, used when a task's application has none of its own. */
  auth: serviceAuthCreateSchema.default({ type: 'none' }),
});
export const serviceUpdateSchema = serviceInputSchema
  .omit({ name: true })
  .extend({ auth: serviceAuthInputSchema.default({ type: 'none' }) });
/** A service to create, parsed: what the store takes. */
export type ServiceInput = z.output<typeof serviceInputSchema>;
/** A service's new settings, parsed: what the store takes. */
export type ServiceUpdate = z.output<typeof serviceUpdateSchema>;

export interface ServiceRecord extends RowMeta {
  name: string;
  baseUrl: string;
  kind: string;
  auth: RedactedServiceAuth;
}

/** Credentials of one application (a task's `bptlAppId`) for a service. */
export const credentialInputSchema = z.strictObject({
  applicationId: z.string().min(1).max(200),
  auth: serviceAuthCreateSchema,
});
export const credentialUpdateSchema = z.strictObject({ auth: serviceAuthInputSchema });
export type CredentialInput = z.input<typeof credentialInputSchema>;
export type CredentialUpdate = z.input<typeof credentialUpdateSchema>;

export interface CredentialRecord extends RowMeta {
  service: string;
  applicationId: string;
  auth: RedactedServiceAuth;
}

/** What a work unit needs to call a service: where, and with which secret. */
export interface ServiceCredentials {
  service: { name: string; baseUrl: string; kind: string };
  /** The application whose credentials these are; undefined when they are the service's default. */
  applicationId: string | undefined;
  auth: ServiceAuth;
}

/** A topic: the configuration file's topic, with the engine required. */
export const topicInputSchema = topicFieldsSchema
  .extend({ engine: resourceNameSchema })
  .superRefine(checkTopicFields);
/** An update replaces everything but the key (engine and topic, taken from the URL). */
export const topicUpdateSchema = topicFieldsSchema
  .omit({ engine: true, topic: true })
  .superRefine(checkTopicFields);
/** The settings kept in the `settings` JSONB column: all but the key, work unit and enabled. */
export const topicSettingsSchema = topicFieldsSchema.omit({
  engine: true,
  topic: true,
  workUnit: true,
  enabled: true,
});
/** A topic to create, parsed (defaults filled in): what the store takes. */
export type TopicInput = z.output<typeof topicInputSchema>;
/** A topic's new settings, parsed: what the store takes. */
export type TopicUpdate = z.output<typeof topicUpdateSchema>;

/** The key of a topic. */
export interface TopicKey {
  engine: string;
  topic: string;
}

/** A topic as stored: exactly what the poller takes (TopicConfig) plus the row's bookkeeping. */
export type TopicRecord = TopicConfig & RowMeta;

// --- writes -------------------------------------------------------------------------------------------------

/** Who writes: recorded in the audit log. */
export const actorSchema = z.string().trim().min(1).max(MAX_ACTOR_LENGTH);

export interface WriteOptions {
  /** Who makes the change (user name, `api-key:<id>`, `bptl import` …); recorded in the audit log. */
  actor: string;
}

export interface VersionedWriteOptions extends WriteOptions {
  /**
   * The version the caller read (e.g. from If-Match). When given and the row's version differs, the write fails
   * with StaleWriteError. When left out, the write is unconditional (last writer wins).
   */
  expectedVersion?: number | undefined;
}

export const expectedVersionSchema = z.number().int().min(1).optional();
