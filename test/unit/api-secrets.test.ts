/**
 * Secrets are write-only: this test stores secrets of every kind through the API (engines, services, credentials
 * per application; created, replaced, kept), reads everything back through every read route, provokes errors with
 * secrets in the body, and then scans every response (status line, headers, body) and every log line the API
 * wrote (at debug level) for any of the secrets. It finds none.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';

const secret = (what: string) => `${what}-${randomBytes(9).toString('hex')}`;
const SECRETS = {
  enginePassword: secret('engine-password'),
  engineToken: secret('engine-token'),
  engineToken2: secret('engine-token-2'),
  zgwSecret: secret('zgw-secret'),
  apiKey: secret('api-key'),
  credentialPassword: secret('credential-password'),
  credentialToken: secret('credential-token'),
  rejectedPassword: secret('rejected-password'),
};

let api: TestApi;
const seen: string[] = [];

async function call(
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const res = await api.request(method, path, options);
  const text = await res.clone().text();
  seen.push(
    `${method} ${path} → ${res.status}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`,
  );
  return res;
}

beforeAll(async () => {
  api = await createTestApi({ bodyLimitBytes: 64 * 1024 });
});

afterAll(async () => {
  await api?.close();
});

describe('secrets through the API', () => {
  it('never appear in a response or a log line', async () => {
    const url = 'http://127.0.0.1:8080/engine-rest';
    // Writes: create with secrets, replace a secret, keep it with {set: true}, change the auth type.
    expect(
      (
        await call('POST', '/engines', {
          body: {
            name: 'basic',
            url,
            auth: { type: 'basic', username: 'bptl', password: SECRETS.enginePassword },
          },
        })
      ).status,
    ).toBe(201);
    await call('POST', '/engines', {
      body: { name: 'bearer', url, auth: { type: 'bearer', token: SECRETS.engineToken } },
    });
    await call('PUT', '/engines/bearer', {
      body: { url, auth: { type: 'bearer', token: SECRETS.engineToken2 } },
    });
    expect(
      (
        await call('PUT', '/engines/basic', {
          body: {
            url: `${url}/v2`,
            auth: { type: 'basic', username: 'bptl', password: { set: true } },
          },
        })
      ).status,
    ).toBe(200);
    await call('POST', '/services', {
      body: {
        name: 'zaken',
        baseUrl: 'https://zaken.example.nl/api/v1',
        kind: 'zrc',
        auth: { type: 'zgw', clientId: 'bptl', secret: SECRETS.zgwSecret },
      },
    });
    await call('POST', '/services', {
      body: {
        name: 'mail',
        baseUrl: 'https://mail.example.nl',
        auth: { type: 'api-key', header: 'X-Key', key: SECRETS.apiKey },
      },
    });
    await call('POST', '/services/zaken/credentials', {
      body: {
        applicationId: 'app-1',
        auth: { type: 'basic', username: 'app', password: SECRETS.credentialPassword },
      },
    });
    await call('POST', '/services/zaken/credentials', {
      body: { applicationId: 'app-2', auth: { type: 'bearer', token: SECRETS.credentialToken } },
    });
    await call('PUT', '/services/zaken/credentials/app-2', {
      body: { auth: { type: 'bearer', token: { set: true } } },
      headers: { 'if-match': '"1"' },
    });

    // Errors with secrets in the body: duplicate, bad field beside a secret, stale If-Match, too large, bad token.
    const rejected = { type: 'basic', username: 'x', password: SECRETS.rejectedPassword };
    expect((await call('POST', '/engines', { body: { name: 'basic', url, auth: rejected } })).status).toBe(
      409,
    );
    expect(
      (await call('POST', '/engines', { body: { name: 'Bad!', url: 'nope', auth: rejected } })).status,
    ).toBe(400);
    expect(
      (
        await call('POST', '/engines', {
          body: { name: 'extra', url, auth: { ...rejected, extra: SECRETS.rejectedPassword } },
        })
      ).status,
    ).toBe(400);
    expect(
      (await call('PUT', '/engines/basic', { body: { url, auth: rejected }, headers: { 'if-match': '"1"' } }))
        .status,
    ).toBe(412);
    expect(
      (
        await call('POST', '/services', {
          body: { name: 'big', baseUrl: url, pad: 'x'.repeat(70_000), auth: rejected },
        })
      ).status,
    ).toBe(413);
    expect(
      (await call('POST', '/engines', { token: VIEWER_TOKEN, body: { name: 'v', url, auth: rejected } }))
        .status,
    ).toBe(403);
    expect((await call('GET', '/engines', { token: SECRETS.rejectedPassword })).status).toBe(401);

    // Every read route.
    for (const path of [
      '/engines',
      '/engines/basic',
      '/engines/bearer',
      '/services',
      '/services/zaken',
      '/services/mail',
      '/services/zaken/credentials',
      '/services/zaken/credentials/app-1',
      '/services/zaken/credentials/app-2',
      '/topics',
      '/work-units',
      '/audit?limit=1000',
      '/openapi.json',
      '/docs',
      '/health',
    ]) {
      expect((await call('GET', path, { token: VIEWER_TOKEN })).status, path).toBe(200);
    }
    // The deletes' audit entries hold the rows before: read the log again after them.
    await call('DELETE', '/services/zaken/credentials/app-1');
    await call('DELETE', '/services/zaken');
    await call('DELETE', '/engines/bearer');
    expect((await call('GET', '/audit?limit=1000', { token: VIEWER_TOKEN })).status).toBe(200);

    // The store has them (the worker needs them) …
    expect((await api.store.engines.resolve('basic'))?.auth).toMatchObject({
      password: SECRETS.enginePassword,
    });
    expect((await api.store.services.credentialsFor('mail'))?.auth).toMatchObject({ key: SECRETS.apiKey });
    // … and nothing the API said or logged does.
    expect(seen.length).toBeGreaterThan(30);
    expect(api.logLines.length).toBeGreaterThan(30);
    for (const [name, value] of Object.entries(SECRETS)) {
      for (const text of seen)
        expect(text.includes(value), `${name} in a response:\n${text.slice(0, 300)}`).toBe(false);
      for (const line of api.logLines)
        expect(line.includes(value), `${name} in a log line: ${line}`).toBe(false);
    }
  });
});

describe('a kept secret follows its URL', () => {
  /** The issues of a 400 problem, as `field: message`. */
  async function issuesOf(res: Response): Promise<string[]> {
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { issues: { field: string; message: string }[] };
    return problem.issues.map((i) => `${i.field}: ${i.message}`);
  }

  it("refuses to keep an engine's secret when its URL's origin changes, and keeps it within the origin", async () => {
    await api.request('POST', '/engines', {
      body: {
        name: 'moving',
        url: 'http://a.example.nl:8080/engine-rest',
        auth: { type: 'basic', username: 'bptl', password: 'old-password' },
      },
    });
    const kept = { type: 'basic', username: 'bptl', password: { set: true } };
    expect(
      await issuesOf(
        await api.request('PUT', '/engines/moving', {
          body: { url: 'http://b.example.nl:8080/engine-rest', auth: kept },
        }),
      ),
    ).toEqual([
      "auth.password: the URL's origin changes (http://a.example.nl:8080 → http://b.example.nl:8080): send the password again",
    ]);
    // Another port is another origin, too.
    expect(
      await issuesOf(
        await api.request('PUT', '/engines/moving', {
          body: { url: 'http://a.example.nl:9090/engine-rest', auth: kept },
        }),
      ),
    ).toHaveLength(1);
    expect((await api.store.engines.resolve('moving'))?.url).toBe('http://a.example.nl:8080/engine-rest');
    // Another path on the same origin keeps the secret.
    const samePlace = await api.request('PUT', '/engines/moving', {
      body: { url: 'http://a.example.nl:8080/other/engine-rest', auth: kept },
    });
    expect(samePlace.status).toBe(200);
    expect((await api.store.engines.resolve('moving'))?.auth).toMatchObject({ password: 'old-password' });
    // The secret sent again: moved.
    const moved = await api.request('PUT', '/engines/moving', {
      body: {
        url: 'http://b.example.nl:8080/engine-rest',
        auth: { type: 'basic', username: 'bptl', password: 'new-password' },
      },
    });
    expect(moved.status).toBe(200);
    expect(await api.store.engines.resolve('moving')).toMatchObject({
      url: 'http://b.example.nl:8080/engine-rest',
      auth: { password: 'new-password' },
    });
  });

  it("refuses to keep a service's secrets, its applications' included, when its origin changes", async () => {
    await api.request('POST', '/services', {
      body: {
        name: 'moving',
        baseUrl: 'https://a.example.nl/api/v1',
        auth: { type: 'zgw', clientId: 'bptl', secret: 'old-secret' },
      },
    });
    await api.request('POST', '/services/moving/credentials', {
      body: { applicationId: 'app-1', auth: { type: 'bearer', token: 'app-1-token' } },
    });
    await api.request('POST', '/services/moving/credentials', {
      body: { applicationId: 'app-2', auth: { type: 'none' } },
    });
    expect(
      await issuesOf(
        await api.request('PUT', '/services/moving', {
          body: {
            baseUrl: 'https://b.example.nl/api/v1',
            auth: { type: 'zgw', clientId: 'bptl', secret: { set: true } },
          },
        }),
      ),
    ).toEqual([
      "auth.secret: the URL's origin changes (https://a.example.nl → https://b.example.nl): send the secret again",
      "credentials.app-1: the URL's origin changes (https://a.example.nl → https://b.example.nl) and application 'app-1' keeps its stored token: delete its credentials first and add them again after the change, or add a new service for the new URL",
    ]);
    // The service's own secret sent again: still the application's.
    const newSecret = { type: 'zgw', clientId: 'bptl', secret: 'new-secret' };
    expect(
      await issuesOf(
        await api.request('PUT', '/services/moving', {
          body: { baseUrl: 'https://b.example.nl/api/v1', auth: newSecret },
        }),
      ),
    ).toEqual([expect.stringMatching(/^credentials\.app-1: /)]);
    // A path within the origin keeps them all.
    expect(
      (
        await api.request('PUT', '/services/moving', {
          body: {
            baseUrl: 'https://a.example.nl/api/v2',
            auth: { type: 'zgw', clientId: 'bptl', secret: { set: true } },
          },
        })
      ).status,
    ).toBe(200);
    expect((await api.store.services.credentialsFor('moving', 'app-1'))?.auth).toEqual({
      type: 'bearer',
      token: 'app-1-token',
    });
    // Without application credentials that keep a secret, it moves (app-2's have none).
    expect((await api.request('DELETE', '/services/moving/credentials/app-1')).status).toBe(204);
    const moved = await api.request('PUT', '/services/moving', {
      body: { baseUrl: 'https://b.example.nl/api/v1', auth: newSecret },
    });
    expect(moved.status).toBe(200);
    expect(await api.store.services.credentialsFor('moving')).toMatchObject({
      service: { baseUrl: 'https://b.example.nl/api/v1' },
      auth: { secret: 'new-secret' },
    });
  });
});
