/**
 * Free text has a bounded length: auth fields (user names, header names, client ids, secrets), a topic's
 * variable names, process definition key, business key, tenant ids and work-unit name, and the filters of the
 * lists. Each refusal is a 400 naming the field; a value at the limit is taken (issue 15, item 5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';
import { engineInput, serviceInput } from '../support/store-inputs.ts';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
  await api.store.engines.create(engineInput({ name: 'local', url: 'http://127.0.0.1:8080/engine-rest' }), {
    actor: 'test',
  });
  await api.store.services.create(serviceInput({ name: 'zaken', baseUrl: 'https://zaken.example.nl/api' }), {
    actor: 'test',
  });
});
afterAll(() => api?.close());

const x = (n: number) => 'x'.repeat(n);

/** The fields a 400 names. */
async function fieldsOf(res: Response): Promise<string[]> {
  expect(res.status).toBe(400);
  return ((await res.json()) as { issues: Array<{ field: string }> }).issues.map((i) => i.field);
}

describe('auth fields', () => {
  it.each([
    ['username', { type: 'basic', username: x(256), password: 'p' }, 'auth.username'],
    ['password', { type: 'basic', username: 'u', password: x(8_193) }, 'auth.password'],
    ['token', { type: 'bearer', token: x(8_193) }, 'auth.token'],
  ])("refuse an engine's %s beyond its limit", async (_, auth, field) => {
    const res = await api.request('POST', '/engines', {
      body: { name: 'long', url: 'http://127.0.0.1:1/engine-rest', auth },
    });
    expect(await fieldsOf(res)).toEqual([field]);
  });

  it.each([
    ['header', { type: 'api-key', header: x(257), key: 'k' }, 'auth.header'],
    ['key', { type: 'api-key', header: 'X-Api-Key', key: x(8_193) }, 'auth.key'],
    ['clientId', { type: 'zgw', clientId: x(256), secret: 's' }, 'auth.clientId'],
    ['secret', { type: 'zgw', clientId: 'c', secret: x(8_193) }, 'auth.secret'],
  ])("refuse a service's %s beyond its limit, and an application's too", async (_, auth, field) => {
    const service = await api.request('POST', '/services', {
      body: { name: 'long', baseUrl: 'https://x.example.org', auth },
    });
    expect(await fieldsOf(service)).toEqual([field]);
    const credentials = await api.request('POST', '/services/zaken/credentials', {
      body: { applicationId: 'app', auth },
    });
    expect(await fieldsOf(credentials)).toEqual([field]);
  });

  it('take values at the limit', async () => {
    const res = await api.request('POST', '/engines', {
      body: {
        name: 'at-limit',
        url: 'http://127.0.0.1:1/engine-rest',
        auth: { type: 'basic', username: x(255), password: x(8_192) },
      },
    });
    expect(res.status).toBe(201);
  });
});

describe('topic fields', () => {
  const create = (fields: Record<string, unknown>) =>
    api.request('POST', '/topics', { body: { engine: 'local', topic: 't', workUnit: 'echo', ...fields } });

  it.each([
    ['a variable name', { variables: [x(256)] }, 'variables[0]'],
    ['1,001 variables', { variables: Array.from({ length: 1_001 }, (_, i) => `v${i}`) }, 'variables'],
    ['processDefinitionKey', { processDefinitionKey: x(256) }, 'processDefinitionKey'],
    ['businessKey', { businessKey: x(256) }, 'businessKey'],
    ['a tenant id', { tenantIdIn: [x(65)] }, 'tenantIdIn[0]'],
    ['an empty tenant id', { tenantIdIn: [''] }, 'tenantIdIn[0]'],
    ['101 tenant ids', { tenantIdIn: Array.from({ length: 101 }, (_, i) => `t${i}`) }, 'tenantIdIn'],
    ['workUnit', { workUnit: x(101) }, 'workUnit'],
    [
      '101 service bindings',
      { services: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, 'zaken'])) },
      'services',
    ],
  ])('refuse %s beyond its limit, naming the field', async (_, fields, field) => {
    expect(await fieldsOf(await create(fields))).toEqual([field]);
  });

  it('take values at the limits', async () => {
    const res = await create({
      topic: 'at-limit',
      variables: [x(255)],
      processDefinitionKey: x(255),
      businessKey: x(255),
      tenantIdIn: [x(64)],
    });
    expect(res.status).toBe(201);
  });

  it("refuse a work unit's name longer than a topic may name", () => {
    const unit = (name: string) =>
      defineWorkUnit({
        name,
        description: 'd',
        input: z.object({}),
        output: z.object({}),
        run: async () => ({}),
      });
    expect(() => unit(`u${x(100)}`)).toThrow(/at most 100/);
    expect(unit(`u${x(99)}`).name).toHaveLength(100);
  });
});

describe('list filters', () => {
  it.each([
    ['/topics?engine=', 41, 'engine'],
    ['/tasks?topic=', 256, 'topic'],
    ['/audit?actor=', 201, 'actor'],
    ['/audit?resourceName=', 513, 'resourceName'],
  ])('refuse %s… beyond its limit', async (path, length, field) => {
    const res = await api.request('GET', `${path}${x(length)}`, { token: VIEWER_TOKEN });
    expect(await fieldsOf(res)).toEqual([field]);
  });
});
