/**
 * A PUT with a body that does not fit and an If-Match that does not match: 400 naming the field, not a 412 (the
 * client would re-read, retry, and only then learn that its body was wrong). Found by schemathesis's
 * negative_data_rejection check: engines, services and credentials checked If-Match first; topics did not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
  for (const [path, body] of [
    ['/engines', { name: 'local', url: 'http://127.0.0.1:8080/engine-rest' }],
    ['/services', { name: 'zaken', baseUrl: 'https://zaken.example.nl/api', kind: 'zrc' }],
    ['/services/zaken/credentials', { applicationId: 'app-1', auth: { type: 'bearer', token: 't-1' } }],
  ] as const) {
    expect((await api.request('POST', path, { body })).status).toBe(201);
  }
});

afterAll(async () => {
  await api?.close();
});

describe('PUT with a bad body and a stale If-Match', () => {
  it.each([
    ['/engines/local', { url: 'http://127.0.0.1:8080/engine-rest', unknown: 1 }],
    ['/services/zaken', { baseUrl: 'https://zaken.example.nl/api', kind: 'zrc', unknown: 1 }],
    ['/services/zaken/credentials/app-1', { auth: { type: 'bearer', token: 't-2' }, unknown: 1 }],
  ])('%s is a 400 naming the field', async (path, body) => {
    for (const ifMatch of ['"999"', '', 'W/"1"']) {
      const res = await api.request('PUT', path, { body, headers: { 'if-match': ifMatch } });
      const problem = (await res.json()) as { status: number; issues?: Array<{ field: string }> };
      expect({ ifMatch, status: res.status, problem }).toMatchObject({
        status: 400,
        problem: { status: 400, issues: [expect.objectContaining({ field: '(root)' })] },
      });
    }
  });

  it('with a good body is still a 412', async () => {
    const res = await api.request('PUT', '/engines/local', {
      body: { url: 'http://127.0.0.1:8080/engine-rest' },
      headers: { 'if-match': '"999"' },
    });
    expect(res.status).toBe(412);
  });
});
