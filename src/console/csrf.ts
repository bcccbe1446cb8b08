/**
 * CSRF for the console's forms: every form carries the session's token in `_csrf` (layout.ts and the pages put
 * it there), and a POST is refused unless it matches (constant time) and, when the browser says where the
 * request comes from (Origin), that names the host the request was sent to (Host; behind a proxy that keeps
 * Host, the public one). The SameSite=Strict cookie is the first line;
 * this is the second, for browsers and proxies that do not keep it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Session } from './session.ts';

export type CsrfVerdict = { ok: true } | { ok: false; reason: string };

export function checkCsrf(
  session: Session,
  form: { _csrf?: unknown },
  request: { origin: string | undefined; host: string | undefined },
): CsrfVerdict {
  if (request.origin !== undefined) {
    let from: string | undefined;
    try {
      from = new URL(request.origin).host;
    } catch {
      from = undefined; // "null" (an opaque origin) and garbage are not this console
    }
    if (from === undefined || from !== request.host) {
      return { ok: false, reason: `the form was sent from ${request.origin}, not from this console` };
    }
  }
  const given = typeof form._csrf === 'string' ? Buffer.from(form._csrf) : Buffer.alloc(0);
  const expected = Buffer.from(session.csrf);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      reason: 'the form is stale or was not sent by this console: reload the page and try again',
    };
  }
  return { ok: true };
}
