/**
 * Schema migrations: the plain SQL files in `migrations/` (`NNN-name.sql`), applied in the order of their names,
 * each in its own transaction and recorded in `bptl_migrations` with a checksum. Every transaction first takes
 * a PostgreSQL advisory lock, so that processes starting together wait for each other and apply each file once.
 * Migrations are append-only: a file changed after it was applied stops start-up.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logging/logger.ts';
import type { Database } from './database.ts';

/** The folder of the SQL files (copied next to the compiled code by `npm run build`). */
export const migrationsDirectory = path.join(import.meta.dirname, 'migrations');

/** Key of the advisory lock that serialises migrators ('bptl' in ASCII). */
const MIGRATION_LOCK = 0x6270746c;

const FILE_NAME = /^(\d{3,})-[a-z0-9-]+\.sql$/;

export interface Migration {
  /** The file name, e.g. `001-initial.sql`. */
  id: string;
  sql: string;
  /** sha256 of the file (line endings normalised). */
  checksum: string;
}

/** Reads the migration files in order. Files that do not look like `NNN-name.sql` are ignored. */
export async function readMigrations(directory = migrationsDirectory): Promise<Migration[]> {
  const names = (await readdir(directory)).filter((name) => FILE_NAME.test(name)).sort();
  return Promise.all(
    names.map(async (id) => {
      const sql = (await readFile(path.join(directory, id), 'utf8')).replaceAll('\r\n', '\n');
      return { id, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export interface MigrateOptions {
  log?: Logger;
  /** Where the SQL files are. @default migrationsDirectory */
  directory?: string;
}

/** Applies the migrations that are not yet applied; resolves to the ids it applied (empty when up to date). */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<string[]> {
  const migrations = await readMigrations(options.directory);
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      // Held until this transaction ends: a second migrator waits here, then sees this one's work.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS bptl_migrations (
           id text PRIMARY KEY,
           checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const [done] = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM bptl_migrations WHERE id = $1',
        [migration.id],
      );
      if (done) {
        if (done.checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.id} was changed after it was applied to the configuration database ` +
              `${db.location}: migrations are append-only, put the change in a new file`,
          );
        }
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO bptl_migrations (id, checksum) VALUES ($1, $2)', [
        migration.id,
        migration.checksum,
      ]);
      return true;
    });
    if (ran) {
      applied.push(migration.id);
      options.log?.info('configuration database migrated', {
        migration: migration.id,
        location: db.location,
      });
    }
  }
  return applied;
}
