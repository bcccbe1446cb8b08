/**
 * `http-request` against a real HTTP server on 127.0.0.1 (port 0), through the real runner: templating of the
 * URL (encoded), headers and body, expected statuses, picking output from the JSON answer, which failures
 * are retried, and the `Idempotency-Key` header.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/work-units/library/http/index.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let base: string;
const received: Received[] = [];
let answer: (req: Received, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      received.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  received.length = 0;
});

const json = (status: number, body: unknown) => (_req: Received, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

describe('http-request', () => {
  it('sends the templated request and picks output variables from the JSON answer', async () => {
    answer = json(201, { url: `${base}/zaken/z1`, data: { lines: [{ sku: 'b-1' }] } });
    const result = await runWorkUnit(httpRequest, {
      httpMethod: 'POST',
      httpUrl: `${base}/zaken?q={{query}}&id={{order.id}}`,
      httpHeaders: { authorization: 'Bearer {{token}}' },
      httpBody: { omschrijving: 'Order {{order.id}} for {{name}}', order: '{{order}}' },
      httpOutput: { zaakUrl: 'url', firstSku: 'data.lines.0.sku' },
      query: 'a b&c',
      order: { id: 42, lines: ['bread'] },
      name: 'Ada',
      token: 's3cret',
    });
    expect(result).toEqual({
      outcome: 'completed',
      output: { httpStatus: 201, zaakUrl: `${base}/zaken/z1`, firstSku: 'b-1' },
      localOutput: {},
    });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/zaken?q=a%20b%26c&id=42');
    expect(request?.headers.authorization).toBe('Bearer s3cret');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      omschrijving: 'Order 42 for Ada',
      order: { id: 42, lines: ['bread'] }, // a lone placeholder keeps the value's type
    });
  });

  it('accepts the statuses of httpExpectedStatus only', async () => {
    answer = json(404, { detail: 'not found' });
    const result = await runWorkUnit(httpRequest, { httpUrl: `${base}/x`, httpExpectedStatus: [200, 404] });
    expect(result).toMatchObject({ outcome: 'completed', output: { httpStatus: 404 } });
  });

  it('fails non-retryably on an unexpected 4xx, naming the status', async () => {
    answer = json(422, { detail: 'omschrijving is required' });
    const result = await runWorkUnit(httpRequest, { httpMethod: 'PUT', httpUrl: `${base}/zaken/1` });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'NonRetryableError' });
    if (result.outcome === 'failed') {
      expect(result.message).toContain(`PUT ${base}/zaken/1: unexpected HTTP status 422`);
      expect(result.message).toContain('omschrijving is required');
    }
  });

  it('is retried on a 5xx, honouring Retry-After, and on no answer', async () => {
    answer = (_req, res) => res.writeHead(503, { 'retry-after': '7' }).end('busy');
    const busy = await runWorkUnit(httpRequest, { httpUrl: `${base}/busy` });
    expect(busy).toMatchObject({ outcome: 'failed', retryable: true, type: 'RetryableError' });
    if (busy.outcome === 'failed') {
      expect(busy.message).toContain('unexpected HTTP status 503');
      expect(busy.error.nextRetryDelay).toBeDefined();
    }
    const refused = await runWorkUnit(httpRequest, { httpUrl: 'http://127.0.0.1:9/nothing' });
    expect(refused).toMatchObject({ outcome: 'failed', retryable: true, type: 'RetryableError' });
  });

  it('is retried when the server does not answer in httpTimeoutMs', async () => {
    answer = () => {}; // never answers
    const result = await runWorkUnit(httpRequest, { httpUrl: `${base}/slow`, httpTimeoutMs: 200 });
    expect(result).toMatchObject({ outcome: 'failed', retryable: true });
    if (result.outcome === 'failed') expect(result.message).toContain('no answer within 200 ms');
  });

  it('fails non-retryably naming a template variable that has no value, before sending', async () => {
    const result = await runWorkUnit(httpRequest, { httpUrl: `${base}/zaken/{{zaak.id}}` });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    if (result.outcome === 'failed') expect(result.message).toContain("variable 'zaak'");
    expect(received).toHaveLength(0);
  });

  it('fails non-retryably on a URL that is not one', async () => {
    const result = await runWorkUnit(httpRequest, { httpUrl: '{{host}}/x', host: 'not a host' });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    if (result.outcome === 'failed') expect(result.message).toContain("variable 'httpUrl'");
  });

  it('fails non-retryably naming an output path the answer lacks', async () => {
    answer = json(200, { other: 1 });
    const result = await runWorkUnit(httpRequest, { httpUrl: `${base}/y`, httpOutput: { zaakUrl: 'url' } });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed')
      expect(result.message).toContain("httpOutput.zaakUrl: the answer has nothing at 'url'");
  });

  it("sends the task's Idempotency-Key: the same on every attempt of a task, another for another task", async () => {
    answer = json(200, {});
    const variables = { httpMethod: 'POST', httpUrl: `${base}/zaken`, httpBody: { n: 1 } };
    await runWorkUnit(httpRequest, variables, { task: { taskId: 'task-1' }, attempt: 1 });
    await runWorkUnit(httpRequest, variables, { task: { taskId: 'task-1' }, attempt: 2 });
    await runWorkUnit(httpRequest, variables, { task: { taskId: 'task-2' }, attempt: 1 });
    const keys = received.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    const [first, retried, other] = keys;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(retried).toBe(first);
    expect(other).toMatch(/^[0-9a-f-]{36}$/);
    expect(other).not.toBe(first);
  });

  it("sends an Idempotency-Key of httpHeaders instead of the task's, and none when it is empty", async () => {
    answer = json(200, {});
    await runWorkUnit(httpRequest, {
      httpUrl: `${base}/own`,
      httpHeaders: { 'idempotency-key': 'order-{{order.id}}' },
      order: { id: 42 },
    });
    await runWorkUnit(httpRequest, { httpUrl: `${base}/none`, httpHeaders: { 'Idempotency-Key': '' } });
    expect(received.map((r) => [r.url, r.headers['idempotency-key']])).toEqual([
      ['/own', 'order-42'],
      ['/none', undefined],
    ]);
  });
});
