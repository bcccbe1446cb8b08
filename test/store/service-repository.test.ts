import { expect, it } from 'vitest';
import { DuplicateError, NotFoundError, StaleWriteError } from '../../src/store/errors.ts';
import { serviceInput, serviceUpdate } from '../support/store-inputs.ts';
import { describeStores, uniqueName } from './stores.ts';

const baseUrl = 'https://zaken.example.nl/zaken/api/v1';

describeStores('services and credentials', (ctx) => {
  it('reads services and their credentials a page at a time, in the order list gives', async () => {
    const { store } = ctx();
    const prefix = uniqueName('page');
    const names = ['c', 'a', 'b-1', 'b'].map((n) => `${prefix}-${n}`);
    for (const name of names)
      await store.services.create(serviceInput({ name, baseUrl }), { actor: 'pages' });
    const listed = (await store.services.list()).map((s) => s.name);
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.services.page({ after, limit: 2 });
      paged.push(...page.items.map((s) => s.name));
      if (!page.more) break;
      after = page.items.at(-1)!.name;
    }
    expect(paged).toEqual(listed);

    const service = names[0]!;
    for (const applicationId of ['z', 'A', 'a', 'a b']) {
      await store.credentials.create(
        service,
        { applicationId, auth: { type: 'bearer', token: 't' } },
        {
          actor: 'pages',
        },
      );
    }
    const ids = (await store.credentials.list(service)).map((c) => c.applicationId);
    const first = await store.credentials.page(service, { limit: 3 });
    expect(first.more).toBe(true);
    const rest = await store.credentials.page(service, {
      after: first.items.at(-1)!.applicationId,
      limit: 3,
    });
    expect(rest.more).toBe(false);
    expect([...first.items, ...rest.items].map((c) => c.applicationId)).toEqual(ids);
    await expect(store.credentials.page(uniqueName('none'), { limit: 1 })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('creates, reads, lists, updates and deletes a service', async () => {
    const { store } = ctx();
    const name = uniqueName('zrc');
    const created = await store.services.create(
      { name, baseUrl, kind: 'zrc', auth: { type: 'zgw', clientId: 'bptl', secret: 'zgw-secret-1' } },
      { actor: 'alice' },
    );
    expect(created).toMatchObject({
      name,
      baseUrl,
      kind: 'zrc',
      auth: { type: 'zgw', clientId: 'bptl', secret: { set: true } },
      version: 1,
    });
    expect(await store.services.get(name)).toEqual(created);
    expect((await store.services.list()).map((s) => s.name)).toContain(name);

    const updated = await store.services.update(
      name,
      { baseUrl: 'https://zaken.example.nl/zaken/api/v2', kind: 'zrc', auth: created.auth },
      { actor: 'bob', expectedVersion: 1 },
    );
    expect(updated).toMatchObject({ baseUrl: 'https://zaken.example.nl/zaken/api/v2', version: 2 });
    expect((await store.services.credentialsFor(name))?.auth).toEqual({
      type: 'zgw',
      clientId: 'bptl',
      secret: 'zgw-secret-1',
    });

    await store.services.delete(name, { actor: 'bob', expectedVersion: 2 });
    expect(await store.services.get(name)).toBeUndefined();
    expect(await store.services.credentialsFor(name)).toBeUndefined();
  });

  it('fills in defaults: kind http and no auth', async () => {
    const { store } = ctx();
    const name = uniqueName('plain');
    expect(await store.services.create(serviceInput({ name, baseUrl }), { actor: 'a' })).toMatchObject({
      kind: 'http',
      auth: { type: 'none' },
    });
    expect(await store.services.credentialsFor(name)).toEqual({
      service: { name, baseUrl, kind: 'http' },
      applicationId: undefined,
      auth: { type: 'none' },
    });
  });

  it('maps a taken name to DuplicateError, an old version to StaleWriteError, a missing one to NotFoundError', async () => {
    const { store } = ctx();
    const name = uniqueName('svc');
    await store.services.create(serviceInput({ name, baseUrl }), { actor: 'a' });
    await expect(
      store.services.create(serviceInput({ name, baseUrl }), { actor: 'a' }),
    ).rejects.toBeInstanceOf(DuplicateError);
    await store.services.update(name, serviceUpdate({ baseUrl, kind: 'drc' }), {
      actor: 'a',
      expectedVersion: 1,
    });
    await expect(
      store.services.update(name, serviceUpdate({ baseUrl, kind: 'ztc' }), {
        actor: 'b',
        expectedVersion: 1,
      }),
    ).rejects.toMatchObject({ name: 'StaleWriteError', currentVersion: 2 });
    await expect(store.services.delete(name, { actor: 'b', expectedVersion: 5 })).rejects.toBeInstanceOf(
      StaleWriteError,
    );
    await expect(
      store.services.update(uniqueName('none'), serviceUpdate({ baseUrl }), { actor: 'a' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.services.delete(uniqueName('none'), { actor: 'a' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("picks a task's application credentials by bptlAppId, else the service's default (applicationId undefined: the worker refuses it for a named application)", async () => {
    const { store } = ctx();
    const name = uniqueName('api');
    await store.services.create(
      { name, baseUrl, kind: 'http', auth: { type: 'api-key', header: 'X-Api-Key', key: 'default-key' } },
      { actor: 'a' },
    );
    const credential = await store.credentials.create(
      name,
      { applicationId: 'app-1', auth: { type: 'bearer', token: 'app-1-token' } },
      { actor: 'a' },
    );
    expect(credential).toMatchObject({
      service: name,
      applicationId: 'app-1',
      auth: { type: 'bearer', token: { set: true } },
      version: 1,
    });

    expect(await store.services.credentialsFor(name, 'app-1')).toEqual({
      service: { name, baseUrl, kind: 'http' },
      applicationId: 'app-1',
      auth: { type: 'bearer', token: 'app-1-token' },
    });
    const fallback = {
      applicationId: undefined,
      auth: { type: 'api-key', header: 'X-Api-Key', key: 'default-key' },
    };
    expect(await store.services.credentialsFor(name, 'app-2')).toMatchObject(fallback);
    expect(await store.services.credentialsFor(name)).toMatchObject(fallback);

    expect(await store.credentials.list(name)).toEqual([credential]);
    expect(await store.credentials.get(name, 'app-1')).toEqual(credential);
    expect(await store.credentials.get(name, 'app-2')).toBeUndefined();
  });

  it('keeps every secret out of the tables, the reads and the audit log', async () => {
    const { store, db } = ctx();
    const name = uniqueName('secrets');
    const secrets = ['svc-basic-pw-7f3a', 'app-zgw-secret-91bc', 'app-key-0d2e'];
    await store.services.create(
      serviceInput({ name, baseUrl, auth: { type: 'basic', username: 'u', password: secrets[0]! } }),
      { actor: 'a' },
    );
    await store.credentials.create(
      name,
      { applicationId: 'zgw-app', auth: { type: 'zgw', clientId: 'c', secret: secrets[1]! } },
      { actor: 'a' },
    );
    await store.credentials.create(
      name,
      { applicationId: 'key-app', auth: { type: 'api-key', header: 'Authorization', key: secrets[2]! } },
      { actor: 'a' },
    );
    const raw = JSON.stringify([
      await db.query('SELECT * FROM services WHERE name = $1', [name]),
      await db.query('SELECT * FROM service_credentials WHERE service = $1', [name]),
      await db.query('SELECT * FROM audit_log'),
    ]);
    const reads = JSON.stringify([
      await store.services.list(),
      await store.credentials.list(name),
      await store.audit.list({ limit: 1000 }),
    ]);
    for (const secret of secrets) {
      expect(raw).not.toContain(secret);
      expect(reads).not.toContain(secret);
    }
    expect(raw).toContain('"$enc"');
    expect((await store.services.credentialsFor(name, 'zgw-app'))?.auth).toMatchObject({
      secret: secrets[1],
    });
    expect((await store.services.credentialsFor(name, 'key-app'))?.auth).toMatchObject({ key: secrets[2] });
  });

  it('updates and deletes credentials with versions; refuses duplicates and unknown services', async () => {
    const { store } = ctx();
    const name = uniqueName('cred');
    await store.services.create(serviceInput({ name, baseUrl }), { actor: 'a' });
    const input = { applicationId: 'app', auth: { type: 'basic', username: 'u', password: 'one' } };
    await store.credentials.create(name, input, { actor: 'a' });
    await expect(store.credentials.create(name, input, { actor: 'a' })).rejects.toMatchObject({
      name: 'DuplicateError',
      resourceName: `${name}/app`,
    });
    await expect(store.credentials.create(uniqueName('none'), input, { actor: 'a' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(store.credentials.list(uniqueName('none'))).rejects.toBeInstanceOf(NotFoundError);

    const kept = await store.credentials.update(
      name,
      'app',
      { auth: { type: 'basic', username: 'v', password: { set: true } } },
      { actor: 'a', expectedVersion: 1 },
    );
    expect(kept).toMatchObject({ version: 2, auth: { username: 'v', password: { set: true } } });
    expect((await store.services.credentialsFor(name, 'app'))?.auth).toEqual({
      type: 'basic',
      username: 'v',
      password: 'one',
    });
    await expect(
      store.credentials.update(name, 'app', { auth: { type: 'none' } }, { actor: 'a', expectedVersion: 1 }),
    ).rejects.toBeInstanceOf(StaleWriteError);
    await expect(
      store.credentials.update(name, 'other', { auth: { type: 'none' } }, { actor: 'a' }),
    ).rejects.toBeInstanceOf(NotFoundError);

    await store.credentials.delete(name, 'app', { actor: 'a', expectedVersion: 2 });
    expect(await store.credentials.get(name, 'app')).toBeUndefined();
    expect((await store.services.credentialsFor(name, 'app'))?.applicationId).toBeUndefined();
  });

  it("deletes a service's credentials with it, auditing each", async () => {
    const { store } = ctx();
    const name = uniqueName('cascade');
    await store.services.create(serviceInput({ name, baseUrl }), { actor: 'a' });
    for (const app of ['a1', 'a2']) {
      await store.credentials.create(
        name,
        { applicationId: app, auth: { type: 'bearer', token: 't' } },
        { actor: 'a' },
      );
    }
    await store.services.delete(name, { actor: 'remover' });
    expect(await store.services.get(name)).toBeUndefined();
    expect(await store.credentials.get(name, 'a1')).toBeUndefined();
    const deletes = (await store.audit.list({ actor: 'remover' })).map((e) => [
      e.resourceType,
      e.resourceName,
    ]);
    expect(deletes).toEqual(
      expect.arrayContaining([
        ['service', name],
        ['service-credential', `${name}/a1`],
        ['service-credential', `${name}/a2`],
      ]),
    );
    // The service is created again from scratch: no old credentials come back.
    await store.services.create(serviceInput({ name, baseUrl }), { actor: 'a' });
    expect(await store.credentials.list(name)).toEqual([]);
  });
});
