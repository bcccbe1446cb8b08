/**
 * The codec server: POST /codec/decode and /codec/encode with a viewer token or a console session (the Temporal
 * UI's cookie), and CORS for the Temporal UI.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAesGcmCodec } from '../../src/codec/aes-gcm-codec.ts';
import { CodecKey } from '../../src/codec/codec-keys.ts';
import { createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';

const SECRET = 'Codec-Server-Secret-0815';
const UI = 'http://127.0.0.1:8233';
const codec = createAesGcmCodec([new CodecKey('k1', randomBytes(32))]);
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ codec, codecCorsOrigins: [UI] });
});
afterAll(() => api.close());

async function encryptedJsonPayload() {
  const [encoded] = await codec.encode([defaultPayloadConverter.toPayload({ secret: SECRET })]);
  return {
    metadata: Object.fromEntries(Object.entries(encoded!.metadata!).map(([k, v]) => [k, b64(v)])),
    data: b64(encoded!.data),
  };
}

describe('codec server', () => {
  it('decodes with a viewer token, in the shape of Temporal codec servers', async () => {
    const plain = defaultPayloadConverter.toPayload('as is');
    const plainJson = { metadata: { encoding: b64(plain.metadata!.encoding) }, data: b64(plain.data) };
    const res = await api.request('POST', '/codec/decode', {
      token: VIEWER_TOKEN,
      body: { payloads: [await encryptedJsonPayload(), plainJson] },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      payloads: Array<{ metadata: Record<string, string>; data: string }>;
    };
    expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString())).toEqual({ secret: SECRET });
    expect(body.payloads[1]).toEqual(plainJson);
  });

  it('encodes, and what it encodes decodes', async () => {
    const plain = defaultPayloadConverter.toPayload({ secret: SECRET });
    const res = await api.request('POST', '/codec/encode', {
      token: VIEWER_TOKEN,
      body: { payloads: [{ metadata: { encoding: b64(plain.metadata!.encoding) }, data: b64(plain.data) }] },
    });
    expect(res.status).toBe(200);
    const { payloads } = (await res.json()) as {
      payloads: Array<{ metadata: Record<string, string>; data: string }>;
    };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(payloads[0]!.data, 'base64').includes(SECRET)).toBe(false);
  });

  it('answers 401 without a token, and 422 for a payload of an unknown key', async () => {
    const payload = await encryptedJsonPayload();
    expect(
      (await api.request('POST', '/codec/decode', { token: null, body: { payloads: [payload] } })).status,
    ).toBe(401);
    const other = await createTestApi({ codec: createAesGcmCodec([new CodecKey('k2', randomBytes(32))]) });
    try {
      const res = await other.request('POST', '/codec/decode', {
        token: VIEWER_TOKEN,
        body: { payloads: [payload] },
      });
      expect(res.status).toBe(422);
      expect(await res.text()).toContain("'k1'");
    } finally {
      await other.close();
    }
  });

  it('answers the preflight of an allowed origin, and CORS headers only for it', async () => {
    const preflight = await api.request('OPTIONS', '/codec/decode', {
      token: null,
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(
      /content-type.*authorization.*x-namespace/,
    );
    const post = await api.request('POST', '/codec/decode', {
      token: VIEWER_TOKEN,
      headers: { origin: UI, 'x-namespace': 'default' },
      body: { payloads: [] },
    });
    expect(post.headers.get('access-control-allow-origin')).toBe(UI);
    const denied = await api.request('POST', '/codec/decode', {
      token: null,
      headers: { origin: UI },
      body: { payloads: [] },
    });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(UI);
    const evil = await api.request('OPTIONS', '/codec/decode', {
      token: null,
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const evilPost = await api.request('POST', '/codec/decode', {
      token: VIEWER_TOKEN,
      headers: { origin: 'https://evil.example' },
      body: { payloads: [] },
    });
    expect(evilPost.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('takes a console session instead of a token, and only there', async () => {
    const signIn = await api.app.request('/console/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: VIEWER_TOKEN }).toString(),
    });
    expect(signIn.status).toBe(303);
    const cookie = /bptl_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')?.[0];
    expect(cookie).toBeDefined();
    const body = { payloads: [await encryptedJsonPayload()] };
    const decoded = await api.request('POST', '/codec/decode', {
      token: null,
      headers: { cookie: cookie!, origin: UI, 'x-namespace': 'default' },
      body,
    });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(UI);
    expect(decoded.headers.get('access-control-allow-credentials')).toBe('true');
    const { payloads } = (await decoded.json()) as { payloads: Array<{ data: string }> };
    expect(Buffer.from(payloads[0]!.data, 'base64').toString()).toContain(SECRET);
    expect(
      api.logLines.some((line) => line.includes('token:test-viewer') && line.includes('/codec/decode')),
    ).toBe(true);

    const forged = `${cookie!.slice(0, -2)}xx`;
    const refused = await api.request('POST', '/codec/decode', {
      token: null,
      headers: { cookie: forged },
      body,
    });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('console session');
    // A request with a token is judged by the token alone.
    const badToken = await api.request('POST', '/codec/decode', {
      token: 'nope',
      headers: { cookie: cookie! },
      body,
    });
    expect(badToken.status).toBe(401);
    // Other operations take no cookie: the browser would send it on its own (CSRF).
    const topics = await api.request('GET', '/topics', { token: null, headers: { cookie: cookie! } });
    expect(topics.status).toBe(401);
  });
});
