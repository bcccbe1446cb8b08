/**
 * The errors of the ZGW client (zgw-client.ts), one per kind of failure, so that their type decides what happens
 * next (src/errors.ts) and their message tells an operator what went wrong: method, URL (never its query
 * string), status, the problem's code and title.
 *
 * | answer                                   | error                 | retried |
 * |------------------------------------------|-----------------------|---------|
 * | 400                                      | ZgwValidationError    | no      |
 * | 401, 403                                 | ZgwAuthError          | no      |
 * | 404                                      | ZgwNotFoundError      | no      |
 * | 408, 429, 5xx, no answer, time-out       | ZgwUnavailableError   | yes     |
 * | other 4xx (409, 412, 415, …)             | ZgwRequestError       | no      |
 * | an answer the schema does not read       | ZgwResponseError      | no      |
 *
 * Each keeps the service client's HttpRequestError as its `cause` (it holds no header, no credentials). Each
 * `name` is stable: it is the Temporal failure type.
 */
import { NonRetryableError, RetryableError } from '../errors.ts';
import type { HttpRequestError } from '../http/http-request-error.ts';

/** One field a ZGW API rejected (`invalidParams` of a ValidatieFout). */
export interface ZgwInvalidParam {
  name: string;
  code: string;
  reason: string;
}

/** A ZGW problem answer (Fout / ValidatieFout), as far as it could be read. */
export interface ZgwProblem {
  type?: string;
  code?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  invalidParams: ZgwInvalidParam[];
}

/** What every ZGW error knows of the request. */
export interface ZgwRequestDetails {
  /** The HTTP method, upper case. */
  method: string;
  /** Origin and path of the request, without query string. */
  url: string;
  /** The answer's status; undefined when there was none. */
  status?: number | undefined;
  /** The problem the server answered with, when it sent one. */
  problem?: ZgwProblem | undefined;
  /** The service client's error. */
  cause?: HttpRequestError | unknown;
}

/** `GET https://…/zaken/api/v1/zaken/1: HTTP 404` */
function what(details: ZgwRequestDetails): string {
  return `${details.method} ${details.url}${details.status === undefined ? '' : `: HTTP ${details.status}`}`;
}

/** `(not_found) Niet gevonden: Geen Zaak gevonden.`: the problem's code, title and detail, when it has them. */
export function describeProblem(problem: ZgwProblem | undefined): string {
  if (!problem) return '';
  const parts: string[] = [];
  if (problem.code) parts.push(`(${problem.code})`);
  if (problem.title) parts.push(problem.title);
  const head = parts.join(' ');
  const detail = problem.detail && problem.detail !== problem.title ? problem.detail : '';
  return [head, detail].filter((p) => p !== '').join(': ');
}

function withProblem(details: ZgwRequestDetails): string {
  const problem = describeProblem(details.problem);
  return problem ? `${what(details)} ${problem}` : what(details);
}

/** 400: the server rejected the request's fields; the message names each (`name: reason`). Never retried. */
export class ZgwValidationError extends NonRetryableError {
  override readonly name = 'ZgwValidationError';
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly problem: ZgwProblem | undefined;
  /** The fields the server rejected, with its reasons. */
  readonly invalidParams: ZgwInvalidParam[];

  constructor(details: ZgwRequestDetails) {
    const invalidParams = details.problem?.invalidParams ?? [];
    const fields = invalidParams.map((p) => `${p.name || '(request)'}: ${p.reason || p.code}`).join('; ');
    super(`${withProblem(details)}${fields ? ` — ${fields}` : ''}`, { cause: details.cause });
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.problem = details.problem;
    this.invalidParams = invalidParams;
  }
}

/** The service a request went to, and whose credentials it carried. */
export interface ZgwServiceIdentity {
  /** The configured service's name (`open-zaak-zaken`), or the alias when the name is not known. */
  name: string;
  baseUrl: string;
  /** The ZGW client id the JWT was made for (never the secret); undefined for another kind of auth. */
  clientId?: string | undefined;
  /** The kind of auth: `zgw`, `bearer`, `api-key`, `basic`, `none`. */
  authType?: string | undefined;
}

/** 401 or 403: the service did not accept the credentials. Names the service and the client id. Never retried. */
export class ZgwAuthError extends NonRetryableError {
  override readonly name = 'ZgwAuthError';
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly problem: ZgwProblem | undefined;
  readonly service: ZgwServiceIdentity | undefined;

  constructor(details: ZgwRequestDetails & { service?: ZgwServiceIdentity | undefined }) {
    const service = details.service;
    const who = service
      ? ` — service '${service.name}' (${service.baseUrl})${
          service.clientId !== undefined
            ? ` with client id '${service.clientId}'`
            : service.authType
              ? ` with ${service.authType} auth`
              : ''
        }`
      : '';
    const hint =
      details.status === 401
        ? ': check the client id and secret of the service'
        : ': check the client\u2019s authorisations (scopes, zaaktypen, vertrouwelijkheidaanduiding)';
    super(`${withProblem(details)}${who}${hint}`, { cause: details.cause });
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.problem = details.problem;
    this.service = service;
  }
}

/** 404: the resource is not there. Names the URL. Never retried (`getOrNull` reads it as null). */
export class ZgwNotFoundError extends NonRetryableError {
  override readonly name = 'ZgwNotFoundError';
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly problem: ZgwProblem | undefined;

  constructor(details: ZgwRequestDetails) {
    super(
      `${what(details)} not found${describeProblem(details.problem) ? ` ${describeProblem(details.problem)}` : ''}`,
      {
        cause: details.cause,
      },
    );
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.problem = details.problem;
  }
}

/**
 * 5xx, 429, 408, no answer or a time-out: the service may answer later. Retried under the topic's retry policy,
 * not before `retryDelayMs` when the server said so (`Retry-After`).
 */
export class ZgwUnavailableError extends RetryableError {
  override readonly name = 'ZgwUnavailableError';
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  /** The error code when there was no answer (ECONNREFUSED, ECONNABORTED, ETIMEDOUT, …). */
  readonly code: string | undefined;
  readonly problem: ZgwProblem | undefined;

  constructor(details: ZgwRequestDetails & { code?: string | undefined; retryDelayMs?: number | undefined }) {
    const reason =
      details.status === undefined ? `: no answer${details.code ? ` (${details.code})` : ''}` : '';
    const problem = describeProblem(details.problem);
    const wait =
      details.retryDelayMs !== undefined ? ` (Retry-After: ${Math.ceil(details.retryDelayMs / 1000)} s)` : '';
    super(`${what(details)}${reason}${problem ? ` ${problem}` : ''}${wait}`, {
      cause: details.cause,
      ...(details.retryDelayMs !== undefined ? { retryDelayMs: details.retryDelayMs } : {}),
    });
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.code = details.code;
    this.problem = details.problem;
  }
}

/** Any other 4xx (405, 409, 412, 415, …): the request cannot succeed as it is. Never retried. */
export class ZgwRequestError extends NonRetryableError {
  override readonly name = 'ZgwRequestError';
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly problem: ZgwProblem | undefined;

  constructor(details: ZgwRequestDetails) {
    super(withProblem(details), { cause: details.cause });
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.problem = details.problem;
  }
}

/**
 * The answer could not be read: it does not fit the resource's schema (the message names the paths of the
 * fields that do not fit), or a list did not end. Never retried: the same answer would come again.
 */
export class ZgwResponseError extends NonRetryableError {
  override readonly name = 'ZgwResponseError';
  readonly method: string;
  readonly url: string;
  /** The paths of the fields that do not fit (`results[2].url`), with zod's message. */
  readonly issues: readonly string[];

  constructor(method: string, url: string, problem: string, issues: readonly string[] = []) {
    super(`${method} ${url}: ${problem}${issues.length > 0 ? `: ${issues.join('; ')}` : ''}`);
    this.method = method;
    this.url = url;
    this.issues = issues;
  }
}
