import { expect, it } from 'vitest';
import { openPostgres } from '../../src/store/database.ts';
import { DuplicateError, ValidationError } from '../../src/store/errors.ts';
import { engineInput, serviceInput, topicInput } from '../support/store-inputs.ts';
import { describeStores, uniqueName } from './stores.ts';

const url = 'http://127.0.0.1:8080/engine-rest';

describeStores('audit log and transactions', (ctx) => {
  it('lists newest first, filtered by resource type, name and actor, in pages', async () => {
    const { store } = ctx();
    const actor = uniqueName('lister');
    const names = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
    for (const name of names) await store.engines.create(engineInput({ name, url }), { actor });
    await store.services.create(serviceInput({ name: names[0]!, baseUrl: 'https://x.example.nl' }), {
      actor,
    });

    const all = await store.audit.list({ actor });
    expect(all.map((e) => e.resourceName)).toEqual([names[0], names[2], names[1], names[0]]);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));
    expect(all[0]).toMatchObject({ resourceType: 'service', action: 'create', actor });
    expect(all[0]!.at).toBeInstanceOf(Date);

    expect((await store.audit.list({ actor, resourceType: 'engine' })).map((e) => e.resourceName)).toEqual([
      names[2],
      names[1],
      names[0],
    ]);
    expect(await store.audit.list({ resourceType: 'engine', resourceName: names[1] })).toHaveLength(1);
    const page1 = await store.audit.list({ actor, limit: 2 });
    const page2 = await store.audit.list({ actor, limit: 2, beforeId: page1.at(-1)!.id });
    expect([...page1, ...page2].map((e) => e.id)).toEqual(all.map((e) => e.id));

    await expect(store.audit.list({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('numbers each write with the configuration revision it made', async () => {
    const { store } = ctx();
    const name = uniqueName('rev');
    const before = await store.revision();
    await store.engines.create(engineInput({ name, url }), { actor: 'a' });
    const [entry] = await store.audit.list({ resourceName: name });
    expect(entry!.revision).toBe(before + 1);
    expect(await store.revision()).toBe(before + 1);
  });

  it('writes nothing — row, audit entry, revision — when a write fails', async () => {
    const { store, db } = ctx();
    const name = uniqueName('fail');
    await store.engines.create(engineInput({ name, url }), { actor: 'a' });
    const revision = await store.revision();
    const [count] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    await expect(store.engines.create(engineInput({ name, url }), { actor: 'a' })).rejects.toBeInstanceOf(
      DuplicateError,
    );
    await expect(
      store.topics.create(topicInput({ engine: 'missing', topic: 't', workUnit: 'echo' }), { actor: 'a' }),
    ).rejects.toThrow();
    expect(await store.revision()).toBe(revision);
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')).toEqual([count]);
  });

  it('rolls back the rows and their audit entries together when a transaction fails', async () => {
    const { store } = ctx();
    const name = uniqueName('rollback');
    const revision = await store.revision();
    const error = await store
      .transaction(async (tx) => {
        await tx.engines.create(engineInput({ name, url }), { actor: 'tx' });
        await tx.topics.create(topicInput({ engine: name, topic: 't', workUnit: 'echo' }), { actor: 'tx' });
        // Inside the transaction, each write has its audit entry next to it.
        expect((await tx.audit.list({ resourceName: name })).map((e) => e.action)).toEqual(['create']);
        expect(await tx.revision()).toBe(revision + 2);
        throw new Error('changed my mind');
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('changed my mind');
    expect(await store.engines.get(name)).toBeUndefined();
    expect(await store.topics.get({ engine: name, topic: 't' })).toBeUndefined();
    expect(await store.audit.list({ resourceName: name })).toEqual([]);
    expect(await store.audit.list({ resourceName: `${name}/t` })).toEqual([]);
    expect(await store.revision()).toBe(revision);
  });

  it('commits several writes at once, each audited; a caught store error undoes only its own write', async () => {
    const { store } = ctx();
    const name = uniqueName('together');
    await store.transaction(async (tx) => {
      await tx.engines.create(engineInput({ name, url }), { actor: 'import' });
      await expect(tx.engines.create(engineInput({ name, url }), { actor: 'import' })).rejects.toBeInstanceOf(
        DuplicateError,
      );
      await tx.topics.create(topicInput({ engine: name, topic: 't', workUnit: 'echo' }), { actor: 'import' });
    });
    expect(await store.topics.get({ engine: name, topic: 't' })).toMatchObject({ workUnit: 'echo' });
    const entries = await store.audit.list({ actor: 'import' });
    expect(entries.map((e) => [e.resourceType, e.resourceName])).toEqual(
      expect.arrayContaining([
        ['topic', `${name}/t`],
        ['engine', name],
      ]),
    );
    expect(entries.filter((e) => e.resourceName === name)).toHaveLength(1);
  });

  it('is invisible to other connections until it commits (PostgreSQL)', async () => {
    const { kind, store, url: databaseUrl } = ctx();
    if (kind !== 'postgres' || !databaseUrl) return; // PGlite has one connection: there is no "other" to ask.
    const other = await openPostgres(databaseUrl, { migrate: false, poolSize: 1 });
    try {
      const name = uniqueName('hidden');
      await store.transaction(async (tx) => {
        await tx.engines.create(engineInput({ name, url }), { actor: 'a' });
        expect(await other.query('SELECT 1 FROM engines WHERE name = $1', [name])).toEqual([]);
        expect(await other.query('SELECT 1 FROM audit_log WHERE resource_name = $1', [name])).toEqual([]);
      });
      expect(await other.query('SELECT 1 FROM engines WHERE name = $1', [name])).toHaveLength(1);
      expect(await other.query('SELECT 1 FROM audit_log WHERE resource_name = $1', [name])).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('refuses a transaction handle used after its block ended', async () => {
    const { db } = ctx();
    let leaked: { query: (sql: string) => Promise<unknown> } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.query('SELECT 1')).rejects.toThrow(/already ended/);
  });
});
