/** The configuration store: engines, services, credentials, topics and the audit log on PGlite or PostgreSQL. */
export type { AuditAction, AuditEntry, AuditFilter, AuditRepository } from './audit-repository.ts';
export {
  type ConfigRepositories,
  type ConfigSnapshot,
  type ConfigStore,
  createConfigStore,
  type OpenConfigStoreOptions,
  openConfigStore,
} from './config-store.ts';
export type { CredentialRepository } from './credential-repository.ts';
export {
  type Database,
  type OpenDatabaseOptions,
  openDatabase,
  openPglite,
  openPostgres,
  pgliteDirectory,
  type Queryable,
  type Transaction,
} from './database.ts';
export type { EngineRepository } from './engine-repository.ts';
export {
  DuplicateError,
  InUseError,
  InvalidReferenceError,
  NotFoundError,
  type ResourceType,
  SecretKeyError,
  StaleWriteError,
  ValidationError,
  type ValidationIssue,
} from './errors.ts';
export {
  type MigrateOptions,
  type Migration,
  migrate,
  migrationsDirectory,
  readMigrations,
} from './migrate.ts';
export { currentRevision, type WatchRevisionOptions, watchRevision } from './revision.ts';
export {
  actorSchema,
  type CredentialInput,
  type CredentialRecord,
  type CredentialUpdate,
  credentialInputSchema,
  credentialUpdateSchema,
  type EngineAuth,
  type EngineAuthInput,
  type EngineInput,
  type EngineRecord,
  type EngineUpdate,
  engineAuthInputSchema,
  engineAuthSchema,
  engineInputSchema,
  engineUpdateSchema,
  type Redacted,
  type RedactedEngineAuth,
  type RedactedServiceAuth,
  type ResolvedEngine,
  type RowMeta,
  redactedSchema,
  resourceNameSchema,
  SECRET_FIELDS,
  type SecretField,
  type ServiceAuth,
  type ServiceAuthInput,
  type ServiceCredentials,
  type ServiceInput,
  type ServiceRecord,
  type ServiceUpdate,
  serviceAuthInputSchema,
  serviceAuthSchema,
  serviceInputSchema,
  serviceUpdateSchema,
  type TopicInput,
  type TopicKey,
  type TopicRecord,
  type TopicUpdate,
  topicInputSchema,
  topicSettingsSchema,
  topicUpdateSchema,
  type VersionedWriteOptions,
  type WithSecret,
  type WriteOptions,
} from './schemas.ts';
export {
  createSecretCipher,
  type EncryptedSecret,
  generateSecretKey,
  keyIdOf,
  loadSecretCipher,
  parseSecretKey,
  type SecretCipher,
} from './secret-cipher.ts';
export type { ServiceRepository } from './service-repository.ts';
export type { TopicFilter, TopicRepository } from './topic-repository.ts';
