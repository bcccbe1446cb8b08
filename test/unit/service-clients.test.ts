/**
 * Work units get ready HTTP clients for their services: the bound service's base URL and auth (ZGW JWT, bearer,
 * API key, basic), a missing binding fails the task naming the alias, and no secret reaches a log line.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as base, describe, expect, vi } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/logging/logger.ts';
import type { ServiceAuth } from '../../src/store/schemas.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { createServiceClient, zgwJwt } from '../../src/work-units/service-clients.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';

/**
 * A ZGW JWT computed once outside of BPTL (Python's hmac, hashlib and base64 over the exact bytes below), for
 * client id `bptl-test`, secret `s3cret-zgw` and iat 2026-01-01T00:00:00Z:
 *   header  {"alg":"HS256","typ":"JWT"}
 *   payload {"iss":"bptl-test","iat":1767225600,"exp":1767225900,"client_id":"bptl-test","user_id":"bptl","user_representation":"BPTL"}
 */
const ZGW_VECTOR = {
  clientId: 'bptl-test',
  secret: 's3cret-zgw',
  nowMs: Date.UTC(2026, 0, 1),
  token:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJicHRsLXRlc3QiLCJpYXQiOjE3NjcyMjU2MDAsImV4cCI6MTc2NzIyNTkwMCwiY2xpZW50X2lkIjoiYnB0bC10ZXN0IiwidXNlcl9pZCI6ImJwdGwiLCJ1c2VyX3JlcHJlc2VudGF0aW9uIjoiQlBUTCJ9.5OgWV8zzc3flI7cWqQwJ3zgk8tLaBArJOTH5ewefNR4',
};

/** A loopback Zaken API of one test: it records each request and answers with a zaak. */
interface ZaakApi {
  baseUrl: string;
  requests: Array<{ url: string | undefined; headers: IncomingHttpHeaders }>;
}

const test = base.extend('zrc', async ({ onTestFinished }): Promise<ZaakApi> => {
  const requests: ZaakApi['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers });
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ url: 'https://zrc/zaken/1' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, requests };
});

const createZaak = defineWorkUnit({
  name: 'create-zaak',
  description: 'creates a zaak in the Zaken API',
  services: ['zrc'],
  input: z.object({ omschrijving: z.string() }),
  output: z.object({ zaakUrl: z.string() }),
  run: async ({ input, services }) => {
    const response = await services.zrc!.post<{ url: string }>('/zaken?token=not-logged', input);
    return { zaakUrl: response.data.url };
  },
});

async function call(zrc: ZaakApi, auth: ServiceAuth) {
  const lines: string[] = [];
  const result = await runWorkUnit(
    createZaak,
    { omschrijving: 'Vergunning' },
    {
      services: { zrc: { baseUrl: zrc.baseUrl, auth } },
      logger: createLogger('t', { level: 'debug', write: (l) => lines.push(l) }),
    },
  );
  const request = zrc.requests.at(-1);
  return { result, headers: request?.headers ?? {}, url: request?.url, lines };
}

describe('service clients', () => {
  test('sign a ZGW JWT with the client secret, on the bound base URL', async ({ zrc }) => {
    // Only Date is faked: the token's iat is the vector's, while the server and the client run on real timers.
    vi.useFakeTimers({ toFake: ['Date'], now: ZGW_VECTOR.nowMs });
    let called: Awaited<ReturnType<typeof call>>;
    try {
      called = await call(zrc, { type: 'zgw', clientId: ZGW_VECTOR.clientId, secret: ZGW_VECTOR.secret });
    } finally {
      vi.useRealTimers();
    }
    const { result, headers, url, lines } = called;
    expect(result).toMatchObject({ outcome: 'completed', output: { zaakUrl: 'https://zrc/zaken/1' } });
    expect(url).toBe('/api/v1/zaken?token=not-logged');
    expect(headers.authorization).toBe(`Bearer ${ZGW_VECTOR.token}`);
    expect(lines.join('\n')).toMatch(/service request service=zrc method=POST path=\/zaken status=200/);
    for (const secret of [ZGW_VECTOR.secret, ZGW_VECTOR.token, 'not-logged']) {
      expect(lines.join('\n')).not.toContain(secret);
    }
  });

  test('send a bearer token, an API key header or basic credentials', async ({ zrc }) => {
    expect((await call(zrc, { type: 'bearer', token: 'tok-123' })).headers.authorization).toBe(
      'Bearer tok-123',
    );
    expect(
      (await call(zrc, { type: 'api-key', header: 'X-Api-Key', key: 'key-456' })).headers['x-api-key'],
    ).toBe('key-456');
    expect((await call(zrc, { type: 'basic', username: 'u', password: 'p' })).headers.authorization).toBe(
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
    expect((await call(zrc, { type: 'none' })).headers.authorization).toBeUndefined();
  });

  test('fail the task, naming the alias, when the topic does not bind it', async () => {
    const result = await runWorkUnit(createZaak, { omschrijving: 'x' }, { bindings: {}, services: {} });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    expect(result.outcome === 'failed' && result.message).toBe(
      "work unit 'create-zaak' needs service alias 'zrc', which topic 'test' does not bind",
    );
  });

  test('fail the task, naming the service, when it is not configured', async () => {
    const result = await runWorkUnit(createZaak, { omschrijving: 'x' }, { services: {} });
    expect(result.outcome === 'failed' && result.message).toBe(
      "service 'zrc' (alias 'zrc') is not configured",
    );
  });

  test('make the JWT of the fixed vector, and a fresh one at each call', () => {
    expect(zgwJwt(ZGW_VECTOR.clientId, ZGW_VECTOR.secret, ZGW_VECTOR.nowMs)).toBe(ZGW_VECTOR.token);
    const later = zgwJwt(ZGW_VECTOR.clientId, ZGW_VECTOR.secret, ZGW_VECTOR.nowMs + 1_000);
    expect(JSON.parse(Buffer.from(later.split('.')[1]!, 'base64url').toString()).iat).toBe(1_767_225_601);
    expect(later).not.toBe(ZGW_VECTOR.token);
  });

  test('a ZGW JWT carries iss, iat, exp, client_id, user_id and user_representation, signed HS256', () => {
    const token = zgwJwt('bptl-test', 's3cret-zgw', ZGW_VECTOR.nowMs);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(createHmac('sha256', 's3cret-zgw').update(`${header}.${payload}`).digest('base64url')).toBe(
      signature,
    );
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({
      iss: 'bptl-test',
      iat: 1_767_225_600,
      exp: 1_767_225_600 + 300,
      client_id: 'bptl-test',
      user_id: 'bptl',
      user_representation: 'BPTL',
    });
  });

  test("a URL of another service on the same origin gets that service's credentials", async ({ zrc }) => {
    const origin = new URL(zrc.baseUrl).origin;
    const services = {
      zrc: { baseUrl: `${origin}/zaken/api/v1`, auth: { type: 'bearer' as const, token: 'zaken-token' } },
      ztc: {
        baseUrl: `${origin}/catalogi/api/v1`,
        auth: { type: 'bearer' as const, token: 'catalogi-token' },
      },
    };
    const unit = defineWorkUnit({
      name: 'read-across',
      description: 'reads a URL of another API on the same origin',
      services: ['zrc'],
      input: z.object({}),
      output: z.object({}),
      run: async ({ services: clients }) => {
        await clients.zrc!.get(`${origin}/catalogi/api/v1/zaaktypen/1`);
        await clients.zrc!.get(`${origin}/other/api/v1/x`);
        await clients.zrc!.get('/zaken/1');
        return {};
      },
    });
    const result = await runWorkUnit(unit, {}, { services });
    expect(result.outcome).toBe('completed');
    expect(zrc.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/catalogi/api/v1/zaaktypen/1', 'Bearer catalogi-token'],
      // Same origin, no configured service's URL: the service's own credentials, as before.
      ['/other/api/v1/x', 'Bearer zaken-token'],
      ['/zaken/api/v1/zaken/1', 'Bearer zaken-token'],
    ]);
    expect(result.outbound.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/catalogi/api/v1/zaaktypen/1', 200],
      ['GET', '/other/api/v1/x', 200],
      ['GET', '/zaken/api/v1/zaken/1', 200],
    ]);
    expect(JSON.stringify(result.outbound)).not.toContain('token');
  });

  test('a URL of another origin that no service has is refused', async ({ zrc }) => {
    const client = createServiceClient(
      { name: 'zrc', baseUrl: zrc.baseUrl, auth: { type: 'bearer', token: 't' } },
      createLogger('t', { level: 'error' }),
    );
    await expect(client.get('http://127.0.0.2:9/zaken')).rejects.toThrow(
      /is not the origin of service 'zrc'/,
    );
    expect(zrc.requests).toHaveLength(0);
  });
});
