/**
 * The outbound request log of an attempt: method, origin, path, status or code, duration and time, never a
 * query string, a fragment, credentials, a header or a body; capped, with a count of what it dropped. The service
 * clients, the http-request unit and the runner fill it; the attempt's result and failure details carry it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OutboundPolicy, parseNetworks } from '../../src/http/outbound-policy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { httpRequest } from '../../src/work-units/library/http/http-request.ts';
import { OutboundLog, urlParts } from '../../src/work-units/outbound-log.ts';
import { createServiceClient } from '../../src/work-units/service-clients.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';

const SECRET = 'q-s3cret-value';
/** The test server is on loopback, which the outbound policy refuses unless allowed. */
const LOOPBACK = new OutboundPolicy({ allowedNetworks: parseNetworks('127.0.0.0/8') });
const quiet = createLogger('t', { level: 'error' });

describe('OutboundLog', () => {
  it('keeps method, origin and path, never the query string, the fragment or credentials', () => {
    const log = new OutboundLog();
    log.record({
      method: 'post',
      url: `https://user:${SECRET}@api.example.org:8443/zaken/1?token=${SECRET}#frag`,
      status: 201,
      durationMs: 12.4,
      at: 1000,
    });
    expect(log.entries()).toEqual([
      {
        method: 'POST',
        origin: 'https://api.example.org:8443',
        path: '/zaken/1',
        status: 201,
        durationMs: 12,
        at: 1000,
      },
    ]);
    expect(JSON.stringify(log.summary())).not.toContain(SECRET);
    expect(JSON.stringify(log.summary())).not.toContain('user');
  });

  it('joins a relative url to the base url as axios does, without its query', () => {
    expect(urlParts(`/zaken?x=${SECRET}`, 'http://127.0.0.1:8000/api/v1/')).toEqual({
      origin: 'http://127.0.0.1:8000',
      path: '/api/v1/zaken',
    });
    expect(urlParts('', 'http://h:1/api')).toEqual({ origin: 'http://h:1', path: '/api' });
    expect(urlParts(`not a url?${SECRET}`)).toEqual({ origin: '', path: 'not a url' });
  });

  it('keeps the first `limit` requests and counts the others', () => {
    const log = new OutboundLog(3);
    for (let i = 0; i < 5; i++) log.record({ method: 'GET', url: `http://h/${i}`, durationMs: 1, at: i });
    expect(log.entries().map((e) => e.path)).toEqual(['/0', '/1', '/2']);
    expect(log.dropped).toBe(2);
    expect(log.summary()).toMatchObject({ requestsDropped: 2 });
    expect(new OutboundLog().summary()).toEqual({});
  });
});

describe('requests through BPTL-made clients to a loopback server', () => {
  let origin = '';
  let refused = '';
  const server = createServer((req, res) => {
    req.resume();
    if (req.url?.includes('/fail')) res.writeHead(500).end('boom');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port nobody listens on: a server bound and closed again.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    refused = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('a service client records a 200 and a 500 with status and duration, no query or header', async () => {
    const log = new OutboundLog();
    const client = createServiceClient(
      { name: 'zrc', baseUrl: `${origin}/api/v1`, auth: { type: 'bearer', token: SECRET } },
      quiet,
      5_000,
      log,
    );
    const before = Date.now();
    await client.get(`/zaken?token=${SECRET}`);
    await expect(client.post('/fail/zaken', { secret: SECRET })).rejects.toThrow();
    const entries = log.entries();
    expect(entries).toEqual([
      expect.objectContaining({ method: 'GET', origin, path: '/api/v1/zaken', status: 200 }),
      expect.objectContaining({ method: 'POST', origin, path: '/api/v1/fail/zaken', status: 500 }),
    ]);
    for (const e of entries) {
      expect(e.code).toBeUndefined();
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
      expect(e.at).toBeGreaterThanOrEqual(before);
    }
    expect(JSON.stringify(entries)).not.toContain(SECRET);
  });

  it('a service client records a refused connection with its code', async () => {
    const log = new OutboundLog();
    const client = createServiceClient(
      { name: 'gone', baseUrl: refused, auth: { type: 'bearer', token: 't' } },
      quiet,
      5_000,
      log,
    );
    await expect(client.get('/x?y=1')).rejects.toThrow();
    expect(log.entries()).toEqual([
      expect.objectContaining({ method: 'GET', origin: refused, path: '/x', code: 'ECONNREFUSED' }),
    ]);
    expect(log.entries()[0]?.status).toBeUndefined();
  });

  it('the runner puts a unit’s service requests into its result, and into a failure’s details', async () => {
    const unit = defineWorkUnit({
      name: 'calls-twice',
      description: 'calls its service once, or twice with the second failing',
      services: ['zrc'],
      input: z.object({ fail: z.boolean().default(false) }),
      output: z.object({}),
      run: async ({ input, services }) => {
        await services.zrc!.get(`/zaken?token=${SECRET}`);
        if (input.fail) await services.zrc!.get('/fail');
        return {};
      },
    });
    const service = { baseUrl: origin, auth: { type: 'bearer' as const, token: SECRET } };
    const ok = await runWorkUnit(unit, {}, { services: { zrc: service } });
    expect(ok.outcome).toBe('completed');
    const failed = await runWorkUnit(unit, { fail: true }, { services: { zrc: service } });
    if (failed.outcome !== 'failed') throw new Error(`expected a failure, got ${failed.outcome}`);
    const details = failed.error.details?.[0] as { attempt: number; requests: unknown[] };
    expect(details.attempt).toBe(1);
    expect(details.requests).toEqual([
      expect.objectContaining({ method: 'GET', origin, path: '/zaken', status: 200 }),
      expect.objectContaining({ method: 'GET', origin, path: '/fail', status: 500 }),
    ]);
  });

  it('the http-request unit records its request: status, or the code of a refused connection', async () => {
    const failed = await runWorkUnit(
      httpRequest,
      { httpUrl: `${origin}/fail?key=${SECRET}`, httpMethod: 'PUT' },
      { outboundPolicy: LOOPBACK },
    );
    if (failed.outcome !== 'failed') throw new Error(`expected a failure, got ${failed.outcome}`);
    expect((failed.error.details?.[0] as { requests?: unknown } | undefined)?.requests).toEqual([
      expect.objectContaining({ method: 'PUT', origin, path: '/fail', status: 500 }),
    ]);
    const refusedRun = await runWorkUnit(
      httpRequest,
      { httpUrl: `${refused}/x?key=${SECRET}` },
      { outboundPolicy: LOOPBACK },
    );
    if (refusedRun.outcome !== 'failed') throw new Error(`expected a failure, got ${refusedRun.outcome}`);
    const details = refusedRun.error.details?.[0] as { requests: unknown[] };
    expect(details.requests).toEqual([
      expect.objectContaining({ method: 'GET', origin: refused, path: '/x', code: 'ECONNREFUSED' }),
    ]);
    expect(JSON.stringify(details)).not.toContain(SECRET);
  });

  it('the http-request unit records a call the outbound policy refused, with the code REFUSED', async () => {
    const run = await runWorkUnit(httpRequest, { httpUrl: `${origin}/x?key=${SECRET}` });
    if (run.outcome !== 'failed') throw new Error(`expected a failure, got ${run.outcome}`);
    expect(run.type).toBe('OutboundRefusedError');
    const details = run.error.details?.[0] as { requests: unknown[] };
    expect(details.requests).toEqual([
      expect.objectContaining({ method: 'GET', origin, path: '/x', code: 'REFUSED' }),
    ]);
    expect(JSON.stringify(details)).not.toContain(SECRET);
  });
});
