/**
 * What a failure message may show of an answer or a query string when a topic opts in (`outbound.errorDetails`):
 * cut short, with the values of keys that look secret replaced by `***` — in JSON (`"token": "…"`), in query
 * strings and forms (`token=…`) and in headers written into a body (`Authorization: Bearer …`).
 */

/** Keys whose values are never shown. */
const SECRET_KEY =
  /(pass(word)?|secret|token|auth|api[-_]?key|key|session|signature|cookie|credential|jwt|bsn)/i;

/** How much of an answer a failure message shows. */
export const MAX_DETAIL_CHARS = 300;

/** `text` with secret-looking values replaced by `***`, cut to `max` characters. */
export function redactDetail(text: string, max = MAX_DETAIL_CHARS): string {
  let out = text
    // "key": "value" or "key": 123 in JSON
    .replace(/"([^"\\]{1,100})"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false)/g, (all, key: string) =>
      SECRET_KEY.test(key) ? `"${key}":"***"` : all,
    )
    // key=value in a query string or form
    .replace(/([?&;\s]|^)([^=&?;\s]{1,100})=([^&;\s]*)/g, (all, lead: string, key: string) =>
      SECRET_KEY.test(key) ? `${lead}${key}=***` : all,
    )
    // Authorization: Bearer … written out
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ***');
  if (out.length > max) out = `${out.slice(0, max)}… (${text.length} characters in all)`;
  return out;
}

/** A URL's query string, redacted ("?a=1&token=***"), or '' when it has none. */
export function redactedQuery(url: URL): string {
  return url.search === '' ? '' : redactDetail(url.search, 500);
}
