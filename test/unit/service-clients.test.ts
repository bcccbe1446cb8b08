/**
 * Work units get ready HTTP clients for their services: the bound service's base URL and auth (ZGW JWT, bearer,
 * API key, basic), a missing binding fails the task naming the alias, and no secret reaches a log line.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/logging/logger.ts';
import type { ServiceAuth } from '../../src/store/schemas.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { zgwJwt } from '../../src/work-units/service-clients.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';

const seen: Array<{ url: string | undefined; headers: IncomingHttpHeaders }> = [];
const server = createServer((req, res) => {
  seen.push({ url: req.url, headers: req.headers });
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ url: 'https://zrc/zaken/1' }));
});
let baseUrl: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(() => {
  server.close();
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

async function call(auth: ServiceAuth) {
  const lines: string[] = [];
  const result = await runWorkUnit(
    createZaak,
    { omschrijving: 'Vergunning' },
    {
      services: { zrc: { baseUrl, auth } },
      logger: createLogger('t', { level: 'debug', write: (l) => lines.push(l) }),
    },
  );
  return { result, headers: seen.at(-1)?.headers ?? {}, url: seen.at(-1)?.url, lines };
}

describe('service clients', () => {
  it('sign a ZGW JWT with the client secret, on the bound base URL', async () => {
    const { result, headers, url, lines } = await call({
      type: 'zgw',
      clientId: 'bptl-test',
      secret: 's3cret-zgw',
    });
    expect(result).toMatchObject({ outcome: 'completed', output: { zaakUrl: 'https://zrc/zaken/1' } });
    expect(url).toBe('/api/v1/zaken?token=not-logged');
    const token = String(headers.authorization).replace(/^Bearer /, '');
    const [header, payload, signature] = token.split('.');
    expect(createHmac('sha256', 's3cret-zgw').update(`${header}.${payload}`).digest('base64url')).toBe(
      signature,
    );
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({
      iss: 'bptl-test',
      client_id: 'bptl-test',
    });
    expect(lines.join('\n')).toMatch(/service request service=zrc method=POST path=\/zaken status=200/);
    for (const secret of ['s3cret-zgw', token, 'not-logged']) expect(lines.join('\n')).not.toContain(secret);
  });

  it('send a bearer token, an API key header or basic credentials', async () => {
    expect((await call({ type: 'bearer', token: 'tok-123' })).headers.authorization).toBe('Bearer tok-123');
    expect((await call({ type: 'api-key', header: 'X-Api-Key', key: 'key-456' })).headers['x-api-key']).toBe(
      'key-456',
    );
    expect((await call({ type: 'basic', username: 'u', password: 'p' })).headers.authorization).toBe(
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
    expect((await call({ type: 'none' })).headers.authorization).toBeUndefined();
  });

  it('fail the task, naming the alias, when the topic does not bind it', async () => {
    const result = await runWorkUnit(createZaak, { omschrijving: 'x' }, { bindings: {}, services: {} });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    expect(result.outcome === 'failed' && result.message).toBe(
      "work unit 'create-zaak' needs service alias 'zrc', which topic 'test' does not bind",
    );
  });

  it('fail the task, naming the service, when it is not configured', async () => {
    const result = await runWorkUnit(createZaak, { omschrijving: 'x' }, { services: {} });
    expect(result.outcome === 'failed' && result.message).toBe(
      "service 'zrc' (alias 'zrc') is not configured",
    );
  });

  it('make a fresh, valid JWT', () => {
    const token = zgwJwt('a', 'b', Date.UTC(2026, 0, 1));
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).iat).toBe(1_767_225_600);
  });
});
