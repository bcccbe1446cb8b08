/**
 * `http-request`: one HTTP request, configured by variables. Method, URL (values URL-encoded), headers and
 * body are templates over the task's variables (`{{name}}`, `{{order.id}}`); the answer must have an expected
 * status (default any 2xx); output variables are picked from its JSON body by path (`httpOutput`:
 * `{ zaakUrl: "url", firstLine: "lines.0" }`), plus `httpStatus`.
 *
 * An unexpected 4xx (or other status) is a non-retryable failure naming the status; a 5xx, 408, 429, a
 * time-out or no answer is retried.
 *
 * Every request carries the task's idempotency key as `Idempotency-Key` (the same on every attempt of the task,
 * see docs/work-units.md, "Side effects and retries"), so that a server that honours the header does a repeated
 * request once. An `Idempotency-Key` in `httpHeaders` (any case) replaces it, because a header the process sets
 * explicitly should be sent as it was written (e.g. the API wants its own key, such as the order number); an
 * empty one sends no `Idempotency-Key` at all, for a server that refuses the header.
 */
import { z } from 'zod';
import { NonRetryableError, RetryableError, VariableError } from '../../../errors.ts';
import { HttpRequestError } from '../../../http/http-request-error.ts';
import { OutboundRefusedError } from '../../../http/outbound-policy.ts';
import { redactDetail, redactedQuery } from '../../../http/redact.ts';
import { defineWorkUnit } from '../../define-work-unit.ts';
import { renderJsonTemplate, renderTemplate, valueAt } from '../../template.ts';

const CONTROL = new Set([
  'httpMethod',
  'httpUrl',
  'httpHeaders',
  'httpBody',
  'httpExpectedStatus',
  'httpOutput',
  'httpTimeoutMs',
]);

const IDEMPOTENCY_KEY = 'Idempotency-Key';

export const httpRequest = defineWorkUnit({
  name: 'http-request',
  description:
    "Sends `httpMethod` (default GET) to `httpUrl` with `httpHeaders` and `httpBody` (templates over the variables: {{name}}, {{obj.path}}), expects `httpExpectedStatus` (default 2xx) and returns `httpStatus` and the variables of `httpOutput` ({variable: JSON path}). Sends the task's idempotency key as `Idempotency-Key` unless `httpHeaders` sets one (empty: none).",
  input: z.looseObject({
    httpMethod: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    httpUrl: z.string().min(1),
    httpHeaders: z.record(z.string(), z.string()).default({}),
    /** A string is sent as it is; anything else as JSON. */
    httpBody: z.unknown().optional(),
    httpExpectedStatus: z.union([z.number().int(), z.array(z.number().int())]).optional(),
    httpOutput: z.record(z.string(), z.string()).default({}),
    httpTimeoutMs: z.number().int().positive().max(600_000).default(30_000),
  }),
  output: z.record(z.string(), z.unknown()),
  run: async ({ input, idempotencyKey, signal, log, http, outboundErrorDetails }) => {
    const variables = Object.fromEntries(Object.entries(input).filter(([k]) => !CONTROL.has(k)));
    const url = renderTemplate(input.httpUrl, variables, { what: 'httpUrl', encode: encodeURIComponent });
    const headers = Object.fromEntries(
      Object.entries(input.httpHeaders).map(([k, v]) => [
        k,
        renderTemplate(v, variables, { what: `httpHeaders.${k}` }),
      ]),
    );
    const ownKey = Object.keys(headers).find((h) => h.toLowerCase() === IDEMPOTENCY_KEY.toLowerCase());
    if (ownKey === undefined) headers[IDEMPOTENCY_KEY] = idempotencyKey;
    else if (headers[ownKey] === '') delete headers[ownKey];
    let body: string | undefined;
    if (input.httpBody !== undefined && input.httpBody !== null) {
      const rendered = renderJsonTemplate(input.httpBody, variables, { what: 'httpBody' });
      if (typeof rendered === 'string') body = rendered;
      else {
        body = JSON.stringify(rendered);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
          headers['content-type'] = 'application/json';
        }
      }
    }
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(url);
    } catch {
      throw new VariableError('httpUrl', `'${url}' is not a URL`);
    }
    // Named without its query, which may hold secrets (shown redacted only where the topic opts in).
    const what = `${input.httpMethod} ${parsedUrl.origin}${parsedUrl.pathname}${outboundErrorDetails ? redactedQuery(parsedUrl) : ''}`;
    /** A part of the answer for a failure message: only where the topic opts in, and redacted. */
    const detail = (text: string) => (outboundErrorDetails ? `: ${redactDetail(text)}` : '');
    let response: { status: number; data: unknown; headers: Record<string, unknown> };
    try {
      response = await http.request({
        method: input.httpMethod,
        url,
        headers,
        ...(body !== undefined ? { data: body } : {}),
        timeout: input.httpTimeoutMs,
        signal,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
      });
    } catch (thrown) {
      if (thrown instanceof OutboundRefusedError || signal.aborted) throw thrown;
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      const timedOut = error instanceof HttpRequestError && /timeout of \d+ms exceeded/.test(error.message);
      const reason = timedOut
        ? `no answer within ${input.httpTimeoutMs} ms`
        : error instanceof HttpRequestError
          ? (error.code ?? 'no answer')
          : error.message;
      throw new RetryableError(`${what}: ${reason}`, { cause: error });
    }
    const text = typeof response.data === 'string' ? response.data : '';
    const expected = input.httpExpectedStatus;
    const ok =
      expected === undefined
        ? response.status >= 200 && response.status < 300
        : (Array.isArray(expected) ? expected : [expected]).includes(response.status);
    log.info('http request', {
      request: `${input.httpMethod} ${parsedUrl.origin}${parsedUrl.pathname}`,
      status: response.status,
    });
    if (!ok) {
      const message = `${what}: unexpected HTTP status ${response.status}${expected === undefined ? '' : ` (expected ${[expected].flat().join(', ')})`}${detail(text)}`;
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        const retryAfter = Number(response.headers['retry-after']);
        throw new RetryableError(
          message,
          Number.isFinite(retryAfter) && retryAfter > 0 ? { retryDelayMs: retryAfter * 1000 } : {},
        );
      }
      throw new NonRetryableError(message);
    }
    const output: Record<string, unknown> = { httpStatus: response.status };
    const picks = Object.entries(input.httpOutput);
    if (picks.length > 0) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new NonRetryableError(
          `${what}: httpOutput picks from the answer, but it is not JSON${detail(text)}`,
        );
      }
      for (const [name, path] of picks) {
        const value = valueAt(json, path);
        if (value === undefined) {
          throw new NonRetryableError(`${what}: httpOutput.${name}: the answer has nothing at '${path}'`);
        }
        output[name] = value;
      }
    }
    return output;
  },
});
