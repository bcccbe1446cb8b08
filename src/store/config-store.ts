/**
 * The configuration store: engines, services (with per-application credentials), topics and the audit log, on
 * PGlite or PostgreSQL. This is what the API, the poller and the worker get; `openConfigStore` builds it from the
 * environment (DATABASE_URL, BPTL_DATA_DIR, BPTL_SECRET_KEY).
 *
 * For live reload, pollers read `revision()` every second or two (see watchRevision) and, when it moved, take a
 * fresh `snapshot()`.
 */
import type { TopicConfig } from '../config/topic-config.ts';
import type { Logger } from '../logging/logger.ts';
import { type AuditRepository, createAuditRepository } from './audit-repository.ts';
import { type CredentialRepository, createCredentialRepository } from './credential-repository.ts';
import { type Database, openDatabase, type Queryable } from './database.ts';
import { createEngineRepository, type EngineRepository } from './engine-repository.ts';
import { type ReencryptReport, reencryptSecrets } from './reencrypt-secrets.ts';
import { currentRevision } from './revision.ts';
import type { ResolvedEngine } from './schemas.ts';
import { loadSecretCipher, type SecretCipher } from './secret-cipher.ts';
import { createServiceRepository, type ServiceRepository } from './service-repository.ts';
import { createTopicRepository, type TopicRepository } from './topic-repository.ts';

/** The repositories, on the database or on one transaction. */
export interface ConfigRepositories {
  readonly engines: EngineRepository;
  readonly services: ServiceRepository;
  readonly credentials: CredentialRepository;
  readonly topics: TopicRepository;
  readonly audit: AuditRepository;
  /** The configuration revision: a counter that every write moves. One cheap query. */
  revision(): Promise<number>;
}

/** What pollers run on: every engine (secrets decrypted) and every topic, as of one revision. */
export interface ConfigSnapshot {
  revision: number;
  /** A BptlConfig (what the configuration file gives), engines with their worker-id prefix. */
  config: { engines: ResolvedEngine[]; topics: TopicConfig[] };
}

export interface ConfigStore extends ConfigRepositories {
  readonly database: Database;
  /**
   * Runs `fn` in one transaction: several writes that land together or not at all (each still audited, the
   * revision bumped per write). A store error inside rolls back only that write (a savepoint) when caught.
   * Use only the repositories `fn` gets: on PGlite the outer store would wait for this transaction to end.
   */
  transaction<T>(fn: (store: ConfigRepositories) => Promise<T>): Promise<T>;
  /** Engines (decrypted) and topics read in one consistent snapshot, with its revision. */
  snapshot(): Promise<ConfigSnapshot>;
  /**
   * Re-encrypts, under the current BPTL_SECRET_KEY and format, the secrets still encrypted with a key of
   * BPTL_SECRET_KEY_PREVIOUS or as v1 (not bound to their row), in one transaction; with `dryRun`, only says
   * what it would do. Resolves to a report of every secret: re-encrypted, current, or not decryptable (with the
   * reason). Not audited (no value changes). See reencrypt-secrets.ts.
   */
  reencryptSecrets(options?: { dryRun?: boolean }): Promise<ReencryptReport>;
  /** Closes the database. Idempotent. */
  close(): Promise<void>;
}

function repositories(db: Queryable, cipher: SecretCipher): ConfigRepositories {
  return {
    engines: createEngineRepository(db, cipher),
    services: createServiceRepository(db, cipher),
    credentials: createCredentialRepository(db, cipher),
    topics: createTopicRepository(db),
    audit: createAuditRepository(db),
    revision: () => currentRevision(db),
  };
}

/** The store on an open (migrated) database. */
export function createConfigStore(database: Database, cipher: SecretCipher): ConfigStore {
  return {
    ...repositories(database, cipher),
    database,
    transaction: (fn) => database.transaction((tx) => fn(repositories(tx, cipher))),
    snapshot: () =>
      database.transaction(async (tx) => {
        // One snapshot for all three reads (PostgreSQL; PGlite has one connection and so is consistent anyway).
        await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const repos = repositories(tx, cipher);
        const revision = await repos.revision();
        const engines = await repos.engines.listResolved();
        const topics = (await repos.topics.list()).map(
          ({ version: _v, createdAt: _c, updatedAt: _u, ...topic }): TopicConfig => topic,
        );
        return { revision, config: { engines, topics } };
      }),
    reencryptSecrets: (options) => reencryptSecrets(database, cipher, options),
    close: () => database.close(),
  };
}

export interface OpenConfigStoreOptions {
  /** DATABASE_URL: PostgreSQL when set, else the embedded PGlite in `<dataDir>/bptl-db`. */
  databaseUrl?: string | undefined;
  /** BPTL_DATA_DIR, absolute (`loadEnv().dataDir`). */
  dataDir: string;
  /** Where BPTL_SECRET_KEY (and friends) are read. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  log?: Logger;
}

/**
 * Opens the store: checks the secret key first (a ConfigError naming BPTL_SECRET_KEY when it is missing or
 * malformed), then opens and migrates the database. Warns when the insecure development key is in use.
 */
export async function openConfigStore(options: OpenConfigStoreOptions): Promise<ConfigStore> {
  const cipher = loadSecretCipher(options.env ?? process.env);
  if (cipher.insecure) {
    options.log?.warn(
      'configuration store secrets use the published development key (BPTL_DEV_INSECURE_SECRET_KEY=1): set BPTL_SECRET_KEY outside development',
    );
  }
  const database = await openDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    ...(options.log ? { log: options.log } : {}),
  });
  return createConfigStore(database, cipher);
}
