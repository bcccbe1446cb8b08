/**
 * The URLs the configuration holds, each rule defined once: an engine's REST URL, a service's base URL, the
 * environment's URLs (BPTL_API_URL, BPTL_TEMPORAL_UI_URL) are http(s) base URLs, and the codec's CORS origins are
 * http(s) origins. BPTL calls these URLs with secrets or links users to them, so a `file:`, `javascript:` or
 * `data:` URL is refused, and so are credentials in the URL (they would show in every read, log line and audit
 * entry: they belong in the `auth` object, whose secret is encrypted and redacted).
 */
import { z } from 'zod';

/** The longest configured URL (what browsers and most servers take). */
export const MAX_URL_LENGTH = 2_048;

/** The schemes a configured URL may have. */
const HTTP_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * Why `value` is not an http(s) base URL, or undefined when it is. A base URL has paths appended to it
 * (`<url>/external-task/fetchAndLock`), so a query or a fragment would end up in the middle of every request's
 * URL: both are refused.
 */
export function httpUrlProblem(value: string): string | undefined {
  if (value.length > MAX_URL_LENGTH) return `at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL (e.g. https://camunda.example.org/engine-rest)';
  }
  if (!HTTP_PROTOCOLS.has(url.protocol)) return `an http: or https: URL, not ${url.protocol}`;
  if (url.username !== '' || url.password !== '') {
    return 'no credentials in the URL: put them in the auth object';
  }
  if (url.hash !== '' || value.includes('#')) return 'no fragment (#…): a base URL has paths appended to it';
  if (url.search !== '' || value.includes('?')) return 'no query (?…): a base URL has paths appended to it';
  return undefined;
}

/** An http(s) base URL without credentials, query or fragment, at most MAX_URL_LENGTH characters. */
export const httpUrlSchema = z.string().superRefine((value, ctx) => {
  const problem = httpUrlProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A web origin (`https://temporal.example.org`, `http://127.0.0.1:8233`): an http(s) URL with nothing after the
 * host and port, as a browser sends it in its Origin header.
 */
export const originSchema = z.string().superRefine((value, ctx) => {
  const problem = httpUrlProblem(value);
  if (problem !== undefined) {
    ctx.addIssue({ code: 'custom', message: problem });
    return;
  }
  if (new URL(value).origin !== value) {
    ctx.addIssue({ code: 'custom', message: 'an origin: scheme, host and port only (https://host:port)' });
  }
});
