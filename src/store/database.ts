/**
 * The database under the configuration store: a small interface with two implementations that speak the same
 * SQL — embedded PGlite (PostgreSQL compiled to WASM, in this process; the default) and a PostgreSQL server
 * through node-postgres (production, several processes). `openDatabase` picks one and runs the migrations.
 *
 * Both return `bigint` columns as JavaScript numbers, `timestamptz` as Date and `jsonb` as parsed JSON.
 */
import type { Logger } from '../logging/logger.ts';
import { openPglite } from './pglite-database.ts';
import { openPostgres } from './postgres-database.ts';

export { openPglite, type PgliteOptions, pgliteDirectory } from './pglite-database.ts';
export { openPostgres, type PostgresOptions, redactDatabaseUrl } from './postgres-database.ts';

/** Something that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  /** One statement, with `$1 … $n` parameters; resolves to the rows. Pass JSON as a string and cast (`$1::jsonb`). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements separated by `;`, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws (and the error rethrown).
   * Inside a transaction this opens a savepoint, so a failed inner block does not abort the outer one.
   * Statements of one transaction run one after the other: do not run them concurrently. Inside `fn`, use `tx`
   * only: on PGlite (one connection) a query on the database itself waits for the transaction, which waits for it.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

/** An open transaction (or savepoint). Using it after its block has ended throws. */
export type Transaction = Queryable;

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives, for logs: a folder, `memory`, or the server URL without its password. */
  readonly location: string;
  /** Closes the connections (the embedded database: writes it out). Idempotent. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL (DATABASE_URL). When set, the server is used; otherwise the embedded PGlite. */
  databaseUrl?: string | undefined;
  /** BPTL's data folder (BPTL_DATA_DIR, absolute): PGlite keeps its files in `<dataDir>/bptl-db`. */
  dataDir: string;
  log?: Logger;
}

/**
 * Opens the configuration database — PostgreSQL when `databaseUrl` (DATABASE_URL) is set, else the embedded
 * PGlite in `<dataDir>/bptl-db` — and brings its tables up to date (migrations run at open).
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const log = options.log ? { log: options.log } : {};
  if (options.databaseUrl) return openPostgres(options.databaseUrl, log);
  return openPglite({ dataDir: options.dataDir, ...log });
}
