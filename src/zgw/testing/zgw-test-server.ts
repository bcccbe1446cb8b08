/**
 * A loopback ZGW server for tests: Zaken 1.5.1, Catalogi 1.3.1, Documenten 1.4.3, Objects 2.7.0 and
 * Objecttypes 2.2.2 under one `http://127.0.0.1:<port>`, in memory and stateful. Every request and every answer
 * is validated against the official OpenAPI files (read at test time, see oas-dir.ts): a bad request is a 400
 * problem naming the field, recorded in `violations` (the client broke the spec); an answer of the fake that breaks the spec is recorded in `violations` and sent as
 * a 500. The ZGW JWT is checked on every request. `failNext`, `dropAnswerNext` and `holdAnswerNext` inject faults;
 * `deviations` reproduce what Open Zaak 1.30 does differently.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catalogiHandlers } from './handlers/catalogi-handlers.ts';
import { documentenHandlers } from './handlers/documenten-handlers.ts';
import { objectsHandlers, objecttypesHandlers } from './handlers/objects-handlers.ts';
import { zakenHandlers } from './handlers/zaken-handlers.ts';
import type { ZgwTestApi } from './oas-dir.ts';
import { loadZgwOas, type OasOperation, type ZgwOas } from './oas-operations.ts';
import { applyDeviations } from './zgw-apply-deviations.ts';
import { NO_DEVIATIONS, type ZgwDeviations } from './zgw-deviations.ts';
import type { ZgwAnswer, ZgwBaseUrls, ZgwHandlers, ZgwServerState } from './zgw-handler.ts';
import { verifyZgwAuthorization } from './zgw-jwt.ts';
import { invalidMany, problemBody, ZgwProblem } from './zgw-problem.ts';
import { seedZgwStore, type ZgwSeed } from './zgw-seed.ts';
import { ZgwStore } from './zgw-store.ts';

/** Where each API lives below the server's URL. */
export const ZGW_TEST_PATHS: Record<ZgwTestApi, string> = {
  zaken: '/zaken/api/v1',
  catalogi: '/catalogi/api/v1',
  documenten: '/documenten/api/v1',
  objects: '/objects/api/v2',
  objecttypes: '/objecttypes/api/v2',
};

const HANDLERS: Record<ZgwTestApi, ZgwHandlers> = {
  zaken: zakenHandlers,
  catalogi: catalogiHandlers,
  documenten: documentenHandlers,
  objects: objectsHandlers,
  objecttypes: objecttypesHandlers,
};

const API_VERSIONS: Record<ZgwTestApi, string> = {
  zaken: '1.5.1',
  catalogi: '1.3.1',
  documenten: '1.4.3',
  objects: '2.7.0',
  objecttypes: '2.2.2',
};

export interface ZgwTestServerOptions {
  /** Known clients: client_id → secret. @default { 'bptl-test': 'bptl-test-secret' } */
  clients?: Record<string, string>;
  /** Fill the store with the seed (zgw-seed.ts). @default true */
  seed?: boolean;
  deviations?: Partial<ZgwDeviations>;
  /** The folder of the OpenAPI files. @default zgwOasDir() */
  oasDir?: string;
}

/** One request the server received, with the status it answered (0: not answered, dropped or held). */
export interface ZgwRequestRecord {
  method: string;
  /** The path below the server's URL, e.g. `/zaken/api/v1/zaken`. */
  path: string;
  query: Record<string, string>;
  status: number;
  clientId?: string;
  /** The claims of the request's JWT, when it was valid. */
  claims?: Record<string, unknown>;
  /** The request's headers, names in lower case (the `Authorization` header too: the token is the test's). */
  headers: Record<string, string>;
  body?: unknown;
}

/** An answer or request that breaks the spec. */
export interface ZgwViolation {
  direction: 'request' | 'response';
  method: string;
  path: string;
  errors: string[];
}

export interface ZgwFault {
  method: string;
  /** A path prefix (below the server's URL) or a RegExp tested on the path. */
  path: string | RegExp;
  /** How many matching requests. @default 1 */
  times?: number;
}

export interface ZgwTestServer {
  url: string;
  baseUrls: ZgwBaseUrls;
  /** The seeded resources (empty URLs when started with `seed: false`). */
  seed: ZgwSeed;
  requests: ZgwRequestRecord[];
  violations: ZgwViolation[];
  store: ZgwStore;
  /** Throws listing the violations, if any. */
  assertNoViolations(): void;
  /** Answer matching requests with `status` (and `body`, else a problem; `headers`, e.g. Retry-After). */
  failNext(fault: ZgwFault & { status: number; body?: unknown; headers?: Record<string, string> }): void;
  /** Carry out matching requests, then destroy the socket without answering. */
  dropAnswerNext(fault: ZgwFault): void;
  /**
   * Carry out the next matching request, then never answer it: the connection stays open until the client goes
   * away (or the server closes), as when the client dies waiting for an answer the server has given. Resolves
   * with the request's record once it has been carried out (the server's state changed).
   */
  holdAnswerNext(fault: Omit<ZgwFault, 'times'>): Promise<ZgwRequestRecord>;
  setDeviations(deviations: Partial<ZgwDeviations>): void;
  close(): Promise<void>;
}

interface ArmedFault extends ZgwFault {
  remaining: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A hold's: called with the held request's record. */
  held?: (record: ZgwRequestRecord) => void;
}

function matches(fault: ArmedFault, method: string, path: string): boolean {
  if (fault.remaining <= 0 || fault.method.toUpperCase() !== method) return false;
  return typeof fault.path === 'string' ? path.startsWith(fault.path) : fault.path.test(path);
}

function take(faults: ArmedFault[], method: string, path: string): ArmedFault | undefined {
  const fault = faults.find((candidate) => matches(candidate, method, path));
  if (fault) fault.remaining -= 1;
  return fault;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the server on a free loopback port. */
export async function startZgwTestServer(options: ZgwTestServerOptions = {}): Promise<ZgwTestServer> {
  const oas = loadZgwOas(options.oasDir);
  const clients = options.clients ?? { 'bptl-test': 'bptl-test-secret' };
  const requests: ZgwRequestRecord[] = [];
  const violations: ZgwViolation[] = [];
  const failures: ArmedFault[] = [];
  const drops: ArmedFault[] = [];
  const holds: ArmedFault[] = [];
  const state: ZgwServerState = {
    store: new ZgwStore(),
    baseUrls: {} as ZgwBaseUrls,
    deviations: { ...NO_DEVIATIONS, ...options.deviations },
    zaakNumber: 0,
    locks: new Map(),
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(error));
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const raw = await readBody(req);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(', ') : String(value),
      ]),
    );
    const record: ZgwRequestRecord = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      headers,
    };
    requests.push(record);
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      record.body = body;
    }
    const api = (Object.keys(ZGW_TEST_PATHS) as ZgwTestApi[]).find(
      (name) => path === ZGW_TEST_PATHS[name] || path.startsWith(`${ZGW_TEST_PATHS[name]}/`),
    );
    const auth = verifyZgwAuthorization(req.headers.authorization, clients, {
      allowToken: api === 'objects' || api === 'objecttypes',
    });
    if (auth.clientId) record.clientId = auth.clientId;
    if (auth.ok && auth.claims) record.claims = auth.claims;

    const send = (answer: ZgwAnswer, operation?: OasOperation) => {
      record.status = answer.status;
      const headers: Record<string, string> = {
        'API-version': api ? API_VERSIONS[api] : '1',
        ...answer.headers,
      };
      if (operation?.responses.get(String(answer.status))?.headers.includes('Content-Crs'))
        headers['Content-Crs'] = 'EPSG:4326';
      if (answer.body === undefined) {
        res.writeHead(answer.status, headers);
        res.end();
        return;
      }
      const isProblem = answer.status >= 400 && !headers['Content-Type'];
      headers['Content-Type'] ??=
        isProblem && !state.deviations.problemAsJson ? 'application/problem+json' : 'application/json';
      res.writeHead(answer.status, headers);
      res.end(JSON.stringify(answer.body));
    };
    const problemAnswer = (problem: ZgwProblem): ZgwAnswer => ({
      status: problem.status,
      body: problemBody(problem, api ? state.baseUrls[api] : base),
      headers: problem.headers,
    });

    const failure = take(failures, method, path);
    if (failure) {
      const status = failure.status ?? 500;
      send({
        status,
        body: failure.body ?? problemBody(new ZgwProblem(status, 'injected', `failNext: ${status}`), base),
        ...(failure.headers ? { headers: failure.headers } : {}),
      });
      return;
    }
    if (!api) {
      send(problemAnswer(new ZgwProblem(404, 'not_found', `Geen API op ${path}.`)));
      return;
    }
    if (!auth.ok) {
      send(problemAnswer(new ZgwProblem(auth.status, auth.code, auth.detail)));
      return;
    }
    const subPath = path.slice(ZGW_TEST_PATHS[api].length) || '/';
    const found = oas.match(api, method, subPath);
    if (found === 'no-path') {
      send(problemAnswer(new ZgwProblem(404, 'not_found', `Geen resource op ${path}.`)));
      return;
    }
    if (found === 'no-method') {
      send(problemAnswer(new ZgwProblem(405, 'method_not_allowed', `Methode ${method} niet toegestaan.`)));
      return;
    }
    const { operation, params } = found;
    let answer: ZgwAnswer;
    try {
      try {
        checkHeaders(operation, req, method);
        const queryErrors = oas.validateQuery(operation, url.searchParams);
        if (queryErrors.length > 0) throw invalidMany(queryErrors);
        if (operation.requestSchema !== undefined) {
          if (raw === '' && operation.requestRequired)
            throw invalidMany([
              { name: 'nonFieldErrors', code: 'required', reason: 'Er is geen body meegestuurd.' },
            ]);
          if (typeof body === 'string')
            throw new ZgwProblem(400, 'parse_error', 'De body is geen JSON.', { invalidParams: [] });
          if (body !== undefined) {
            const errors = oas.validateRequestBody(operation, body);
            if (errors.length > 0) throw invalidMany(errors);
          }
        }
      } catch (error) {
        // A request the spec forbids is the client's fault: answered as Open Zaak would, and recorded, so that
        // assertNoViolations catches a unit that sends one (a handler's own rules are not violations).
        if (error instanceof ZgwProblem) {
          const fields = (error.invalidParams ?? []).map((p) => `${p.name}: ${p.reason}`);
          violations.push({
            direction: 'request',
            method,
            path,
            errors: fields.length > 0 ? fields : [`${error.status} ${error.code}: ${error.detail}`],
          });
        }
        throw error;
      }
      const handler = HANDLERS[api][operation.operationId];
      if (!handler) {
        violations.push({
          direction: 'request',
          method,
          path,
          errors: [`${operation.operationId} is not implemented by the loopback server`],
        });
        throw new ZgwProblem(
          501,
          'not_implemented',
          `${operation.operationId} is niet geïmplementeerd in de testserver.`,
        );
      }
      answer = await handler({
        state,
        api,
        operation,
        params,
        query: url.searchParams,
        body,
        url,
        clientId: auth.clientId,
      });
    } catch (error) {
      if (!(error instanceof ZgwProblem)) throw error;
      answer = problemAnswer(error);
    }
    answer = { ...answer, body: answer.body === undefined ? undefined : structuredClone(answer.body) };
    const errors = answer.body === undefined ? [] : validateAnswer(oas, operation, answer);
    if (errors.length > 0) {
      violations.push({ direction: 'response', method, path, errors });
      answer = problemAnswer(
        new ZgwProblem(
          500,
          'spec_violation',
          `Het antwoord van de testserver voldoet niet aan de spec: ${errors.join('; ')}`,
        ),
      );
    } else {
      applyDeviations(answer, operation, state.deviations, oas);
    }
    if (take(drops, method, path)) {
      record.status = 0;
      req.socket.destroy();
      return;
    }
    const hold = take(holds, method, path);
    if (hold) {
      // Carried out, and the answer never sent: the response stays open (closeAllConnections ends it at close).
      record.status = 0;
      hold.held?.(record);
      return;
    }
    send(answer, operation);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const api of Object.keys(ZGW_TEST_PATHS) as ZgwTestApi[])
    state.baseUrls[api] = `${base}${ZGW_TEST_PATHS[api]}`;
  const seed = options.seed === false ? emptySeed() : seedZgwStore(state.store, state.baseUrls);

  return {
    url: base,
    baseUrls: state.baseUrls,
    seed,
    requests,
    violations,
    store: state.store,
    assertNoViolations() {
      if (violations.length === 0) return;
      const lines = violations.map((v) => `${v.direction} ${v.method} ${v.path}: ${v.errors.join('; ')}`);
      throw new Error(
        `the loopback ZGW server saw ${violations.length} spec violation(s):\n${lines.join('\n')}`,
      );
    },
    failNext(fault) {
      failures.push({ ...fault, remaining: fault.times ?? 1 });
    },
    dropAnswerNext(fault) {
      drops.push({ ...fault, remaining: fault.times ?? 1 });
    },
    holdAnswerNext(fault) {
      const { promise, resolve } = Promise.withResolvers<ZgwRequestRecord>();
      holds.push({ method: fault.method, path: fault.path, remaining: 1, held: resolve });
      return promise;
    },
    setDeviations(deviations) {
      Object.assign(state.deviations, deviations);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The CRS and content-type headers the operation requires, as Open Zaak checks them. */
function checkHeaders(operation: OasOperation, req: IncomingMessage, method: string): void {
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'header') continue;
    const name = parameter.name.toLowerCase();
    const value = req.headers[name];
    const allowed = (parameter.schema?.enum as string[] | undefined) ?? undefined;
    if (name === 'accept-crs' || name === 'content-crs') {
      if (value === undefined) {
        if (parameter.required)
          throw new ZgwProblem(412, 'precondition_failed', `'${parameter.name}' header ontbreekt`);
        continue;
      }
      if (allowed && !allowed.includes(String(value)))
        throw new ZgwProblem(406, 'not_acceptable', `CRS '${String(value)}' is niet ondersteund`);
    } else if (name === 'content-type' && ['POST', 'PUT', 'PATCH'].includes(method)) {
      const type = String(value ?? '')
        .split(';')[0]
        ?.trim();
      if (parameter.required && allowed && !allowed.includes(type ?? '')) {
        throw new ZgwProblem(
          415,
          'unsupported_media_type',
          `Ongeldige media type "${type ?? ''}" in verzoek.`,
        );
      }
    }
  }
}

function validateAnswer(oas: ZgwOas, operation: OasOperation, answer: ZgwAnswer): string[] {
  const errors = oas.validateResponseBody(operation, answer.status, answer.body);
  if (errors === undefined) {
    // The Objects files list no error answers; ZGW files list them all.
    return answer.status < 400
      ? [`status ${answer.status} is not an answer of ${operation.operationId}`]
      : [];
  }
  return errors.map((error) => `${error.name}: ${error.reason}`);
}

function emptySeed(): ZgwSeed {
  return {
    rsin: '002220647',
    domein: 'BPTL',
    catalogus: '',
    zaaktype: '',
    zaaktypeIdentificatie: 'ZT-BPTL-AANVRAAG',
    unpublishedZaaktype: '',
    statustypen: ['', '', ''],
    resultaattypen: { toegekend: '', geweigerd: '' },
    roltypen: { initiator: '', behandelaar: '' },
    eigenschap: '',
    informatieobjecttype: '',
    zaakobjecttype: '',
    documents: ['', ''],
    objecttypes: { zaaktypeProcess: '', checklist: '' },
    zaaktypeProcessObject: '',
    processDefinitionKey: 'bptl-zaak-aanvraag',
  };
}
