/** The one API test over a real port (port 0): what a client sees on the wire. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, serveApi } from '../../src/api/serve.ts';
import { ADMIN_TOKEN, createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';

let api: TestApi;
let server: RunningApi;

beforeAll(async () => {
  api = await createTestApi();
  server = await serveApi(api.app, { port: 0, hostname: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('the API on a port', () => {
  it('serves health openly, and topics with a token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    const denied = await fetch(`${server.url}/topics`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');

    const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const engine = await fetch(`${server.url}/engines`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'local', url: 'http://127.0.0.1:8080/engine-rest' }),
    });
    expect(engine.status).toBe(201);
    const topic = await fetch(`${server.url}/topics`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ engine: 'local', topic: 'smoke', workUnit: 'echo' }),
    });
    expect(topic.status).toBe(201);
    expect(topic.headers.get('etag')).toBe('"1"');
    const read = await fetch(`${server.url}/topics/local/smoke`, {
      headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
    });
    expect(read.headers.get('etag')).toBe('"1"');
    expect(await read.json()).toMatchObject({ engine: 'local', topic: 'smoke', workUnit: 'echo' });
  });

  it('says 413 for a body past the limit, streamed without a length', async () => {
    const chunk = new TextEncoder().encode(`{"pad":"${'x'.repeat(64 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 1.5 * 1024 * 1024) {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
          return;
        }
        controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const res = await fetch(`${server.url}/engines`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });
});
