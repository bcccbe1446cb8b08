/**
 * toHttpRequestError turns an axios failure into an error that says which request failed and how — method,
 * URL without query or userinfo, status, code, a small part of the answer, the stack — and holds nothing else.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpRequestError,
  MAX_RESPONSE_DATA_CHARS,
  toHttpRequestError,
} from '../../src/http/http-request-error.ts';

const hanging: ServerResponse[] = [];
const server = createServer((req, res) => {
  req.resume();
  if (req.url?.startsWith('/big')) res.writeHead(502).end('x'.repeat(5000));
  else if (req.url?.startsWith('/slow')) hanging.push(res);
  else {
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ detail: 'no such zaak' }));
  }
});
let port: number;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  for (const res of hanging) res.destroy();
  server.close();
});

async function failed(request: () => Promise<unknown>): Promise<HttpRequestError> {
  const error = await request().then(
    () => expect.fail('the request should have failed'),
    (e: unknown) => e,
  );
  const converted = toHttpRequestError(error);
  expect(converted).toBeInstanceOf(HttpRequestError);
  return converted as HttpRequestError;
}

describe('toHttpRequestError', () => {
  it('names method, URL (no query, no userinfo) and status, keeps a small answer and the stack', async () => {
    let axiosStack = '';
    const error = await failed(() =>
      axios
        .create({ baseURL: `http://user:pw@127.0.0.1:${port}/api/v1` })
        .get('/zaken/1?token=q-secret', { headers: { Authorization: 'Bearer tok' } })
        .catch((e: Error) => {
          axiosStack = e.stack ?? '';
          throw e;
        }),
    );
    expect(error.name).toBe('HttpRequestError');
    expect(error.message).toBe(`GET http://127.0.0.1:${port}/api/v1/zaken/1: HTTP 404 Not Found`);
    expect(error).toMatchObject({
      method: 'GET',
      url: `http://127.0.0.1:${port}/api/v1/zaken/1`,
      status: 404,
      code: 'ERR_BAD_REQUEST',
      responseData: { detail: 'no such zaak' },
      response: { status: 404, data: { detail: 'no such zaak' } },
    });
    // No config, request or headers: only these fields.
    expect(Object.keys(error).sort()).toEqual([
      'code',
      'method',
      'name',
      'response',
      'responseData',
      'status',
      'url',
    ]);
    expect(error.stack!.split('\n')[0]).toBe(`HttpRequestError: ${error.message}`);
    expect(error.stack!.split('\n').slice(1)).toEqual(axiosStack.split('\n').slice(1));
  });

  it('cuts a large answer to text', async () => {
    const error = await failed(() => axios.post(`http://127.0.0.1:${port}/big`, { a: 1 }));
    expect(error.status).toBe(502);
    expect(typeof error.responseData).toBe('string');
    expect(error.responseData).toBe(`${'x'.repeat(MAX_RESPONSE_DATA_CHARS)}… (5000 characters in all)`);
    const binary = await failed(() =>
      axios.get(`http://127.0.0.1:${port}/zaken`, { responseType: 'arraybuffer' }),
    );
    expect(binary.responseData).toBe('{"detail":"no such zaak"}');
  });

  it('has no status but a code when there was no answer, and keeps the network error as a bare cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await failed(() => axios.put(`http://127.0.0.1:${closedPort}/x`));
    expect(refused).toMatchObject({
      method: 'PUT',
      status: undefined,
      code: 'ECONNREFUSED',
      response: undefined,
    });
    expect(refused.message).toMatch(new RegExp(`^PUT http://127.0.0.1:${closedPort}/x: .*ECONNREFUSED`));
    expect(refused.cause).toBeInstanceOf(Error);
    // The system error's own fields (address, port, syscall) are not copied.
    expect((refused.cause as Error).message).toMatch(/ECONNREFUSED/);
    expect(Object.keys(refused.cause as Error).filter((key) => key !== 'name')).toEqual([]);

    const slow = await failed(() => axios.get(`http://127.0.0.1:${port}/slow`, { timeout: 100 }));
    expect(slow).toMatchObject({ status: undefined, code: 'ECONNABORTED' });
    expect(slow.message).toBe(`GET http://127.0.0.1:${port}/slow: timeout of 100ms exceeded`);
  });

  it('returns anything that is not an axios error unchanged', () => {
    const error = new TypeError('not http');
    expect(toHttpRequestError(error)).toBe(error);
    expect(toHttpRequestError('text')).toBe('text');
    expect(toHttpRequestError(undefined)).toBeUndefined();
  });
});
