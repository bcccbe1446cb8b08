/**
 * CORS for the codec endpoints (/codec/*), so that the Temporal UI in a browser may call them: a preflight
 * (OPTIONS) is answered here, before auth, and every answer to an allowed origin carries
 * Access-Control-Allow-Origin (that origin, never `*`) with credentials allowed. Other origins get no CORS
 * headers, so their browsers refuse to read the answer.
 */
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from './auth.ts';

export const CODEC_CORS_ALLOWED_HEADERS = 'content-type, authorization, x-namespace';

export function codecCors(origins: readonly string[]): MiddlewareHandler<ApiEnv> {
  const allowed = new Set(origins);
  return async function cors(c, next) {
    const origin = c.req.header('origin');
    const ok = origin !== undefined && allowed.has(origin);
    if (c.req.method === 'OPTIONS') {
      const headers: Record<string, string> = { vary: 'Origin' };
      if (ok) {
        Object.assign(headers, {
          'access-control-allow-origin': origin,
          'access-control-allow-credentials': 'true',
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': CODEC_CORS_ALLOWED_HEADERS,
          'access-control-max-age': '600',
        });
      }
      return c.body(null, 204, headers);
    }
    await next();
    c.res.headers.append('vary', 'Origin');
    if (ok) {
      c.res.headers.set('access-control-allow-origin', origin);
      c.res.headers.set('access-control-allow-credentials', 'true');
    }
  };
}
