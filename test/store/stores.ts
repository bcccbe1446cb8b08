/**
 * Runs a block of store tests twice: on the embedded PGlite (in memory) and on the real PostgreSQL server of the
 * global set-up. Each test file gets its own PGlite instance and its own PostgreSQL database; tests within a file
 * use their own names (engines, services, topics), so they do not see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type ConfigStore, createConfigStore } from '../../src/store/config-store.ts';
import { type Database, openPglite, openPostgres } from '../../src/store/database.ts';
import { createSecretCipher, type SecretCipher } from '../../src/store/secret-cipher.ts';
import { createDatabase } from '../support/postgres-server.ts';

export type StoreKind = 'pglite' | 'postgres';
export const storeKinds: readonly StoreKind[] = ['pglite', 'postgres'];

export interface StoreContext {
  kind: StoreKind;
  db: Database;
  store: ConfigStore;
  cipher: SecretCipher;
  /** The database's URL (PostgreSQL only): for a second connection, as another process would have. */
  url: string | undefined;
  /** A store on the same database with another cipher (e.g. another key). */
  withCipher(cipher: SecretCipher): ConfigStore;
}

let databases = 0;

/** A fresh, migrated database of the given kind. */
export async function openTestDatabase(kind: StoreKind): Promise<{ db: Database; url: string | undefined }> {
  if (kind === 'pglite') return { db: await openPglite(), url: undefined };
  const url = await freshPostgresDatabase();
  return { db: await openPostgres(url, { poolSize: 4 }), url };
}

/** Creates an empty database on the test server and returns its URL (not migrated). */
export function freshPostgresDatabase(): Promise<string> {
  const name = `bptl_test_${process.pid}_${Date.now().toString(36)}_${++databases}`;
  return createDatabase(inject('postgresAdminUrl'), name);
}

/** A cipher with a new random key. */
export function randomCipher(): SecretCipher {
  return createSecretCipher(randomBytes(32));
}

/** `describe(title (pglite))` and `describe(title (postgres))`, each with a fresh store. */
export function describeStores(title: string, body: (context: () => StoreContext) => void): void {
  for (const kind of storeKinds) {
    describe(`${title} (${kind})`, () => {
      let context: StoreContext | undefined;
      beforeAll(async () => {
        const { db, url } = await openTestDatabase(kind);
        const cipher = randomCipher();
        context = {
          kind,
          db,
          cipher,
          url,
          store: createConfigStore(db, cipher),
          withCipher: (other) => createConfigStore(db, other),
        };
      });
      afterAll(async () => {
        await context?.db.close();
      });
      body(() => {
        if (!context) throw new Error('the store did not open (see the beforeAll error)');
        return context;
      });
    });
  }
}

/** A name that no other test of the file uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
