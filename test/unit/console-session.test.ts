import { describe, expect, it } from 'vitest';
import type { ApiToken } from '../../src/config/env.ts';
import { checkCsrf } from '../../src/console/csrf.ts';
import { createSessionCodec } from '../../src/console/session.ts';

const tokens: ApiToken[] = [
  { name: 'ops', role: 'admin', token: 'admin-token-0123456789abcdef' },
  { name: 'watch', role: 'viewer', token: 'viewer-token-0123456789abcdef' },
];

describe('console sessions', () => {
  it('reads back the session it issued', () => {
    const codec = createSessionCodec(tokens);
    const { cookie, session } = codec.issue(
      { name: 'watch', role: 'viewer' },
      'viewer-token-0123456789abcdef',
    );
    expect(codec.read(cookie)).toEqual(session);
    expect(session.principal).toEqual({ name: 'watch', role: 'viewer' });
    // Another process with the same tokens (a replica, or after a restart) accepts it too.
    expect(createSessionCodec(tokens).read(cookie)?.principal.name).toBe('watch');
  });

  it('refuses a cookie whose role was changed, or that is cut or garbage', () => {
    const codec = createSessionCodec(tokens);
    const { cookie } = codec.issue({ name: 'watch', role: 'viewer' }, 'viewer-token-0123456789abcdef');
    const [body, mac] = cookie.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, r: 'admin' })).toString('base64url');
    expect(codec.read(`${forged}.${mac}`)).toBeUndefined();
    expect(codec.read(body)).toBeUndefined();
    expect(codec.read(`${cookie}.x`)).toBeUndefined();
    expect(codec.read('garbage')).toBeUndefined();
    expect(codec.read(undefined)).toBeUndefined();
  });

  it('ends a session when it expires', () => {
    const codec = createSessionCodec(tokens, 1_000);
    const { cookie } = codec.issue({ name: 'ops', role: 'admin' }, 'admin-token-0123456789abcdef', 10_000);
    expect(codec.read(cookie, 10_999)?.principal.role).toBe('admin');
    expect(codec.read(cookie, 11_000)).toBeUndefined();
  });

  it('ends a session when its token is removed or changed', () => {
    const { cookie } = createSessionCodec(tokens).issue(
      { name: 'ops', role: 'admin' },
      'admin-token-0123456789abcdef',
    );
    expect(createSessionCodec([tokens[1]!]).read(cookie)).toBeUndefined();
    const rotated: ApiToken[] = [
      { name: 'ops', role: 'admin', token: 'a-new-admin-token-0123456789' },
      tokens[1]!,
    ];
    expect(createSessionCodec(rotated).read(cookie)).toBeUndefined();
  });
});

describe('console CSRF check', () => {
  const session = { principal: { name: 'ops', role: 'admin' as const }, csrf: 'c'.repeat(24), expiresAt: 0 };

  it("accepts the session's token from the console's own origin, or with no Origin", () => {
    expect(
      checkCsrf(
        session,
        { _csrf: session.csrf },
        { origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' },
      ),
    ).toEqual({ ok: true });
    expect(
      checkCsrf(session, { _csrf: session.csrf }, { origin: undefined, host: '127.0.0.1:3000' }),
    ).toEqual({ ok: true });
  });

  it('refuses another origin, an opaque one, a wrong token and none', () => {
    const from = (origin: string | undefined, csrf?: string) =>
      checkCsrf(session, csrf === undefined ? {} : { _csrf: csrf }, { origin, host: '127.0.0.1:3000' });
    expect(from('http://evil.example', session.csrf)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('evil.example'),
    });
    expect(from('null', session.csrf)).toMatchObject({ ok: false });
    expect(from(undefined, 'd'.repeat(24))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('stale'),
    });
    expect(from(undefined)).toMatchObject({ ok: false });
  });
});
