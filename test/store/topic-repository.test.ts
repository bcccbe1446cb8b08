import { beforeAll, expect, it } from 'vitest';
import { topicConfigSchema } from '../../src/config/topic-config.ts';
import {
  DuplicateError,
  InvalidReferenceError,
  NotFoundError,
  StaleWriteError,
} from '../../src/store/errors.ts';
import { engineInput, topicInput, topicUpdate } from '../support/store-inputs.ts';
import { describeStores, uniqueName } from './stores.ts';

describeStores('topics', (ctx) => {
  const engine = uniqueName('eng');
  const other = uniqueName('eng');

  beforeAll(async () => {
    const { store } = ctx();
    await store.engines.create(engineInput({ name: engine, url: 'http://127.0.0.1:8080/engine-rest' }), {
      actor: 'setup',
    });
    await store.engines.create(engineInput({ name: other, url: 'http://127.0.0.1:8081/engine-rest' }), {
      actor: 'setup',
    });
  });

  it('reads pages by engine and topic after a key, and says whether more follow', async () => {
    const { store } = ctx();
    // Names that sort differently under a locale's collation and by code unit: the page must follow the store's.
    const topics = ['B', 'a', 'a.b', 'a/b', 'a-b', 'ä', 'z z'];
    const paging = uniqueName('eng');
    await store.engines.create(engineInput({ name: paging, url: 'http://127.0.0.1:8082/engine-rest' }), {
      actor: 'pages',
    });
    for (const topic of topics) {
      await store.topics.create(topicInput({ engine: paging, topic, workUnit: 'echo' }), { actor: 'pages' });
    }
    const all = (await store.topics.list({ engine: paging })).map((t) => t.topic);
    const paged: string[] = [];
    let after: { engine: string; topic: string } | undefined;
    for (;;) {
      const page = await store.topics.page({ engine: paging, after, limit: 2 });
      paged.push(...page.items.map((t) => t.topic));
      expect(page.items.length).toBeLessThanOrEqual(2);
      if (!page.more) break;
      after = { engine: paging, topic: page.items.at(-1)!.topic };
    }
    expect(paged).toEqual(all);
    expect([...paged].sort()).toEqual([...topics].sort());
    const [first] = (await store.topics.page({ after: { engine: paging, topic: '' }, limit: 1 })).items;
    expect(first).toMatchObject({ engine: paging, topic: all[0] });
  });

  it('stores the topic the configuration file would give, defaults filled in, and reads it back', async () => {
    const { store } = ctx();
    const input = {
      engine,
      topic: uniqueName('echo'),
      workUnit: 'echo',
      lockDurationMs: 30_000,
      variables: ['a'],
    };
    const created = await store.topics.create(topicInput(input), { actor: 'alice' });
    const { version, createdAt, updatedAt, ...config } = created;
    expect(config).toEqual(topicConfigSchema.parse(input));
    expect(config).toMatchObject({ enabled: true, retry: { maximumAttempts: 3 }, camundaRetries: 0 });
    expect(version).toBe(1);
    expect(updatedAt).toEqual(createdAt);
    expect(await store.topics.get({ engine, topic: input.topic })).toEqual(created);
  });

  it('lists by engine and by enabled, updates and deletes', async () => {
    const { store } = ctx();
    const topic = uniqueName('t');
    await store.topics.create(topicInput({ engine, topic, workUnit: 'echo' }), { actor: 'a' });
    await store.topics.create(topicInput({ engine: other, topic, workUnit: 'sleep', enabled: false }), {
      actor: 'a',
    });

    expect((await store.topics.list({ engine: other })).map((t) => [t.engine, t.topic])).toEqual([
      [other, topic],
    ]);
    expect((await store.topics.list({ enabled: false })).every((t) => !t.enabled)).toBe(true);
    expect((await store.topics.list()).filter((t) => t.topic === topic)).toHaveLength(2);

    const updated = await store.topics.update(
      { engine, topic },
      topicUpdate({ workUnit: 'sleep', enabled: false, retry: { maximumAttempts: 5 }, description: 'slow' }),
      { actor: 'b', expectedVersion: 1 },
    );
    expect(updated).toMatchObject({
      workUnit: 'sleep',
      enabled: false,
      description: 'slow',
      retry: { maximumAttempts: 5, initialIntervalMs: 1_000 },
      version: 2,
    });
    expect(await store.topics.get({ engine, topic })).toEqual(updated);

    await store.topics.delete({ engine, topic }, { actor: 'b', expectedVersion: 2 });
    expect(await store.topics.get({ engine, topic })).toBeUndefined();
    expect(await store.topics.get({ engine: other, topic })).toBeDefined();
  });

  it('refuses the same topic twice on one engine (DuplicateError) but not on two engines', async () => {
    const { store } = ctx();
    const topic = uniqueName('dup');
    await store.topics.create(topicInput({ engine, topic, workUnit: 'echo' }), { actor: 'a' });
    const error = await store.topics
      .create(topicInput({ engine, topic, workUnit: 'sleep' }), { actor: 'a' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(DuplicateError);
    expect(error).toMatchObject({ resourceType: 'topic', resourceName: `${engine}/${topic}` });
    await expect(
      store.topics.create(topicInput({ engine: other, topic, workUnit: 'echo' }), { actor: 'a' }),
    ).resolves.toBeDefined();
  });

  it('refuses a topic of an unknown engine with InvalidReferenceError', async () => {
    const { store } = ctx();
    const error = await store.topics
      .create(topicInput({ engine: 'nowhere', topic: 'x', workUnit: 'echo' }), { actor: 'a' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect((error as Error).message).toBe("engine: engine 'nowhere' does not exist");
  });

  it('refuses stale and missing writes', async () => {
    const { store } = ctx();
    const key = { engine, topic: uniqueName('v') };
    await store.topics.create(topicInput({ ...key, workUnit: 'echo' }), { actor: 'a' });
    await store.topics.update(key, topicUpdate({ workUnit: 'echo', enabled: false }), {
      actor: 'a',
      expectedVersion: 1,
    });
    const stale = await store.topics
      .update(key, topicUpdate({ workUnit: 'echo' }), { actor: 'b', expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(StaleWriteError);
    expect(stale).toMatchObject({ currentVersion: 2 });
    await expect(store.topics.delete(key, { actor: 'b', expectedVersion: 3 })).rejects.toBeInstanceOf(
      StaleWriteError,
    );
    await expect(
      store.topics.update({ engine, topic: 'missing' }, topicUpdate({ workUnit: 'echo' }), { actor: 'a' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.topics.delete({ engine, topic: 'missing' }, { actor: 'a' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('keeps the settings as a JSONB document, and fills in settings added after a row was written', async () => {
    const { store, db } = ctx();
    const key = { engine, topic: uniqueName('jsonb') };
    await store.topics.create(topicInput({ ...key, workUnit: 'echo', heartbeatTimeoutMs: 5_000 }), {
      actor: 'a',
    });
    const [raw] = await db.query<{ work_unit: string; enabled: boolean; settings: Record<string, unknown> }>(
      'SELECT work_unit, enabled, settings FROM topics WHERE engine = $1 AND topic = $2',
      [key.engine, key.topic],
    );
    expect(raw).toMatchObject({ work_unit: 'echo', enabled: true, settings: { heartbeatTimeoutMs: 5_000 } });
    expect(raw!.settings).not.toHaveProperty('workUnit');
    expect(raw!.settings).not.toHaveProperty('topic');

    // A row written before heartbeatTimeoutMs existed: the schema's default applies on read.
    await db.query(
      `UPDATE topics SET settings = settings - 'heartbeatTimeoutMs' WHERE engine = $1 AND topic = $2`,
      [key.engine, key.topic],
    );
    expect((await store.topics.get(key))?.heartbeatTimeoutMs).toBe(30_000);
  });
});
