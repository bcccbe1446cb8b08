/**
 * The embedded configuration database: PGlite, PostgreSQL compiled to WASM, running inside this process. It needs
 * no server and downloads nothing (the WASM image ships in the npm package). Its files live in
 * `<BPTL_DATA_DIR>/bptl-db`, or in memory (tests).
 *
 * Only one process may open the folder: a lock file beside it (`bptl-db.lock`, holding the pid) makes a second
 * process fail with a clear message instead of corrupting the files. Several processes (api, poller and worker
 * started apart) need PostgreSQL: set DATABASE_URL.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ConfigError, ensureError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { Database, Transaction } from './database.ts';
import { migrate } from './migrate.ts';
import { createTransaction } from './transaction.ts';

/** PostgreSQL's type id of `bigint` (int8). */
const INT8 = 20;

export interface PgliteOptions {
  /** BPTL's data folder: the database lives in `<dataDir>/bptl-db`. In memory when left out. */
  dataDir?: string | undefined;
  log?: Logger;
  /** Bring the tables up to date at open. @default true */
  migrate?: boolean;
}

/** The folder of the embedded database inside BPTL's data folder. */
export function pgliteDirectory(dataDir: string): string {
  return path.join(dataDir, 'bptl-db');
}

/** Opens (creating when new) the embedded database and runs the migrations. */
export async function openPglite(options: PgliteOptions = {}): Promise<Database> {
  const directory = options.dataDir === undefined ? undefined : pgliteDirectory(options.dataDir);
  let releaseLock = () => {};
  if (directory !== undefined) {
    mkdirSync(path.dirname(directory), { recursive: true });
    releaseLock = lockDirectory(directory);
  }
  let pglite: PGlite | undefined;
  try {
    pglite = await PGlite.create({
      ...(directory === undefined ? {} : { dataDir: directory }),
      parsers: { [INT8]: (value: string) => Number(value) },
    }).catch((error: unknown) => {
      throw new Error(
        `cannot open the embedded configuration database ${directory ?? '(in memory)'}: ${ensureError(error).message}`,
        { cause: error },
      );
    });
    const db = wrap(pglite, directory ?? 'memory', releaseLock);
    if (options.migrate !== false) await migrate(db, options.log ? { log: options.log } : {});
    options.log?.debug('configuration store opened', { kind: 'pglite', location: db.location });
    return db;
  } catch (error) {
    await pglite?.close().catch(() => {});
    releaseLock();
    throw error;
  }
}

function wrap(pglite: PGlite, location: string, releaseLock: () => void): Database {
  let closing: Promise<void> | undefined;
  return {
    kind: 'pglite',
    location,
    async query<T>(sql: string, params: readonly unknown[] = []) {
      return (await pglite.query<T>(sql, [...params])).rows;
    },
    async exec(sql: string) {
      await pglite.exec(sql);
    },
    transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      // PGlite runs one transaction at a time (it has one connection) and queues the others.
      return pglite.transaction(async (ptx) => {
        const tx = createTransaction({
          query: async (sql, params) => (await ptx.query<Record<string, unknown>>(sql, [...params])).rows,
          exec: async (sql) => {
            await ptx.exec(sql);
          },
        });
        try {
          return await fn(tx);
        } finally {
          tx.finish();
        }
      });
    },
    close() {
      closing ??= (async () => {
        try {
          await pglite.close();
        } finally {
          releaseLock();
        }
      })();
      return closing;
    },
  };
}

/** Folders this process holds open, so that a lock file with our own pid is told apart from a stale one. */
const heldHere = new Set<string>();

/**
 * Takes `<directory>.lock`, or throws ConfigError when a live process holds it. A lock left by a process that
 * died (its pid is gone, or it is our pid but not opened here: a restarted container) is taken over.
 */
function lockDirectory(directory: string): () => void {
  const lockFile = `${directory}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(directory);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(directory);
        try {
          unlinkSync(lockFile);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readLock(lockFile), 10);
      if (Number.isInteger(holder) && holder > 0 && isLive(holder, directory)) {
        throw new ConfigError(
          `the embedded configuration database ${directory} is in use by process ${holder}: ` +
            'only one process can open it. Run the API, poller and worker in one process (bptl dev), ' +
            'or set DATABASE_URL to use PostgreSQL, which any number of processes can share.',
        );
      }
      try {
        unlinkSync(lockFile); // stale: its process is gone
      } catch {
        // Another process removed it first; try again.
      }
    }
  }
  throw new ConfigError(`cannot take the lock ${lockFile} of the embedded configuration database`);
}

function readLock(lockFile: string): string {
  try {
    return readFileSync(lockFile, 'utf8').trim();
  } catch {
    return '';
  }
}

function isLive(pid: number, directory: string): boolean {
  if (pid === process.pid) return heldHere.has(directory);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}
