/**
 * The outbound policy (src/http/outbound-policy.ts) through the units and clients a process variable can steer:
 * `http-request` sent to loopback, private, link-local and metadata addresses, a name that resolves to
 * 127.0.0.1, a redirect to another host, a `data:` URL, an oversize answer; a service client given an absolute
 * URL of a foreign origin, or redirected with an API-key header. Real HTTP servers on 127.0.0.1 (port 0) stand
 * for "the internal network": each test counts what reached them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv, outboundPolicyOf } from '../../src/config/env.ts';
import {
  findOutboundRefusal,
  nonPublicReason,
  OutboundPolicy,
  OutboundRefusedError,
  parseNetworks,
  parseOriginPattern,
  parseOriginPatterns,
} from '../../src/http/outbound-policy.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { httpRequest } from '../../src/work-units/library/http/index.ts';
import { createServiceClient } from '../../src/work-units/service-clients.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';

interface Server {
  base: string;
  port: number;
  received: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  answer: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const state = {
    received: [] as Server['received'],
    answer: (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"internal":"admin keys"}');
    },
  };
  const server = createServer((req, res) => {
    state.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => state.answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    base: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

const quiet = createLogger('test', { level: 'error' });

let inside: Server; // "the internal network"
let other: Server; // another internal host
beforeAll(async () => {
  inside = await startServer();
  other = await startServer();
});
afterAll(async () => {
  await inside.close();
  await other.close();
});

function reset(): void {
  inside.received.length = 0;
  other.received.length = 0;
  inside.answer = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"internal":"admin keys"}');
  };
}

describe('http-request under the default policy', () => {
  const refusals: Array<[string, () => string, RegExp]> = [
    ['a loopback address', () => `${inside.base}/admin/keys`, /127\.0\.0\.1 a loopback address/],
    [
      'a name that resolves to 127.0.0.1',
      () => `http://localhost:${inside.port}/admin/keys`,
      /localhost resolves to (127\.0\.0\.1|::1)/,
    ],
    ['a private address', () => 'http://10.255.255.1/x', /a private address/],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', /link-local/],
    ['an IPv6 loopback address', () => `http://[::1]:${inside.port}/x`, /loopback/],
    ['an IPv4-mapped IPv6 address', () => `http://[::ffff:127.0.0.1]:${inside.port}/x`, /loopback/],
    ['a decimal IPv4 address', () => `http://2130706433:${inside.port}/x`, /loopback/],
    ['a data: URL', () => 'data:application/json,{"a":1}', /data: URLs are refused/],
    ['a file: URL', () => 'file:///etc/passwd', /file: URLs are refused/],
    ['a URL with a password', () => 'https://user:pw@example.org/', /with a user or password/],
  ];
  for (const [what, url, reason] of refusals) {
    it(`refuses ${what}, non-retryably, naming the setting, sending nothing`, async () => {
      reset();
      const result = await runWorkUnit(httpRequest, { httpUrl: url(), httpTimeoutMs: 2_000 });
      expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'OutboundRefusedError' });
      if (result.outcome !== 'failed') return;
      expect(result.message).toMatch(reason);
      if (!/URLs are refused|password/.test(result.message)) {
        expect(result.message).toMatch(/BPTL_OUTBOUND_ALLOWED_(ORIGINS|NETWORKS)/);
      }
      expect(inside.received).toHaveLength(0);
      expect(JSON.stringify(result)).not.toContain('admin keys');
    });
  }

  it('calls an origin the topic lists explicitly, even on loopback', async () => {
    reset();
    const result = await runWorkUnit(
      httpRequest,
      { httpUrl: `${inside.base}/ok`, httpOutput: { value: 'internal' } },
      { topicOutbound: { allowedOrigins: [inside.base] } },
    );
    expect(result).toMatchObject({ outcome: 'completed', output: { httpStatus: 200, value: 'admin keys' } });
    expect(inside.received).toHaveLength(1);
  });

  it('calls a loopback address in BPTL_OUTBOUND_ALLOWED_NETWORKS under `*`', async () => {
    reset();
    const policy = new OutboundPolicy({ allowedNetworks: parseNetworks('127.0.0.0/8') });
    const result = await runWorkUnit(
      httpRequest,
      { httpUrl: `http://localhost:${inside.port}/ok` },
      { outboundPolicy: policy },
    );
    expect(result).toMatchObject({ outcome: 'completed', output: { httpStatus: 200 } });
  });

  it("refuses an origin outside the topic's list, naming outbound.allowedOrigins", async () => {
    reset();
    const result = await runWorkUnit(
      httpRequest,
      { httpUrl: `${other.base}/x` },
      { topicOutbound: { allowedOrigins: [inside.base] } },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'OutboundRefusedError' });
    if (result.outcome === 'failed') {
      expect(result.message).toContain(`${other.base} is not an allowed origin`);
      expect(result.message).toContain("the topic's outbound.allowedOrigins");
    }
    expect(other.received).toHaveLength(0);
  });

  it('checks a redirect to another host as the first request, and does not follow it', async () => {
    reset();
    inside.answer = (_req, res) => {
      res.writeHead(302, { location: `http://localhost:${other.port}/admin/keys` }).end();
    };
    const result = await runWorkUnit(
      httpRequest,
      { httpUrl: `${inside.base}/start` },
      { topicOutbound: { allowedOrigins: [inside.base] } },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'OutboundRefusedError' });
    if (result.outcome === 'failed') {
      expect(result.message).toContain(`http://localhost:${other.port} is not an allowed origin`);
    }
    expect(inside.received).toHaveLength(1);
    expect(other.received).toHaveLength(0);
  });

  it('follows a redirect within the allowed origin', async () => {
    reset();
    inside.answer = (req, res) => {
      if (req.url === '/start') res.writeHead(307, { location: '/end' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"at":"end"}');
    };
    const result = await runWorkUnit(
      httpRequest,
      { httpUrl: `${inside.base}/start`, httpOutput: { at: 'at' } },
      { topicOutbound: { allowedOrigins: [inside.base] } },
    );
    expect(result).toMatchObject({ outcome: 'completed', output: { at: 'end' } });
  });

  it('refuses an answer larger than the limit while reading it, naming the setting', async () => {
    reset();
    const chunk = Buffer.alloc(64 * 1024, 'x');
    inside.answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const more = () => {
        while (sent < 200 && res.write(chunk)) sent++;
        if (sent < 200) res.once('drain', more);
        else res.end();
      };
      res.on('error', () => {});
      more();
    };
    const policy = new OutboundPolicy({ maxResponseBytes: 1024 * 1024 });
    const result = await runWorkUnit(
      httpRequest,
      { httpUrl: `${inside.base}/huge` },
      { outboundPolicy: policy, topicOutbound: { allowedOrigins: [inside.base] } },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'OutboundRefusedError' });
    if (result.outcome === 'failed') {
      expect(result.message).toContain('larger than 1048576 bytes');
      expect(result.message).toContain('BPTL_OUTBOUND_MAX_RESPONSE_BYTES');
    }
  });
});

describe('a service client', () => {
  const API_KEY = 'k3y-of-zaken-0123456789';

  it('refuses an absolute URL of a foreign origin: its credentials never leave the service', async () => {
    reset();
    const client = createServiceClient(
      { name: 'zaken', baseUrl: `${inside.base}/api`, auth: { type: 'bearer', token: API_KEY } },
      quiet,
    );
    const error = await client.get(`${other.base}/steal`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect(String((error as Error).message)).toContain(
      `${other.base} is not the origin of service 'zaken' (${inside.base})`,
    );
    expect(other.received).toHaveLength(0);
  });

  it("sends another configured service's own credentials to that service's URL", async () => {
    reset();
    const resolver = {
      resolve: async () => undefined,
      resolveUrl: async (url: string) =>
        url.startsWith(`${other.base}/catalogi`)
          ? {
              name: 'catalogi',
              baseUrl: `${other.base}/catalogi`,
              auth: { type: 'bearer' as const, token: 'cat' },
            }
          : undefined,
    };
    const client = createServiceClient(
      { name: 'zaken', baseUrl: `${inside.base}/api`, auth: { type: 'bearer', token: API_KEY } },
      quiet,
      5_000,
      undefined,
      { resolver },
    );
    await client.get(`${other.base}/catalogi/zaaktypen/1`);
    await client.get('/zaken/1');
    expect(other.received.map((r) => r.headers.authorization)).toEqual(['Bearer cat']);
    expect(inside.received.map((r) => r.headers.authorization)).toEqual([`Bearer ${API_KEY}`]);
  });

  it('does not carry an API-key header on a redirect to another origin', async () => {
    reset();
    inside.answer = (_req, res) => {
      res.writeHead(302, { location: `${other.base}/elsewhere` }).end();
    };
    const client = createServiceClient(
      { name: 'zaken', baseUrl: inside.base, auth: { type: 'api-key', header: 'X-Api-Key', key: API_KEY } },
      quiet,
      5_000,
      undefined,
      // The redirect's target is allowed as any outbound call (here: loopback allowed), never its credentials.
      { policy: new OutboundPolicy({ allowedNetworks: parseNetworks('127.0.0.1') }) },
    );
    await client.get('/start');
    expect(inside.received[0]?.headers['x-api-key']).toBe(API_KEY);
    expect(other.received).toHaveLength(1);
    expect(other.received[0]?.headers['x-api-key']).toBeUndefined();
  });

  it('refuses a redirect to a loopback origin that is not the service', async () => {
    reset();
    inside.answer = (_req, res) => {
      res.writeHead(302, { location: `http://localhost:${other.port}/admin` }).end();
    };
    const client = createServiceClient(
      { name: 'zaken', baseUrl: inside.base, auth: { type: 'bearer', token: API_KEY } },
      quiet,
    );
    const error = await client.get('/start').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(findOutboundRefusal(error)).toBeInstanceOf(OutboundRefusedError);
    expect(other.received).toHaveLength(0);
  });
});

describe('the policy', () => {
  it('names why an address is not public, and passes a public one', () => {
    expect(nonPublicReason('127.0.0.1')).toBe('a loopback address');
    expect(nonPublicReason('192.168.1.10')).toBe('a private address');
    expect(nonPublicReason('100.100.100.200')).toContain('CGNAT');
    expect(nonPublicReason('fd00:ec2::254')).toContain('unique local');
    expect(nonPublicReason('::ffff:a9fe:a9fe')).toContain('link-local');
    expect(nonPublicReason('93.184.215.14')).toBeUndefined();
    expect(nonPublicReason('2a00:1450:4001:80b::200e')).toBeUndefined();
  });

  it('parses origins: exact, subdomains, any; refuses paths, users and other schemes', () => {
    expect(parseOriginPattern('https://Zaken.Example.nl:443')).toEqual({
      kind: 'exact',
      origin: 'https://zaken.example.nl',
      hostname: 'zaken.example.nl',
    });
    expect(parseOriginPattern('https://*.example.nl')).toMatchObject({
      kind: 'subdomains',
      suffix: 'example.nl',
    });
    expect(parseOriginPatterns('*, https://a.nl')).toHaveLength(2);
    expect(() => parseOriginPattern('https://a.nl/path')).toThrow(/without path/);
    expect(() => parseOriginPattern('ftp://a.nl')).toThrow(/only http and https/);
    expect(() => parseOriginPattern('https://u:p@a.nl')).toThrow(/without path or user/);
  });

  it('matches subdomains on scheme and port, not the bare domain or a look-alike', () => {
    const scope = new OutboundPolicy({ allowedOrigins: parseOriginPatterns('https://*.example.nl') }).scope();
    expect(scope.checkUrl('https://zaken.example.nl/x').hostname).toBe('zaken.example.nl');
    for (const url of [
      'https://example.nl/',
      'http://zaken.example.nl/',
      'https://evilexample.nl/',
      'https://zaken.example.nl:8443/',
    ]) {
      expect(() => scope.checkUrl(url), url).toThrow(OutboundRefusedError);
    }
  });
});

describe('the BPTL_OUTBOUND_* settings', () => {
  it('default to any public origin, no extra network, 5 MiB', () => {
    const env = loadEnv({});
    expect(env.BPTL_OUTBOUND_ALLOWED_ORIGINS).toEqual([{ kind: 'any' }]);
    expect(env.BPTL_OUTBOUND_MAX_RESPONSE_BYTES).toBe(5 * 1024 * 1024);
    expect(outboundPolicyOf(env).allowsNetwork('127.0.0.1')).toBe(false);
  });

  it('parse origins and networks, and stop start-up naming the variable of a bad one', () => {
    const env = loadEnv({
      BPTL_OUTBOUND_ALLOWED_ORIGINS: 'https://api.example.nl, https://*.gemeente.nl',
      BPTL_OUTBOUND_ALLOWED_NETWORKS: '10.20.0.0/16',
    });
    expect(env.BPTL_OUTBOUND_ALLOWED_ORIGINS).toHaveLength(2);
    expect(outboundPolicyOf(env).allowsNetwork('10.20.3.4')).toBe(true);
    expect(() => loadEnv({ BPTL_OUTBOUND_ALLOWED_ORIGINS: 'https://a.nl/path' })).toThrow(
      /BPTL_OUTBOUND_ALLOWED_ORIGINS.*without path/s,
    );
    expect(() => loadEnv({ BPTL_OUTBOUND_ALLOWED_NETWORKS: '10.0.0.0/40' })).toThrow(
      /BPTL_OUTBOUND_ALLOWED_NETWORKS.*prefix must be 0 to 32/s,
    );
  });
});
