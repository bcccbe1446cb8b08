/**
 * The ZGW JWT (HS256, `client_id` claim, signed with the client's secret) for the loopback ZGW server: a small
 * signer for tests, and the server's check of a bearer token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/**
 * A ZGW JWT for `clientId`, signed HS256 with `secret`: claims `iss`, `iat`, `client_id`, `user_id`,
 * `user_representation`, then `claims` (which may override them, e.g. `exp` in the past).
 */
export function signZgwJwt(clientId: string, secret: string, claims: Record<string, unknown> = {}): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      iss: clientId,
      iat: Math.floor(Date.now() / 1000),
      client_id: clientId,
      user_id: 'bptl',
      user_representation: 'BPTL',
      ...claims,
    }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The outcome of checking a request's credentials. */
export type ZgwAuthResult =
  | { ok: true; clientId: string; claims?: Record<string, unknown> }
  | { ok: false; status: 401 | 403; code: string; detail: string; clientId?: string };

/**
 * Checks an `Authorization` header against the known clients, as Open Zaak does: no token, a token that is not
 * a JWT, an unknown `client_id` or a bad signature → 403; an `exp` in the past → 401. `Token <secret>` (the
 * Objects API's token auth) is accepted where `allowToken` is set.
 */
export function verifyZgwAuthorization(
  header: string | undefined,
  clients: Readonly<Record<string, string>>,
  options: { allowToken?: boolean; nowMs?: number } = {},
): ZgwAuthResult {
  if (!header)
    return {
      ok: false,
      status: 403,
      code: 'permission_denied',
      detail: 'Authenticatiegegevens zijn niet opgegeven.',
    };
  const [scheme, credentials] = header.trim().split(/\s+/, 2);
  if (options.allowToken && scheme?.toLowerCase() === 'token' && credentials) {
    for (const [clientId, secret] of Object.entries(clients)) {
      if (safeEqual(credentials, secret)) return { ok: true, clientId };
    }
    return { ok: false, status: 403, code: 'permission_denied', detail: 'Ongeldig token.' };
  }
  if (scheme?.toLowerCase() !== 'bearer' || !credentials) {
    return {
      ok: false,
      status: 403,
      code: 'permission_denied',
      detail: 'Authorization header is geen Bearer JWT.',
    };
  }
  const parts = credentials.split('.');
  if (parts.length !== 3)
    return { ok: false, status: 403, code: 'permission_denied', detail: 'Het JWT is onleesbaar.' };
  const [headerPart, payloadPart, signature] = parts as [string, string, string];
  let jwtHeader: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    jwtHeader = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, status: 403, code: 'permission_denied', detail: 'Het JWT is onleesbaar.' };
  }
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
  if (jwtHeader.alg !== 'HS256') {
    return {
      ok: false,
      status: 403,
      code: 'permission_denied',
      detail: `JWT-algoritme ${String(jwtHeader.alg)} wordt niet ondersteund.`,
      ...(clientId ? { clientId } : {}),
    };
  }
  const secret = clientId === undefined ? undefined : clients[clientId];
  if (clientId === undefined || secret === undefined) {
    return {
      ok: false,
      status: 403,
      code: 'invalid-client-identifier',
      detail: 'Client identifier bestaat niet',
      ...(clientId ? { clientId } : {}),
    };
  }
  const expected = createHmac('sha256', secret).update(`${headerPart}.${payloadPart}`).digest('base64url');
  if (!safeEqual(signature, expected)) {
    return {
      ok: false,
      status: 403,
      code: 'permission_denied',
      detail: 'De JWT-signature is ongeldig.',
      clientId,
    };
  }
  const nowSeconds = (options.nowMs ?? Date.now()) / 1000;
  if (typeof payload.exp === 'number' && payload.exp < nowSeconds) {
    return { ok: false, status: 401, code: 'not_authenticated', detail: 'Het JWT is verlopen.', clientId };
  }
  return { ok: true, clientId, claims: payload };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
