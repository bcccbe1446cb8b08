/**
 * The console's sign-in session: a cookie that holds who signed in (the token's name and role, a fingerprint
 * of the token, when it ends, and the CSRF token of the session), signed with HMAC-SHA256. HttpOnly and
 * SameSite=Strict, Secure over https.
 *
 * The signing key is derived (HKDF) from the API's tokens, so API replicas with the same BPTL_API_TOKENS accept
 * each other's sessions and a restart keeps them; a session ends when any token is removed or changed (the
 * key changes with them). Nothing is kept server-side.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '../api/auth.ts';
import type { ApiToken } from '../config/env.ts';

export const SESSION_COOKIE = 'bptl_session';

/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** A signed-in operator. */
export interface Session {
  principal: Principal;
  /** The token that every form of this session carries (csrf.ts). */
  csrf: string;
  expiresAt: number;
}

const payloadSchema = z.strictObject({
  n: z.string().min(1),
  r: z.enum(['viewer', 'admin']),
  f: z.string().min(1),
  c: z.string().min(16),
  e: z.number().int(),
});

const fingerprint = (token: string) => createHash('sha256').update(token).digest('base64url').slice(0, 22);

export interface SessionCodec {
  /** A new session for a principal signed in with `token`; its cookie value. */
  issue(principal: Principal, token: string, now?: number): { session: Session; cookie: string };
  /** The session a cookie value holds, or undefined when it is forged, expired or its token is gone. */
  read(cookie: string | undefined, now?: number): Session | undefined;
}

export function createSessionCodec(tokens: readonly ApiToken[], ttlMs = SESSION_TTL_MS): SessionCodec {
  const material = tokens
    .map((t) => `${t.name}\u0000${t.role}\u0000${fingerprint(t.token)}`)
    .sort()
    .join('\u0001');
  const key = Buffer.from(hkdfSync('sha256', material, 'bptl', 'bptl console session v1', 32));
  const sign = (body: string) => createHmac('sha256', key).update(body).digest();
  return {
    issue(principal, token, now = Date.now()) {
      const session: Session = {
        principal,
        csrf: randomBytes(18).toString('base64url'),
        expiresAt: now + ttlMs,
      };
      const payload = {
        n: principal.name,
        r: principal.role,
        f: fingerprint(token),
        c: session.csrf,
        e: session.expiresAt,
      };
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return { session, cookie: `${body}.${sign(body).toString('base64url')}` };
    },
    read(cookie, now = Date.now()) {
      if (!cookie) return undefined;
      const [body, mac, ...rest] = cookie.split('.');
      if (!body || !mac || rest.length > 0) return undefined;
      const given = Buffer.from(mac, 'base64url');
      const expected = sign(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      let parsed: z.infer<typeof payloadSchema>;
      try {
        parsed = payloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
      } catch {
        return undefined;
      }
      if (parsed.e <= now) return undefined;
      return { principal: { name: parsed.n, role: parsed.r }, csrf: parsed.c, expiresAt: parsed.e };
    },
  };
}
