/**
 * The configuration database on a PostgreSQL server (DATABASE_URL), through a node-postgres pool. Any number of
 * BPTL processes can share it; migrations take an advisory lock so that processes starting together migrate
 * once. A transaction holds one pooled connection from BEGIN to COMMIT or ROLLBACK.
 */
import pg from 'pg';
import { ensureError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { Database, Transaction } from './database.ts';
import { migrate } from './migrate.ts';
import { createTransaction } from './transaction.ts';

/** PostgreSQL's type id of `bigint` (int8): parsed to a number, as PGlite does (ids and counters stay far below 2^53). */
const INT8 = 20;

export interface PostgresOptions {
  log?: Logger;
  /** Bring the tables up to date at open. @default true */
  migrate?: boolean;
  /** Most connections this process opens. @default 10 */
  poolSize?: number;
  /** How long to wait for a connection (including the server's answer at open). @default 10000 */
  connectionTimeoutMs?: number;
}

/** The URL without its password, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** Connects to PostgreSQL at `url` and runs the migrations; the error of a failed first connection names the URL. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const location = redactDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that the server drops (restart, failover) must not crash the process: the pool
  // replaces it on the next query.
  pool.on('error', (error) =>
    options.log?.warn('configuration database connection lost', { error, location }),
  );

  const db = wrap(pool, location);
  try {
    await db.query('SELECT 1').catch((error: unknown) => {
      throw new Error(
        `cannot connect to the configuration database at DATABASE_URL ${location}: ${ensureError(error).message}`,
        { cause: error },
      );
    });
    if (options.migrate !== false) await migrate(db, options.log ? { log: options.log } : {});
    options.log?.debug('configuration store opened', { kind: 'postgres', location });
    return db;
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

function wrap(pool: pg.Pool, location: string): Database {
  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    location,
    async query<T>(sql: string, params: readonly unknown[] = []) {
      return (await pool.query(sql, [...params])).rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql); // no parameters: the simple protocol, which runs several statements
    },
    async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      const tx = createTransaction({
        query: async (sql, params) => (await client.query(sql, [...params])).rows,
        exec: async (sql) => {
          await client.query(sql);
        },
      });
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        tx.finish();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        tx.finish();
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = ensureError(rollbackError); // the connection is unusable: the pool must not hand it out again
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
}
