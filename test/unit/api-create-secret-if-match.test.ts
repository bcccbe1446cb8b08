/**
 * Two inputs that named no field: a create that sends a secret as `{"set": true}` (there is nothing stored to
 * keep; the create's schema, in the OpenAPI document too, takes only the value) and an empty If-Match (a
 * client's template with no ETag filled in, not a version that differs: 400, not 412).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.ts';

interface Problem {
  status: number;
  detail: string;
  issues?: Array<{ field: string; message: string }>;
}

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
  expect(
    (await api.request('POST', '/services', { body: { name: 'zaken', baseUrl: 'https://z.example.nl' } }))
      .status,
  ).toBe(201);
});

afterAll(async () => {
  await api?.close();
});

async function problemOf(res: Response): Promise<Problem> {
  return { ...((await res.json()) as Problem), status: res.status };
}

describe('a create with a secret of {"set": true}', () => {
  it.each([
    [
      '/engines',
      {
        name: 'kept',
        url: 'http://127.0.0.1:8080/engine-rest',
        auth: { type: 'basic', username: 'u', password: { set: true } },
      },
      'auth.password',
    ],
    [
      '/services',
      {
        name: 'kept',
        baseUrl: 'https://k.example.nl',
        auth: { type: 'zgw', clientId: 'c', secret: { set: true } },
      },
      'auth.secret',
    ],
    [
      '/services/zaken/credentials',
      { applicationId: 'app-1', auth: { type: 'api-key', header: 'X-Key', key: { set: true } } },
      'auth.key',
    ],
  ])('POST %s is a 400 naming the field', async (path, body, field) => {
    const problem = await problemOf(await api.request('POST', path, { body }));
    expect(problem.status).toBe(400);
    expect(problem.issues).toEqual([
      expect.objectContaining({ field, message: expect.stringContaining('no stored') }),
    ]);
  });

  it('is not offered by the create in the OpenAPI document', async () => {
    const document = JSON.stringify(
      await (await api.request('GET', '/openapi.json', { token: null })).json(),
    );
    const create = JSON.parse(document).paths['/engines'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(create)).not.toContain('"set"');
    const update =
      JSON.parse(document).paths['/engines/{name}'].put.requestBody.content['application/json'].schema;
    expect(JSON.stringify(update)).toContain('"set"');
  });
});

describe('an empty If-Match', () => {
  it.each([
    ['PUT', '/services/zaken', { baseUrl: 'https://z.example.nl' }, ''],
    ['DELETE', '/services/zaken', undefined, ' , '],
  ])('%s %s is a 400 naming If-Match', async (method, path, body, ifMatch) => {
    const problem = await problemOf(
      await api.request(method as 'PUT' | 'DELETE', path, {
        ...(body ? { body } : {}),
        headers: { 'if-match': ifMatch },
      }),
    );
    expect(problem.status).toBe(400);
    expect(problem.issues?.map((i) => i.field)).toEqual(['If-Match']);
    expect(problem.detail).toContain('If-Match');
  });

  it('leaves the resource as it was', async () => {
    const res = await api.request('GET', '/services/zaken');
    expect(res.headers.get('etag')).toBe('"1"');
  });
});
