import { expect, it } from 'vitest';
import {
  DuplicateError,
  InUseError,
  NotFoundError,
  StaleWriteError,
  ValidationError,
} from '../../src/store/errors.ts';
import { engineInput, engineUpdate, topicInput } from '../support/store-inputs.ts';
import { describeStores, uniqueName } from './stores.ts';

const url = 'http://127.0.0.1:8080/engine-rest';

describeStores('engines', (ctx) => {
  it('creates, reads, lists, updates and deletes an engine, counting versions', async () => {
    const { store } = ctx();
    const name = uniqueName('crud');
    const created = await store.engines.create(engineInput({ name, url }), { actor: 'alice' });
    expect(created).toMatchObject({ name, url, auth: { type: 'none' }, version: 1 });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created).not.toHaveProperty('workerIdPrefix');

    expect(await store.engines.get(name)).toEqual(created);
    expect((await store.engines.list()).map((e) => e.name)).toContain(name);

    const updated = await store.engines.update(
      name,
      engineUpdate({ url: 'http://camunda:8080/engine-rest', workerIdPrefix: 'bptl-a' }),
      { actor: 'bob', expectedVersion: 1 },
    );
    expect(updated).toMatchObject({
      url: 'http://camunda:8080/engine-rest',
      workerIdPrefix: 'bptl-a',
      version: 2,
    });
    expect(updated.createdAt).toEqual(created.createdAt);
    expect(await store.engines.get(name)).toEqual(updated);

    await store.engines.delete(name, { actor: 'bob', expectedVersion: 2 });
    expect(await store.engines.get(name)).toBeUndefined();
    expect((await store.engines.list()).map((e) => e.name)).not.toContain(name);
  });

  it('refuses a second engine of the same name with DuplicateError, and changes nothing', async () => {
    const { store } = ctx();
    const name = uniqueName('dup');
    await store.engines.create(engineInput({ name, url }), { actor: 'alice' });
    const revision = await store.revision();
    const error = await store.engines
      .create(engineInput({ name, url: 'http://other:8080/engine-rest' }), { actor: 'mallory' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateError);
    expect(error).toMatchObject({ resourceType: 'engine', resourceName: name });
    expect((await store.engines.get(name))?.url).toBe(url);
    expect(await store.revision()).toBe(revision);
    expect(await store.audit.list({ resourceType: 'engine', resourceName: name })).toHaveLength(1);
  });

  it('refuses an update or delete against an old version with StaleWriteError naming the current version', async () => {
    const { store } = ctx();
    const name = uniqueName('stale');
    await store.engines.create(engineInput({ name, url }), { actor: 'alice' });
    await store.engines.update(name, engineUpdate({ url: 'http://b:8080/engine-rest' }), {
      actor: 'alice',
      expectedVersion: 1,
    });

    const update = await store.engines
      .update(name, engineUpdate({ url: 'http://c:8080/engine-rest' }), { actor: 'bob', expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(update).toBeInstanceOf(StaleWriteError);
    expect(update).toMatchObject({ expectedVersion: 1, currentVersion: 2, resourceName: name });
    expect((update as Error).message).toContain('version 2');

    const remove = await store.engines
      .delete(name, { actor: 'bob', expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(remove).toBeInstanceOf(StaleWriteError);
    expect(await store.engines.get(name)).toMatchObject({ url: 'http://b:8080/engine-rest', version: 2 });

    // Without an expected version the write is unconditional.
    expect(await store.engines.update(name, engineUpdate({ url }), { actor: 'carol' })).toMatchObject({
      url,
      version: 3,
    });
  });

  it('lets exactly one of two concurrent updates of the same version win', async () => {
    const { store } = ctx();
    const name = uniqueName('race');
    await store.engines.create(engineInput({ name, url }), { actor: 'a' });
    const results = await Promise.allSettled(
      ['http://one:8080/engine-rest', 'http://two:8080/engine-rest'].map((next) =>
        store.engines.update(name, engineUpdate({ url: next }), { actor: next, expectedVersion: 1 }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(StaleWriteError);
    expect(lost[0]!.reason).toMatchObject({ currentVersion: 2 });
    expect(await store.audit.list({ resourceName: name, resourceType: 'engine' })).toHaveLength(2);
  });

  it('returns undefined for a missing engine, and NotFoundError for its update or delete', async () => {
    const { store } = ctx();
    expect(await store.engines.get('no-such-engine')).toBeUndefined();
    expect(await store.engines.resolve('no-such-engine')).toBeUndefined();
    await expect(
      store.engines.update('no-such-engine', engineUpdate({ url }), { actor: 'a' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.engines.delete('no-such-engine', { actor: 'a' })).rejects.toThrow(
      "engine 'no-such-engine' does not exist",
    );
  });

  it('validates the write options with ValidationError naming the field (the input is parsed by its caller)', async () => {
    const { store } = ctx();
    await expect(
      store.engines.create(engineInput({ name: uniqueName('x'), url }), { actor: '  ' }),
    ).rejects.toThrow(/actor/);
    await expect(
      store.engines.update(uniqueName('x'), engineUpdate({ url }), { actor: 'a', expectedVersion: 0 }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps the password encrypted in the table, redacted on read and clear only through resolve', async () => {
    const { store, db } = ctx();
    const name = uniqueName('secret');
    const password = `pw-${uniqueName('engine')}`;
    const created = await store.engines.create(
      { name, url, auth: { type: 'basic', username: 'bptl', password } },
      { actor: 'alice' },
    );
    expect(created.auth).toEqual({ type: 'basic', username: 'bptl', password: { set: true } });
    expect(await store.engines.get(name)).toMatchObject({ auth: { password: { set: true } } });
    expect(JSON.stringify(await store.engines.list())).not.toContain(password);

    const [raw] = await db.query<{ auth: { password: { $enc: string } } }>(
      'SELECT auth FROM engines WHERE name = $1',
      [name],
    );
    expect(JSON.stringify(raw)).not.toContain(password);
    expect(raw!.auth.password.$enc).toMatch(/^v2:[0-9a-f]{8}:/);

    expect(await store.engines.resolve(name)).toEqual({
      name,
      url,
      auth: { type: 'basic', username: 'bptl', password },
    });
    expect((await store.engines.listResolved()).find((e) => e.name === name)?.auth).toMatchObject({
      password,
    });
  });

  it('keeps the stored secret when an update sends { set: true }, and replaces it when it sends a new one', async () => {
    const { store } = ctx();
    const name = uniqueName('keep');
    await store.engines.create({ name, url, auth: { type: 'bearer', token: 'first-token' } }, { actor: 'a' });

    // What a client read, sent back with another path on the same origin.
    const read = await store.engines.get(name);
    await store.engines.update(
      name,
      { url: 'http://127.0.0.1:8080/moved/engine-rest', auth: read!.auth },
      { actor: 'a' },
    );
    expect((await store.engines.resolve(name))?.auth).toEqual({ type: 'bearer', token: 'first-token' });
    // Another origin: the token is not sent there unless given again.
    const moved = await store.engines
      .update(name, { url: 'http://moved:8080/engine-rest', auth: read!.auth }, { actor: 'a' })
      .catch((e: unknown) => e);
    expect(moved).toBeInstanceOf(ValidationError);
    expect((moved as ValidationError).issues).toMatchObject([
      {
        path: ['auth', 'token'],
        message: expect.stringContaining('http://127.0.0.1:8080 → http://moved:8080'),
      },
    ]);

    await store.engines.update(
      name,
      { url, auth: { type: 'bearer', token: 'second-token' } },
      { actor: 'a' },
    );
    expect((await store.engines.resolve(name))?.auth).toEqual({ type: 'bearer', token: 'second-token' });

    // Another auth type cannot keep the bearer token as a password.
    const error = await store.engines
      .update(name, engineUpdate({ url, auth: { type: 'basic', username: 'u', password: { set: true } } }), {
        actor: 'a',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({ path: ['auth', 'password'] });
    expect((error as Error).message).toContain("the auth type was 'bearer'");
  });

  it('does not delete an engine that topics use (InUseError), and does once they are gone', async () => {
    const { store } = ctx();
    const name = uniqueName('used');
    await store.engines.create(engineInput({ name, url }), { actor: 'a' });
    await store.topics.create(topicInput({ engine: name, topic: 'in-use', workUnit: 'echo' }), {
      actor: 'a',
    });
    const error = await store.engines.delete(name, { actor: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InUseError);
    expect((error as InUseError).usedBy).toEqual(["topic 'in-use'"]);

    await store.topics.delete({ engine: name, topic: 'in-use' }, { actor: 'a' });
    await store.engines.delete(name, { actor: 'a' });
    expect(await store.engines.get(name)).toBeUndefined();
  });

  it('records who did what, with redacted copies, in the audit log', async () => {
    const { store } = ctx();
    const name = uniqueName('audited');
    await store.engines.create(
      { name, url, auth: { type: 'basic', username: 'u', password: 'p1' } },
      { actor: 'alice' },
    );
    await store.engines.update(
      name,
      { url, auth: { type: 'basic', username: 'u', password: 'p2' } },
      { actor: 'bob' },
    );
    await store.engines.delete(name, { actor: 'carol' });

    const entries = await store.audit.list({ resourceType: 'engine', resourceName: name });
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ['delete', 'carol'],
      ['update', 'bob'],
      ['create', 'alice'],
    ]);
    const [deleted, updated, created] = entries;
    expect(created!.before).toBeNull();
    expect(created!.after).toMatchObject({
      name,
      version: 1,
      auth: { password: { set: true, changed: true } },
    });
    expect(updated!.before).toMatchObject({ version: 1, auth: { password: { set: true } } });
    expect(updated!.after).toMatchObject({ version: 2, auth: { password: { set: true, changed: true } } });
    expect(deleted!.after).toBeNull();
    expect(deleted!.before).toMatchObject({ version: 2 });
    expect(JSON.stringify(entries)).not.toMatch(/p1|p2/);
  });
});
