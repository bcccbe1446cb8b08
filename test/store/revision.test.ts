import { describe, expect, it, onTestFinished } from 'vitest';
import { createConfigStore } from '../../src/store/config-store.ts';
import { openPostgres } from '../../src/store/database.ts';
import { watchRevision } from '../../src/store/revision.ts';
import { engineInput, topicInput, topicUpdate } from '../support/store-inputs.ts';
import { describeStores, uniqueName } from './stores.ts';

const url = 'http://127.0.0.1:8080/engine-rest';

describeStores('the configuration revision', (ctx) => {
  it('moves by one with every write, and not with reads or failed writes', async () => {
    const { store } = ctx();
    const start = await store.revision();
    const name = uniqueName('rev');
    await store.engines.create(engineInput({ name, url }), { actor: 'a' });
    await store.topics.create(topicInput({ engine: name, topic: 't', workUnit: 'echo' }), { actor: 'a' });
    await store.topics.update(
      { engine: name, topic: 't' },
      topicUpdate({ workUnit: 'echo', enabled: false }),
      { actor: 'a' },
    );
    expect(await store.revision()).toBe(start + 3);
    await store.engines.list();
    await store.topics.get({ engine: name, topic: 't' });
    await store.engines.create(engineInput({ name, url }), { actor: 'a' }).catch(() => {});
    expect(await store.revision()).toBe(start + 3);
    await store.topics.delete({ engine: name, topic: 't' }, { actor: 'a' });
    expect(await store.revision()).toBe(start + 4);
  });

  it('gives pollers a snapshot: the revision, engines with their secrets, topics as the poller takes them', async () => {
    const { store } = ctx();
    const name = uniqueName('snap');
    await store.engines.create(
      { name, url, auth: { type: 'bearer', token: 'engine-token' }, workerIdPrefix: 'w' },
      { actor: 'a' },
    );
    await store.topics.create(topicInput({ engine: name, topic: 'snap-topic', workUnit: 'echo' }), {
      actor: 'a',
    });
    const snapshot = await store.snapshot();
    expect(snapshot.revision).toBe(await store.revision());
    expect(snapshot.config.engines.find((e) => e.name === name)).toEqual({
      name,
      url,
      auth: { type: 'bearer', token: 'engine-token' },
      workerIdPrefix: 'w',
    });
    const topic = snapshot.config.topics.find((t) => t.engine === name);
    expect(topic).toMatchObject({
      topic: 'snap-topic',
      workUnit: 'echo',
      enabled: true,
      lockDurationMs: 60_000,
    });
    expect(topic).not.toHaveProperty('version');
  });

  it('lets a watcher notice a change within its interval, and stops when aborted', async () => {
    const { kind, store, url: databaseUrl, cipher } = ctx();
    // On PostgreSQL the watcher reads through its own connection, as a poller in another process would.
    let reader = store;
    if (kind === 'postgres' && databaseUrl) {
      const db = await openPostgres(databaseUrl, { migrate: false, poolSize: 1 });
      onTestFinished(() => db.close());
      reader = createConfigStore(db, cipher);
    }
    const controller = new AbortController();
    const seen: number[] = [];
    const errors: Error[] = [];
    let notify: (revision: number) => void = () => {};
    const since = await reader.revision();
    const watching = watchRevision({
      read: () => reader.revision(),
      since,
      intervalMs: 50,
      signal: controller.signal,
      onChange: (revision) => {
        seen.push(revision);
        notify(revision);
      },
      onError: (error) => errors.push(error),
    });
    const changed = new Promise<number>((resolve) => {
      notify = resolve;
    });
    const writtenAt = Date.now();
    await store.engines.create(engineInput({ name: uniqueName('watched'), url }), { actor: 'a' });
    const revision = await changed;
    expect(Date.now() - writtenAt).toBeLessThan(5_000);
    expect(revision).toBe(since + 1);

    controller.abort();
    await watching;
    await store.engines.create(engineInput({ name: uniqueName('unwatched'), url }), { actor: 'a' });
    expect(seen).toEqual([since + 1]);
    expect(errors).toEqual([]);
  });
});

describe('watchRevision', () => {
  it('keeps watching through a failing read', async () => {
    const controller = new AbortController();
    let calls = 0;
    const errors: string[] = [];
    const changes: number[] = [];
    await watchRevision({
      read: async () => {
        calls++;
        if (calls === 1) throw new Error('database restarting');
        if (calls >= 3) controller.abort();
        return 7;
      },
      since: 6,
      intervalMs: 10,
      signal: controller.signal,
      onChange: (revision) => {
        changes.push(revision);
      },
      onError: (error) => errors.push(error.message),
    });
    expect(errors).toEqual(['database restarting']);
    expect(changes).toEqual([7]);
  });
});
