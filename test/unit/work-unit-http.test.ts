/**
 * `http-request` against a real HTTP server on 127.0.0.1 (port 0), through the real runner: templating of the
 * URL (encoded), headers and body, expected statuses, picking output from the JSON answer, which failures
 * are retried, and the `Idempotency-Key` header.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as base, describe, expect } from 'vitest';
import { OutboundPolicy, parseNetworks } from '../../src/http/outbound-policy.ts';
import { httpRequest } from '../../src/work-units/library/http/index.ts';
import { type RunWorkUnitOptions, runWorkUnit } from '../../src/work-units/testing.ts';

/** The test server is on loopback, which the outbound policy refuses unless allowed: these tests allow it. */
const LOOPBACK = new OutboundPolicy({ allowedNetworks: parseNetworks('127.0.0.0/8') });
const run = (variables: Record<string, unknown>, options: RunWorkUnitOptions = {}) =>
  runWorkUnit(httpRequest, variables, { outboundPolicy: LOOPBACK, ...options });

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The loopback server of one test: what it received, and how it answers (set by the test). */
interface TestServer {
  base: string;
  received: Received[];
  answer: (req: Received, res: ServerResponse) => void;
}

const test = base.extend('server', async ({ onTestFinished }): Promise<TestServer> => {
  const state: TestServer = { base: '', received: [], answer: json(200, {}) };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      state.received.push(r);
      state.answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
});

function json(status: number, body: unknown) {
  return (_req: Received, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
}

describe('http-request', () => {
  test('sends the templated request and picks output variables from the JSON answer', async ({ server }) => {
    server.answer = json(201, { url: `${server.base}/zaken/z1`, data: { lines: [{ sku: 'b-1' }] } });
    const result = await run({
      httpMethod: 'POST',
      httpUrl: `${server.base}/zaken?q={{query}}&id={{order.id}}`,
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
      output: { httpStatus: 201, zaakUrl: `${server.base}/zaken/z1`, firstSku: 'b-1' },
      localOutput: {},
      // The attempt's outbound request as the console shows it: no query string (it held the token).
      outbound: [
        expect.objectContaining({ method: 'POST', origin: server.base, path: '/zaken', status: 201 }),
      ],
    });
    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/zaken?q=a%20b%26c&id=42');
    expect(request?.headers.authorization).toBe('Bearer s3cret');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      omschrijving: 'Order 42 for Ada',
      order: { id: 42, lines: ['bread'] }, // a lone placeholder keeps the value's type
    });
  });

  test('accepts the statuses of httpExpectedStatus only', async ({ server }) => {
    server.answer = json(404, { detail: 'not found' });
    const result = await run({
      httpUrl: `${server.base}/x`,
      httpExpectedStatus: [200, 404],
    });
    expect(result).toMatchObject({ outcome: 'completed', output: { httpStatus: 404 } });
  });

  test('fails non-retryably on an unexpected 4xx, naming the status, without the answer or the query', async ({
    server,
  }) => {
    server.answer = json(422, { detail: 'omschrijving is required', bsn: '999990019' });
    const result = await run({ httpMethod: 'PUT', httpUrl: `${server.base}/zaken/1?bsn=999990019` });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'NonRetryableError' });
    if (result.outcome === 'failed') {
      expect(result.message).toBe(`PUT ${server.base}/zaken/1: unexpected HTTP status 422`);
      expect(JSON.stringify(result.error)).not.toContain('999990019');
    }
  });

  test('puts the answer and the query, redacted, into the message where the topic opts in', async ({
    server,
  }) => {
    server.answer = json(422, { detail: 'omschrijving is required', token: 'tok-123', bsn: '999990019' });
    const result = await run(
      { httpMethod: 'PUT', httpUrl: `${server.base}/zaken/1?page=2&api_key=k-456` },
      { topicOutbound: { errorDetails: true } },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed') {
      expect(result.message).toContain(
        `PUT ${server.base}/zaken/1?page=2&api_key=***: unexpected HTTP status 422`,
      );
      expect(result.message).toContain('"detail":"omschrijving is required"');
      for (const secret of ['tok-123', '999990019', 'k-456']) expect(result.message).not.toContain(secret);
    }
  });

  test('is retried on a 5xx, honouring Retry-After, and on no answer', async ({ server }) => {
    server.answer = (_req, res) => res.writeHead(503, { 'retry-after': '7' }).end('busy');
    const busy = await run({ httpUrl: `${server.base}/busy` });
    expect(busy).toMatchObject({ outcome: 'failed', retryable: true, type: 'RetryableError' });
    if (busy.outcome === 'failed') {
      expect(busy.message).toContain('unexpected HTTP status 503');
      expect(busy.error.nextRetryDelay).toBeDefined();
    }
    const refused = await run({ httpUrl: 'http://127.0.0.1:9/nothing' });
    expect(refused).toMatchObject({ outcome: 'failed', retryable: true, type: 'RetryableError' });
  });

  test('is retried when the server does not answer in httpTimeoutMs', async ({ server }) => {
    server.answer = () => {}; // never answers
    const result = await run({ httpUrl: `${server.base}/slow`, httpTimeoutMs: 200 });
    expect(result).toMatchObject({ outcome: 'failed', retryable: true });
    if (result.outcome === 'failed') expect(result.message).toContain('no answer within 200 ms');
  });

  test('fails non-retryably naming a template variable that has no value, before sending', async ({
    server,
  }) => {
    const result = await run({ httpUrl: `${server.base}/zaken/{{zaak.id}}` });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    if (result.outcome === 'failed') expect(result.message).toContain("variable 'zaak'");
    expect(server.received).toHaveLength(0);
  });

  test('fails non-retryably on a URL that is not one', async () => {
    const result = await run({ httpUrl: '{{host}}/x', host: 'not a host' });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    if (result.outcome === 'failed') expect(result.message).toContain("variable 'httpUrl'");
  });

  test('fails non-retryably naming an output path the answer lacks', async ({ server }) => {
    server.answer = json(200, { other: 1 });
    const result = await run({
      httpUrl: `${server.base}/y`,
      httpOutput: { zaakUrl: 'url' },
    });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed')
      expect(result.message).toContain("httpOutput.zaakUrl: the answer has nothing at 'url'");
  });

  test("sends the task's Idempotency-Key: the same on every attempt of a task, another for another task", async ({
    server,
  }) => {
    server.answer = json(200, {});
    const variables = { httpMethod: 'POST', httpUrl: `${server.base}/zaken`, httpBody: { n: 1 } };
    await run(variables, { task: { taskId: 'task-1' }, attempt: 1 });
    await run(variables, { task: { taskId: 'task-1' }, attempt: 2 });
    await run(variables, { task: { taskId: 'task-2' }, attempt: 1 });
    const keys = server.received.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    const [first, retried, other] = keys;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(retried).toBe(first);
    expect(other).toMatch(/^[0-9a-f-]{36}$/);
    expect(other).not.toBe(first);
  });

  test("sends an Idempotency-Key of httpHeaders instead of the task's, and none when it is empty", async ({
    server,
  }) => {
    server.answer = json(200, {});
    await run({
      httpUrl: `${server.base}/own`,
      httpHeaders: { 'idempotency-key': 'order-{{order.id}}' },
      order: { id: 42 },
    });
    await run({
      httpUrl: `${server.base}/none`,
      httpHeaders: { 'Idempotency-Key': '' },
    });
    expect(server.received.map((r) => [r.url, r.headers['idempotency-key']])).toEqual([
      ['/own', 'order-42'],
      ['/none', undefined],
    ]);
  });
});
