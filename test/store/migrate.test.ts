import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { openConfigStore } from '../../src/store/config-store.ts';
import { openDatabase, openPglite, openPostgres } from '../../src/store/database.ts';
import { migrate, migrationsDirectory, readMigrations } from '../../src/store/migrate.ts';
import { findPostgresBinaries } from '../support/postgres-server.ts';
import { engineInput } from '../support/store-inputs.ts';
import { describeStores, freshPostgresDatabase, randomCipher } from './stores.ts';

const tables = [
  'audit_log',
  'bptl_migrations',
  'config_revision',
  'engines',
  'service_credentials',
  'services',
  'topics',
];

describeStores('migrations', (ctx) => {
  it('creates the tables once and records each migration', async () => {
    const { db } = ctx();
    const rows = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(tables);
    const files = await readMigrations();
    expect(files.map((m) => m.id)).toContain('001-initial.sql');
    const applied = await db.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM bptl_migrations ORDER BY id',
    );
    expect(applied).toEqual(files.map((m) => ({ id: m.id, checksum: m.checksum })));
  });

  it('is idempotent: migrating again applies nothing and keeps the data', async () => {
    const { db, store } = ctx();
    await store.engines.create(engineInput({ name: 'kept', url: 'http://127.0.0.1:8080/engine-rest' }), {
      actor: 'a',
    });
    expect(await migrate(db)).toEqual([]);
    expect(await migrate(db)).toEqual([]);
    expect(await store.engines.get('kept')).toBeDefined();
  });

  it('stops when an applied migration file was changed', async () => {
    const { db } = ctx();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bptl-migrations-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const original = readFileSync(path.join(migrationsDirectory, '001-initial.sql'), 'utf8');
    writeFileSync(path.join(dir, '001-initial.sql'), `${original}\n-- edited\n`);
    await expect(migrate(db, { directory: dir })).rejects.toThrow(
      /migration 001-initial\.sql was changed after it was applied .*put the change in a new file/,
    );
  });

  it('applies a new migration file in order, once', async () => {
    const { db } = ctx();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bptl-migrations-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      path.join(dir, '001-initial.sql'),
      readFileSync(path.join(migrationsDirectory, '001-initial.sql')),
    );
    writeFileSync(
      path.join(dir, '002-note.sql'),
      'CREATE TABLE test_note (id int);\nINSERT INTO test_note VALUES (1);',
    );
    writeFileSync(path.join(dir, 'README.txt'), 'not a migration');
    expect(await migrate(db, { directory: dir })).toEqual(['002-note.sql']);
    expect(await migrate(db, { directory: dir })).toEqual([]);
    expect(await db.query('SELECT id FROM test_note')).toEqual([{ id: 1 }]);
  });
});

describe('migrations on PostgreSQL with several processes starting at once', () => {
  it('migrates once when four openers race (advisory lock)', async () => {
    const url = await freshPostgresDatabase();
    const dbs = await Promise.all([1, 2, 3, 4].map(() => openPostgres(url, { poolSize: 2 })));
    onTestFinished(() => Promise.all(dbs.map((db) => db.close())).then(() => {}));
    const [db] = dbs;
    const applied = await db!.query<{ id: string }>('SELECT id FROM bptl_migrations');
    expect(applied.map((r) => r.id)).toEqual((await readMigrations()).map((m) => m.id));
    expect(await db!.query('SELECT revision FROM config_revision')).toEqual([{ revision: 0 }]);
  });

  it('names DATABASE_URL, without the password, when the server cannot be reached', async () => {
    const error = (await openPostgres('postgres://bptl:s3cret@127.0.0.1:1/bptl', {
      connectionTimeoutMs: 2_000,
    }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error | undefined;
    expect(error?.message).toMatch(
      /cannot connect to the configuration database at DATABASE_URL postgres:\/\/bptl:\*\*\*@127\.0\.0\.1:1\/bptl/,
    );
    expect(error?.message).not.toContain('s3cret');
  });
});

describe('the embedded database on disk', () => {
  let dataDir = '';
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'bptl-store-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lives in <BPTL_DATA_DIR>/bptl-db, keeps its data across opens and migrates once', async () => {
    const first = await openDatabase({ dataDir });
    expect(first.kind).toBe('pglite');
    expect(first.location).toBe(path.join(dataDir, 'bptl-db'));
    await first.query(`INSERT INTO engines (name, url, auth) VALUES ('disk', 'http://x', '{"type":"none"}')`);
    await first.close();
    await first.close(); // idempotent
    expect(existsSync(path.join(dataDir, 'bptl-db', 'PG_VERSION'))).toBe(true);

    const second = await openPglite({ dataDir });
    try {
      expect(await second.query('SELECT name FROM engines')).toEqual([{ name: 'disk' }]);
      expect(await migrate(second)).toEqual([]);
      expect(await second.query('SELECT count(*)::int AS n FROM bptl_migrations')).toEqual([
        { n: (await readMigrations()).length },
      ]);
    } finally {
      await second.close();
    }
  });

  it('cannot be opened twice at once (a second process would corrupt it)', async () => {
    const db = await openPglite({ dataDir });
    try {
      const error = (await openPglite({ dataDir }).then(
        () => undefined,
        (e: unknown) => e,
      )) as Error | undefined;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error?.message).toMatch(/is in use by process \d+: only one process can open it.*DATABASE_URL/);
    } finally {
      await db.close();
    }
    // Closed: free again.
    await (await openPglite({ dataDir })).close();
  });

  it('takes over the lock of a process that died', async () => {
    writeFileSync(path.join(dataDir, 'bptl-db.lock'), '999999999');
    await (await openPglite({ dataDir })).close();
    expect(existsSync(path.join(dataDir, 'bptl-db.lock'))).toBe(false);
  });
});

describe('openConfigStore', () => {
  it('checks BPTL_SECRET_KEY before it opens anything', async () => {
    const dataDir = path.join(os.tmpdir(), `bptl-never-${process.pid}`);
    await expect(openConfigStore({ dataDir, env: {} })).rejects.toThrow(/BPTL_SECRET_KEY is not set/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('opens PostgreSQL when a database URL is given, and warns about the development key', async () => {
    const url = await freshPostgresDatabase();
    const warnings: string[] = [];
    const log = {
      debug() {},
      info() {},
      warn: (message: string) => warnings.push(message),
      error() {},
      child() {
        return log;
      },
    };
    const store = await openConfigStore({
      databaseUrl: url,
      dataDir: '/nonexistent',
      env: { BPTL_DEV_INSECURE_SECRET_KEY: '1' },
      log,
    });
    try {
      expect(store.database.kind).toBe('postgres');
      expect(await store.revision()).toBe(0);
      expect(warnings.join('\n')).toMatch(/development key/);
    } finally {
      await store.close();
    }
    expect(randomCipher().insecure).toBe(false);
  });
});

describe('the PostgreSQL test server', () => {
  it('fails with a clear message, never skips, when PostgreSQL is not installed', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'bptl-no-pg-'));
    onTestFinished(() => rmSync(empty, { recursive: true, force: true }));
    expect(() => findPostgresBinaries({ PATH: empty }, empty)).toThrow(
      /PostgreSQL's server binaries \(initdb, pg_ctl, postgres\) were not found .*apt-get install -y postgresql/,
    );
  });

  it('finds the newest installed version', () => {
    const found = findPostgresBinaries();
    expect(found.version).toMatch(/^postgres \(PostgreSQL\) \d+/);
  });
});
