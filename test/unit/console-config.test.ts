/**
 * The console's topic, engine and service pages, in-process on an in-memory store: writes through form posts
 * (validated as the API validates), the stale-form refusal, write-only secrets, and what a viewer, a form
 * without its CSRF token and a read-only configuration get.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { topicFieldsSchema } from '../../src/config/topic-config.ts';
import { TOPIC_FIELDS } from '../../src/console/config-fields.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { ADMIN_TOKEN, createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';

const zaak = defineWorkUnit({
  name: 'test-zaak',
  description: 'needs a zrc',
  services: ['zrc'],
  input: z.object({ zaakId: z.string() }),
  output: z.object({}),
  run: async () => ({}),
});

const HOST = { host: '127.0.0.1:3000' };
const ENGINE_PASSWORD = 'engine-pass-Xq81';
const SERVICE_KEY = 'service-key-Lm42';
const NEW_SERVICE_KEY = 'service-key-Rt97';
const NEW_ENGINE_PASSWORD = 'engine-pass-Wd53';
const APP_TOKEN = 'app-token-Zu55';

interface Session {
  cookie: string;
  csrf: string;
}

function client(api: TestApi) {
  return {
    async signIn(token: string): Promise<Session> {
      const res = await api.request('POST', '/console/login', {
        token: null,
        body: new URLSearchParams({ token }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...HOST },
      });
      expect(res.status).toBe(303);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      const page = await (
        await api.request('GET', '/console/tasks', { token: null, headers: { cookie, ...HOST } })
      ).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
      expect(csrf).toBeDefined();
      return { cookie, csrf: csrf! };
    },
    get(session: Session, path: string) {
      return api.request('GET', path, { token: null, headers: { cookie: session.cookie, ...HOST } });
    },
    post(session: Session, path: string, values: Record<string, string>, options: { csrf?: boolean } = {}) {
      const body = new URLSearchParams({
        ...(options.csrf === false ? {} : { _csrf: session.csrf }),
        ...values,
      });
      return api.request('POST', path, {
        token: null,
        body: body.toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: session.cookie,
          origin: 'http://127.0.0.1:3000',
          ...HOST,
        },
      });
    },
  };
}

/** The hidden version field of a page's form. */
const versionOf = (page: string) => /name="version" value="(\d+)"/.exec(page)?.[1];

let api: TestApi;
let web: ReturnType<typeof client>;
let admin: Session;
let viewer: Session;

beforeAll(async () => {
  api = await createTestApi({ units: [zaak] });
  web = client(api);
  admin = await web.signIn(ADMIN_TOKEN);
  viewer = await web.signIn(VIEWER_TOKEN);
});
afterAll(() => api?.close());

/** Every HTML page a session can open about the configuration, concatenated. */
async function allPages(session: Session): Promise<string> {
  const paths = ['/console/topics', '/console/engines', '/console/services', '/console/audit'];
  for (const e of await api.store.engines.list()) paths.push(`/console/engines/edit?name=${e.name}`);
  for (const s of await api.store.services.list()) {
    paths.push(`/console/services/edit?name=${s.name}`, `/console/services/credentials?service=${s.name}`);
    for (const r of await api.store.credentials.list(s.name))
      paths.push(`/console/services/credentials/edit?service=${s.name}&name=${r.applicationId}`);
  }
  for (const t of await api.store.topics.list())
    paths.push(`/console/topics/edit?engine=${t.engine}&topic=${encodeURIComponent(t.topic)}`);
  let out = '';
  for (const path of paths) {
    const res = await web.get(session, path);
    expect(res.status, path).toBe(200);
    out += await res.text();
  }
  return out;
}

describe('console engines and services', () => {
  it('creates an engine with a write-only password and shows it nowhere', async () => {
    const created = await web.post(admin, '/console/engines/new', {
      name: 'test',
      url: 'http://127.0.0.1:9/engine-rest',
      'auth.type': 'basic',
      'auth.username': 'demo',
      'auth.password': ENGINE_PASSWORD,
    });
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toBe('/console/engines?saved=test');
    expect((await api.store.engines.resolve('test'))?.auth).toEqual({
      type: 'basic',
      username: 'demo',
      password: ENGINE_PASSWORD,
    });
    const list = await (await web.get(admin, '/console/engines?saved=test')).text();
    expect(list).toContain('Saved engine &#39;test&#39;.');
    expect(list).toContain('basic (user demo, password set)');

    // An edit that leaves the password empty keeps it.
    const edit = await (await web.get(admin, '/console/engines/edit?name=test')).text();
    expect(edit).toContain('leave empty to keep');
    expect(edit).not.toContain(ENGINE_PASSWORD);
    const saved = await web.post(admin, '/console/engines/edit?name=test', {
      version: versionOf(edit)!,
      url: 'http://127.0.0.1:9/moved/engine-rest',
      'auth.type': 'basic',
      'auth.username': 'demo',
      'auth.password': '',
    });
    expect(saved.status).toBe(303);
    const engine = await api.store.engines.resolve('test');
    expect(engine?.url).toBe('http://127.0.0.1:9/moved/engine-rest');
    expect(engine?.auth).toEqual({ type: 'basic', username: 'demo', password: ENGINE_PASSWORD });
    const [entry] = await api.store.audit.list({ limit: 1 });
    expect(entry).toMatchObject({ actor: 'token:test-admin', action: 'update', resourceName: 'test' });
  });

  it('says on the form that an edit moving an engine to another origin needs its password again', async () => {
    const edit = await (await web.get(admin, '/console/engines/edit?name=test')).text();
    const fields = {
      version: versionOf(edit)!,
      url: 'http://127.0.0.2:9/engine-rest',
      'auth.type': 'basic',
      'auth.username': 'demo',
    };
    const refused = await web.post(admin, '/console/engines/edit?name=test', {
      ...fields,
      'auth.password': '',
    });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain(
      '<code>auth.password</code>: the URL&#39;s origin changes (http://127.0.0.1:9 → http://127.0.0.2:9): send the password again',
    );
    expect(page).toContain('value="http://127.0.0.2:9/engine-rest"');
    expect(await api.store.engines.resolve('test')).toMatchObject({
      url: 'http://127.0.0.1:9/moved/engine-rest',
      auth: { password: ENGINE_PASSWORD },
    });
    // With the password given again, it moves.
    const moved = await web.post(admin, '/console/engines/edit?name=test', {
      ...fields,
      'auth.password': NEW_ENGINE_PASSWORD,
    });
    expect(moved.status).toBe(303);
    expect(await api.store.engines.resolve('test')).toMatchObject({
      url: 'http://127.0.0.2:9/engine-rest',
      auth: { password: NEW_ENGINE_PASSWORD },
    });
  });

  it('creates a service, keeps its key on an edit that leaves it empty, and refuses a secret there is none of', async () => {
    const created = await web.post(admin, '/console/services/new', {
      name: 'zaken',
      baseUrl: 'http://127.0.0.1:9/zaken/api/v1',
      kind: 'zrc',
      'auth.type': 'api-key',
      'auth.header': 'X-Api-Key',
      'auth.key': SERVICE_KEY,
      // Fields of other auth types are not used.
      'auth.token': 'ignored',
    });
    expect(created.status).toBe(303);
    expect((await api.store.services.credentialsFor('zaken'))?.auth).toEqual({
      type: 'api-key',
      header: 'X-Api-Key',
      key: SERVICE_KEY,
    });
    const edit = await (await web.get(admin, '/console/services/edit?name=zaken')).text();
    const version = versionOf(edit)!;
    const kept = await web.post(admin, '/console/services/edit?name=zaken', {
      version,
      baseUrl: 'http://127.0.0.1:9/zaken/api/v2',
      kind: 'zrc',
      'auth.type': 'api-key',
      'auth.header': 'X-Api-Key',
      'auth.key': '',
    });
    expect(kept.status).toBe(303);
    expect((await api.store.services.credentialsFor('zaken'))?.auth).toMatchObject({ key: SERVICE_KEY });

    // Another auth type with its secret left empty: there is nothing stored to keep; the field is named.
    const edit2 = await (await web.get(admin, '/console/services/edit?name=zaken')).text();
    const switched = await web.post(admin, '/console/services/edit?name=zaken', {
      version: versionOf(edit2)!,
      baseUrl: 'http://127.0.0.1:9/zaken/api/v2',
      'auth.type': 'bearer',
      'auth.token': '',
    });
    expect(switched.status).toBe(400);
    const page = await switched.text();
    expect(page).toContain('<code>auth.token</code>: there is no stored token to keep');

    // A new key, then a failed save that carried a secret: the page does not show it back.
    const rekeyed = await web.post(admin, '/console/services/edit?name=zaken', {
      version: versionOf(edit2)!,
      baseUrl: 'http://127.0.0.1:9/zaken/api/v2',
      kind: 'zrc',
      'auth.type': 'api-key',
      'auth.header': 'X-Api-Key',
      'auth.key': NEW_SERVICE_KEY,
    });
    expect(rekeyed.status).toBe(303);
    expect((await api.store.services.credentialsFor('zaken'))?.auth).toMatchObject({ key: NEW_SERVICE_KEY });
    const bad = await web.post(admin, '/console/services/new', {
      name: 'other',
      baseUrl: 'not a url',
      'auth.type': 'bearer',
      'auth.token': NEW_SERVICE_KEY,
    });
    expect(bad.status).toBe(400);
    const badPage = await bad.text();
    expect(badPage).toContain('<code>baseUrl</code>');
    expect(badPage).toContain('value="not a url"');
    expect(badPage).not.toContain(NEW_SERVICE_KEY);
  });

  it("keeps a service's credentials per application, their secret write-only", async () => {
    const list = await web.get(admin, '/console/services/credentials?service=zaken');
    expect(list.status).toBe(200);
    await expect(list.text()).resolves.toContain('No application yet.');
    const created = await web.post(admin, '/console/services/credentials/new?service=zaken', {
      applicationId: 'app-1',
      'auth.type': 'bearer',
      'auth.token': APP_TOKEN,
    });
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toBe('/console/services/credentials?service=zaken&saved=app-1');
    expect((await api.store.services.credentialsFor('zaken', 'app-1'))?.auth).toEqual({
      type: 'bearer',
      token: APP_TOKEN,
    });
    const again = await web.post(admin, '/console/services/credentials/new?service=zaken', {
      applicationId: 'app-1',
      'auth.type': 'bearer',
      'auth.token': APP_TOKEN,
    });
    expect(again.status).toBe(409);
    const againPage = await again.text();
    expect(againPage).toContain('<code>applicationId</code>');
    expect(againPage).not.toContain(APP_TOKEN);

    const edit = await (
      await web.get(admin, '/console/services/credentials/edit?service=zaken&name=app-1')
    ).text();
    expect(edit).not.toContain(APP_TOKEN);
    const kept = await web.post(admin, '/console/services/credentials/edit?service=zaken&name=app-1', {
      version: versionOf(edit)!,
      'auth.type': 'bearer',
      'auth.token': '',
    });
    expect(kept.status).toBe(303);
    const record = await api.store.credentials.get('zaken', 'app-1');
    expect(record?.version).toBe(2);
    expect((await api.store.services.credentialsFor('zaken', 'app-1'))?.auth).toEqual({
      type: 'bearer',
      token: APP_TOKEN,
    });
    const [entry] = await api.store.audit.list({ limit: 1 });
    expect(entry).toMatchObject({ actor: 'token:test-admin', resourceType: 'service-credential' });
    const shown = await (await web.get(admin, '/console/services/credentials?service=zaken')).text();
    expect(shown).toContain('bearer (token set)');

    const nowhere = await web.get(admin, '/console/services/credentials?service=nope');
    expect(nowhere.status).toBe(404);
    await expect(nowhere.text()).resolves.toContain('There is no service &#39;nope&#39;.');
  });

  it('says on the form that a service with application credentials cannot move to another origin', async () => {
    const edit = await (await web.get(admin, '/console/services/edit?name=zaken')).text();
    const moved = await web.post(admin, '/console/services/edit?name=zaken', {
      version: versionOf(edit)!,
      baseUrl: 'http://127.0.0.2:9/zaken/api/v2',
      kind: 'zrc',
      'auth.type': 'api-key',
      'auth.header': 'X-Api-Key',
      'auth.key': 'another-key',
    });
    expect(moved.status).toBe(400);
    const page = await moved.text();
    expect(page).toContain(
      '<code>credentials.app-1</code>: the URL&#39;s origin changes (http://127.0.0.1:9 → http://127.0.0.2:9) and application &#39;app-1&#39; keeps its stored token',
    );
    expect(page).not.toContain('another-key');
    expect((await api.store.services.get('zaken'))?.baseUrl).toBe('http://127.0.0.1:9/zaken/api/v2');
  });

  it('never puts a secret in a page, for the admin or the viewer', async () => {
    for (const session of [admin, viewer]) {
      const pages = await allPages(session);
      for (const secret of [ENGINE_PASSWORD, SERVICE_KEY, NEW_SERVICE_KEY])
        expect(pages).not.toContain(secret);
      expect(pages).toContain('api-key (header X-Api-Key, key set)');
    }
  });
});

describe('console topics', () => {
  const key = 'engine=test&topic=orders';

  it('has a form field for every setting of a topic', () => {
    const named = new Set(TOPIC_FIELDS.map((f) => f.name.split('.')[0]));
    expect(Object.keys(topicFieldsSchema.shape).filter((k) => !named.has(k))).toEqual([]);
  });

  it('shows the work units with their schemas beside the create form', async () => {
    const res = await web.get(admin, '/console/topics/new');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<option value="test" selected>test</option>');
    expect(page).toMatch(/<details class="unit" id="unit-echo">/);
    expect(page).toContain('needs a zrc');
    expect(page).toContain('&quot;zaakId&quot;');
  });

  it('leaves the execution to the work unit unless one is chosen: the empty choice, stored as none', async () => {
    const page = await (await web.get(admin, '/console/topics/new')).text();
    const select = /<select id="[^"]*" name="execution">(.*?)<\/select>/s.exec(page)?.[1] ?? '';
    expect(select).toMatch(/^<option value="" selected>\(the work unit(&#39;|&#x27;|')s\)<\/option>/);
    const res = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'unit-chooses',
      workUnit: 'echo',
      enabled: 'on',
      execution: '',
    });
    expect(res.status).toBe(303);
    const topic = await api.store.topics.get({ engine: 'test', topic: 'unit-chooses' });
    expect(topic?.execution).toBeUndefined();
  });

  it('creates a topic through the form, and lists it with its tasks link', async () => {
    const res = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'orders',
      workUnit: 'echo',
      enabled: 'on',
      description: 'the orders',
      'retry.maximumAttempts': '5',
      variables: 'orderId, amount',
      services: '',
      applications: 'app-1, app-2',
      execution: 'activity',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/topics?saved=test%2Forders');
    const topic = await api.store.topics.get({ engine: 'test', topic: 'orders' });
    expect(topic).toMatchObject({
      workUnit: 'echo',
      enabled: true,
      description: 'the orders',
      variables: ['orderId', 'amount'],
      applications: ['app-1', 'app-2'],
      retry: { maximumAttempts: 5, initialIntervalMs: 1_000 },
      lockDurationMs: 60_000,
      version: 1,
    });
    const [entry] = await api.store.audit.list({ limit: 1 });
    expect(entry).toMatchObject({ actor: 'token:test-admin', action: 'create', resourceType: 'topic' });
    const list = await (await web.get(admin, '/console/topics?saved=test%2Forders')).text();
    expect(list).toContain('Saved topic &#39;test/orders&#39;.');
    expect(list).toContain('href="/console/tasks?topic=orders"');
    expect(list).toContain(`/console/topics/edit?${key.replace('&', '&amp;')}`);
    expect(list).toContain('Disable');
  });

  it('names the fields of an invalid form and keeps what was typed', async () => {
    const res = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'broken',
      workUnit: 'echo',
      lockDurationMs: '12 seconds',
      description: 'typed by hand',
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('<code>lockDurationMs</code>');
    expect(page).toContain('value="12 seconds"');
    expect(page).toContain('value="typed by hand"');
    expect(page).toContain('value="broken"');

    const json = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'broken',
      workUnit: 'echo',
      services: '{ zrc: ',
    });
    expect(json.status).toBe(400);
    const jsonPage = await json.text();
    expect(jsonPage).toContain('<code>services</code>: is not valid JSON');
    expect(jsonPage).toContain('{ zrc: </textarea>');

    // The references, as checkTopicReferences says them: 422 naming the field.
    const unknownUnit = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'broken',
      workUnit: 'no-such-unit',
    });
    expect(unknownUnit.status).toBe(422);
    await expect(unknownUnit.text()).resolves.toContain(
      '<code>workUnit</code>: workUnit: work unit &#39;no-such-unit&#39; does not exist',
    );
    const unbound = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'broken',
      workUnit: 'test-zaak',
    });
    expect(unbound.status).toBe(422);
    const unboundPage = await unbound.text();
    expect(unboundPage).toContain('<code>services</code>');
    expect(unboundPage).toContain('needs service alias &#39;zrc&#39;');
    // The chosen unit's schemas are open beside the form.
    expect(unboundPage).toMatch(/<details class="unit" id="unit-test-zaak" open>/);
    const nowhere = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'broken',
      workUnit: 'test-zaak',
      services: '{"zrc": "nope"}',
    });
    expect(nowhere.status).toBe(422);
    await expect(nowhere.text()).resolves.toContain('<code>services.zrc</code>');
    const noEngine = await web.post(admin, '/console/topics/new', {
      engine: 'elsewhere',
      topic: 'broken',
      workUnit: 'echo',
    });
    expect(noEngine.status).toBe(422);
    await expect(noEngine.text()).resolves.toContain('<code>engine</code>');
    const duplicate = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'orders',
      workUnit: 'echo',
    });
    expect(duplicate.status).toBe(409);
    await expect(duplicate.text()).resolves.toContain(
      '<code>topic</code>: topic &#39;test/orders&#39; already exists',
    );
    expect(await api.store.topics.get({ engine: 'test', topic: 'broken' })).toBeUndefined();

    const bound = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'zaken',
      workUnit: 'test-zaak',
      services: '{"zrc": "zaken"}',
    });
    expect(bound.status).toBe(303);
    expect((await api.store.topics.get({ engine: 'test', topic: 'zaken' }))?.services).toEqual({
      zrc: 'zaken',
    });
  });

  it('edits a topic at the version it was opened at, and refuses a stale form keeping its values', async () => {
    const page = await (await web.get(admin, `/console/topics/edit?${key}`)).text();
    expect(versionOf(page)).toBe('1');
    expect(page).toContain('value="orderId, amount"');
    expect(page).toContain('value="the orders"');
    // The stored work unit's schemas are open beside the form.
    expect(page).toMatch(/<details class="unit" id="unit-echo" open>/);
    const values = {
      version: '1',
      workUnit: 'echo',
      enabled: 'on',
      description: 'first edit',
      'retry.maximumAttempts': '5',
    };
    const first = await web.post(admin, `/console/topics/edit?${key}`, values);
    expect(first.status).toBe(303);
    const stored = await api.store.topics.get({ engine: 'test', topic: 'orders' });
    expect(stored).toMatchObject({ description: 'first edit', version: 2 });
    // The variables were left empty: all of them.
    expect(stored?.variables).toBeUndefined();

    // A second form opened at version 1 is stale now.
    const stale = await web.post(admin, `/console/topics/edit?${key}`, {
      ...values,
      description: 'my lost work',
    });
    expect(stale.status).toBe(409);
    const stalePage = await stale.text();
    expect(stalePage).toContain('was changed by someone else since you opened it');
    expect(stalePage).toContain('reload');
    expect(stalePage).toContain('value="my lost work"');
    expect(stalePage).toContain('what is stored now');
    expect(await api.store.topics.get({ engine: 'test', topic: 'orders' })).toMatchObject({
      description: 'first edit',
      version: 2,
    });

    const noVersion = await web.post(admin, `/console/topics/edit?${key}`, { workUnit: 'echo' });
    expect(noVersion.status).toBe(400);
  });

  it('disables and enables a topic with one click, refusing a stale list', async () => {
    const off = await web.post(admin, `/console/topics/enabled?${key}`, { version: '2', enabled: 'false' });
    expect(off.status).toBe(303);
    expect(await api.store.topics.get({ engine: 'test', topic: 'orders' })).toMatchObject({
      enabled: false,
      description: 'first edit',
      version: 3,
    });
    const stale = await web.post(admin, `/console/topics/enabled?${key}`, { version: '2', enabled: 'true' });
    expect(stale.status).toBe(409);
    await expect(stale.text()).resolves.toContain('changed by someone else since you opened it');
    expect((await api.store.topics.get({ engine: 'test', topic: 'orders' }))?.enabled).toBe(false);
    const on = await web.post(admin, `/console/topics/enabled?${key}`, { version: '3', enabled: 'true' });
    expect(on.status).toBe(303);
    expect((await api.store.topics.get({ engine: 'test', topic: 'orders' }))?.enabled).toBe(true);
  });

  it('refuses a service delete while a topic binds it', async () => {
    const service = await api.store.services.get('zaken');
    const res = await web.post(admin, '/console/services/delete?name=zaken', {
      version: String(service!.version),
    });
    expect(res.status).toBe(409);
    await expect(res.text()).resolves.toContain('still bound by topic &#39;test/zaken&#39;');
    expect(await api.store.services.get('zaken')).toBeDefined();
  });

  it('refuses an engine delete while topics use it', async () => {
    const confirm = await (await web.get(admin, '/console/engines/delete?name=test')).text();
    const res = await web.post(admin, '/console/engines/delete?name=test', { version: versionOf(confirm)! });
    expect(res.status).toBe(409);
    await expect(res.text()).resolves.toContain('Nothing was deleted.');
    expect(await api.store.engines.get('test')).toBeDefined();
  });

  it('refuses a NUL character, naming the field', async () => {
    const res = await web.post(admin, '/console/topics/new', {
      engine: 'test',
      topic: 'nul',
      workUnit: 'echo',
      description: 'a\u0000b',
    });
    expect(res.status).toBe(400);
    await expect(res.text()).resolves.toContain(
      '<code>description</code>: must not contain the NUL character',
    );
  });

  it('deletes a topic after a confirmation, at the version it was confirmed at', async () => {
    const confirm = await (await web.get(admin, `/console/topics/delete?${key}`)).text();
    expect(confirm).toContain('Delete topic &#39;test/orders&#39;?');
    expect(versionOf(confirm)).toBe('4');
    const stale = await web.post(admin, `/console/topics/delete?${key}`, { version: '3' });
    expect(stale.status).toBe(409);
    await expect(stale.text()).resolves.toContain('changed by someone else since you opened it');
    expect(await api.store.topics.get({ engine: 'test', topic: 'orders' })).toBeDefined();
    const gone = await web.post(admin, `/console/topics/delete?${key}`, { version: '4' });
    expect(gone.status).toBe(303);
    expect(gone.headers.get('location')).toBe('/console/topics?deleted=test%2Forders');
    expect(await api.store.topics.get({ engine: 'test', topic: 'orders' })).toBeUndefined();
    const [entry] = await api.store.audit.list({ limit: 1 });
    expect(entry).toMatchObject({ actor: 'token:test-admin', action: 'delete', resourceName: 'test/orders' });
  });
});

describe('console configuration writes refused', () => {
  it('shows a viewer the lists without forms, and refuses every write with 403', async () => {
    for (const path of ['/console/topics', '/console/engines', '/console/services']) {
      const page = await (await web.get(viewer, path)).text();
      // The sign-out form only.
      expect(page.match(/<form/g)).toHaveLength(1);
      expect(page).not.toContain('/new');
      expect(page).not.toContain('/delete');
    }
    const topics = await (await web.get(viewer, '/console/topics')).text();
    expect(topics).toContain('href="/console/topics/edit?engine=test&amp;topic=zaken"');
    const view = await web.get(viewer, '/console/topics/edit?engine=test&topic=zaken');
    expect(view.status).toBe(200);
    const viewPage = await view.text();
    expect(viewPage).toContain('Read only');
    expect(viewPage.match(/<form/g)).toHaveLength(1);
    expect(viewPage).toContain('&quot;zrc&quot;: &quot;zaken&quot;');
    expect((await web.get(viewer, '/console/topics/new')).status).toBe(403);

    const before = (await api.store.audit.list({ limit: 1 }))[0]?.id;
    const writes: Array<[string, Record<string, string>]> = [
      ['/console/topics/new', { engine: 'test', topic: 'viewer', workUnit: 'echo' }],
      ['/console/topics/edit?engine=test&topic=zaken', { version: '1', workUnit: 'echo' }],
      ['/console/topics/enabled?engine=test&topic=zaken', { version: '1', enabled: 'false' }],
      ['/console/topics/delete?engine=test&topic=zaken', { version: '1' }],
      ['/console/engines/new', { name: 'viewer', url: 'http://127.0.0.1:9/engine-rest' }],
      ['/console/engines/edit?name=test', { version: '2', url: 'http://127.0.0.1:9/engine-rest' }],
      ['/console/engines/delete?name=test', { version: '2' }],
      ['/console/services/new', { name: 'viewer', baseUrl: 'http://127.0.0.1:9/' }],
      ['/console/services/edit?name=zaken', { version: '3', baseUrl: 'http://127.0.0.1:9/' }],
      ['/console/services/delete?name=zaken', { version: '3' }],
      ['/console/services/credentials/new?service=zaken', { applicationId: 'viewer', 'auth.type': 'none' }],
      ['/console/services/credentials/delete?service=zaken&name=app-1', { version: '2' }],
    ];
    for (const [path, values] of writes) {
      const res = await web.post(viewer, path, values);
      expect(res.status, path).toBe(403);
      await expect(res.text()).resolves.toContain('needs an admin token');
    }
    expect((await api.store.audit.list({ limit: 1 }))[0]?.id).toBe(before);
  });

  it('refuses an admin form without its CSRF token', async () => {
    const res = await web.post(
      admin,
      '/console/topics/new',
      { engine: 'test', topic: 'forged', workUnit: 'echo' },
      { csrf: false },
    );
    expect(res.status).toBe(403);
    await expect(res.text()).resolves.toContain('reload the page');
    expect(await api.store.topics.get({ engine: 'test', topic: 'forged' })).toBeUndefined();
  });

  it('refuses writes when the configuration is read-only, and says why on the list', async () => {
    const readOnly = await createTestApi({ readOnly: 'the configuration comes from bptl.config.yaml' });
    try {
      const ro = client(readOnly);
      const session = await ro.signIn(ADMIN_TOKEN);
      const list = await (await ro.get(session, '/console/engines')).text();
      expect(list).toContain('Read only: the configuration comes from bptl.config.yaml');
      expect(list).not.toContain('/console/engines/new');
      const res = await ro.post(session, '/console/engines/new', { name: 'x', url: 'http://127.0.0.1:9/' });
      expect(res.status).toBe(409);
      expect(await readOnly.store.engines.list()).toEqual([]);
    } finally {
      await readOnly.close();
    }
  });
});
