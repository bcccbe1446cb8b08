/**
 * The problem answers of the loopback ZGW server, in the ZGW shape (`type, code, title, status, detail,
 * instance`, plus `invalidParams` for a 400), thrown by its handlers as `ZgwProblem`.
 */
import { randomUUID } from 'node:crypto';
import type { OasError } from './oas-operations.ts';

const TITLES: Record<number, [string, string]> = {
  400: ['ValidationError', 'Invalid input.'],
  401: ['NotAuthenticated', 'Authenticatiegegevens zijn niet opgegeven.'],
  403: ['PermissionDenied', 'Je hebt geen toestemming om deze actie uit te voeren.'],
  404: ['NotFound', 'Niet gevonden.'],
  405: ['MethodNotAllowed', 'Methode niet toegestaan.'],
  406: ['NotAcceptable', 'Kan niet voldoen aan de opgegeven Accept header.'],
  409: ['Conflict', 'Conflict.'],
  412: ['PreconditionFailed', 'Precondition failed'],
  415: ['UnsupportedMediaType', 'Ongeldige media type in verzoek.'],
  429: ['Throttled', 'Verzoek is afgeknepen.'],
  500: ['APIException', 'Er is een serverfout opgetreden.'],
  501: ['NotImplemented', 'Niet geïmplementeerd.'],
  503: ['ServiceUnavailable', 'Service tijdelijk niet beschikbaar.'],
};

/** Thrown by a handler of the loopback server: answered as a problem. */
export class ZgwProblem extends Error {
  override readonly name = 'ZgwProblem';
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly invalidParams: OasError[] | undefined;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    detail: string,
    options: { invalidParams?: OasError[]; headers?: Record<string, string> } = {},
  ) {
    super(`${status} ${code}: ${detail}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.invalidParams = options.invalidParams;
    this.headers = options.headers ?? {};
  }
}

/** A 400 naming the fields: `invalid('zaaktype', 'Het zaaktype is nog een concept.')`. */
export function invalid(name: string, reason: string, code = 'invalid'): ZgwProblem {
  return invalidMany([{ name, code, reason }]);
}

/** A 400 naming several fields. */
export function invalidMany(invalidParams: OasError[]): ZgwProblem {
  const names = invalidParams.map((param) => param.name).join(', ');
  return new ZgwProblem(400, 'invalid', `Ongeldige invoer: ${names}.`, { invalidParams });
}

/** A 404 for a resource. */
export function notFound(detail = 'Niet gevonden.'): ZgwProblem {
  return new ZgwProblem(404, 'not_found', detail);
}

/** The body of a problem answer. */
export function problemBody(problem: ZgwProblem, baseUrl: string): Record<string, unknown> {
  const [type, title] = TITLES[problem.status] ?? ['APIException', 'Fout.'];
  return {
    type: `${baseUrl}/ref/fouten/${type}/`,
    code: problem.code,
    title,
    status: problem.status,
    detail: problem.detail,
    instance: `urn:uuid:${randomUUID()}`,
    ...(problem.status === 400 ? { invalidParams: problem.invalidParams ?? [] } : {}),
  };
}
