/**
 * Bearer-token auth with two roles: `admin` writes (and reads), `viewer` reads. Tokens come from configuration
 * (BPTL_API_TOKENS, see src/config/env.ts). A request without a token, or with an unknown one, gets 401 with a
 * WWW-Authenticate challenge; a token whose role is too low gets 403. Tokens are compared in constant time, by
 * their SHA-256 digests, and never logged: the actor in logs and the audit log is `token:<name>`.
 *
 * A few operations without side effects (the codec server, for the Temporal UI in a browser) also accept the
 * console's session cookie instead of a token: `requireRole(..., { session })`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiRole, ApiToken } from '../config/env.ts';
import { ApiProblem } from './problem.ts';

/** Who is calling: set on the context by the auth middleware. */
export interface Principal {
  /** The token's name. */
  name: string;
  role: ApiRole;
}

/** What the API's handlers find on the Hono context. */
export interface ApiEnv {
  Variables: { principal: Principal };
}

/** Who may call an operation. */
export type Access = 'public' | ApiRole;

const RANK: Record<ApiRole, number> = { viewer: 1, admin: 2 };

/** The actor recorded in the audit log for a principal. */
export function actorOf(principal: Principal): string {
  return `token:${principal.name}`;
}

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * Finds the principal of a token among `tokens`, comparing with every one (constant time each, by SHA-256
 * digest), so the time does not tell which one nearly matched. The bearer auth and the console's sign-in use it.
 */
export function tokenMatcher(tokens: readonly ApiToken[]): (token: string) => Principal | undefined {
  const known = tokens.map((t) => ({ digest: digest(t.token), principal: { name: t.name, role: t.role } }));
  return (token) => {
    const given = digest(token);
    let found: Principal | undefined;
    for (const entry of known) if (timingSafeEqual(entry.digest, given)) found = entry.principal;
    return found;
  };
}

/** Whether `principal` may do what needs `role`. */
export function hasRole(principal: Principal, role: ApiRole): boolean {
  return RANK[principal.role] >= RANK[role];
}

/** Where a request's principal may come from besides its bearer token. */
export interface RoleOptions {
  /**
   * The principal of the request's console session (its cookie), asked only when the request has no
   * Authorization header. A request that has one is judged by its token alone.
   */
  session?: (c: Context<ApiEnv>) => Principal | undefined;
}

/**
 * Middleware that lets a request through when it carries a token of at least `role` (or, with
 * `options.session`, a console session of at least `role`). Validates the token list once, here: an empty list
 * means nobody gets in (every request answers 401).
 */
export function requireRole(
  tokens: readonly ApiToken[],
  role: ApiRole,
  options: RoleOptions = {},
): MiddlewareHandler<ApiEnv> {
  const match = tokenMatcher(tokens);
  const refuseLowRole = (found: Principal, what: string) => {
    if (!hasRole(found, role)) {
      throw new ApiProblem(
        403,
        `this operation needs the ${role} role; ${what} '${found.name}' is a ${found.role}`,
      );
    }
  };
  return async function bearerAuth(c, next) {
    const header = c.req.header('authorization');
    if (header === undefined && options.session) {
      const signedIn = options.session(c);
      if (signedIn) {
        refuseLowRole(signedIn, 'the console session of');
        c.set('principal', signedIn);
        await next();
        return;
      }
    }
    const bearer = header === undefined ? null : /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
    if (!bearer) {
      const detail = options.session
        ? 'this operation needs a bearer token (Authorization: Bearer <token>) or a console session (sign in at /console)'
        : 'this operation needs a bearer token (Authorization: Bearer <token>)';
      throw new ApiProblem(401, detail, { headers: { 'www-authenticate': 'Bearer realm="bptl"' } });
    }
    const found = match(bearer[1]!);
    if (!found) {
      throw new ApiProblem(401, 'the bearer token is not valid', {
        headers: { 'www-authenticate': 'Bearer realm="bptl", error="invalid_token"' },
      });
    }
    refuseLowRole(found, 'token');
    c.set('principal', found);
    await next();
  };
}
