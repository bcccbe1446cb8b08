/**
 * The operations of the official OpenAPI files, indexed for the loopback ZGW server: which operation a method and
 * path are, and validators (Ajv 8) for its query parameters, headers, request body and response bodies. The
 * files are parsed and the validators compiled once per process (lazily, per operation), whatever the number of
 * servers started.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { parse } from 'yaml';
import { ZGW_OAS_FILES, type ZgwTestApi, zgwOasDir } from './oas-dir.ts';
import { formatsIn, normalizeSchema, type SchemaMode, schemaId } from './oas-schema.ts';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext typing.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ??
  addFormatsImport) as unknown as (ajv: Ajv) => Ajv;

/** One parameter of an operation. */
export interface OasParameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required: boolean;
  schema: Record<string, unknown> | undefined;
  /** Array parameters of style form with explode false are comma separated. */
  commaSeparated: boolean;
}

/** One operation (method + path template) of one API. */
export interface OasOperation {
  api: ZgwTestApi;
  method: string;
  /** The path template below the API's base URL, e.g. `/zaken/{uuid}`. */
  path: string;
  operationId: string;
  parameters: OasParameter[];
  pathParams: string[];
  regex: RegExp;
  /** The JSON request body's schema, if it has one. */
  requestSchema: unknown;
  requestRequired: boolean;
  /** The response of each status code (`default` too): its JSON schema and header names. */
  responses: Map<string, { schema: unknown; contentType: string | undefined; headers: string[] }>;
}

/** One validation error, as a ZGW `invalidParams` item. */
export interface OasError {
  name: string;
  code: string;
  reason: string;
}

/** The loaded files: operations per API and the Ajv instance that holds their schemas. */
export class ZgwOas {
  readonly dir: string;
  readonly docs: Record<ZgwTestApi, Record<string, unknown>>;
  readonly operations: Record<ZgwTestApi, OasOperation[]>;
  readonly #ajv: Ajv;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(dir: string) {
    this.dir = dir;
    this.#ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: true });
    addFormats(this.#ajv);
    const known = new Set(Object.keys((this.#ajv as unknown as { formats: object }).formats));
    const docs = {} as Record<ZgwTestApi, Record<string, unknown>>;
    const operations = {} as Record<ZgwTestApi, OasOperation[]>;
    for (const [api, file] of Object.entries(ZGW_OAS_FILES) as [ZgwTestApi, string][]) {
      const doc = parse(readFileSync(resolve(dir, file), 'utf8')) as Record<string, unknown>;
      docs[api] = doc;
      for (const format of formatsIn(doc)) {
        if (!known.has(format)) {
          this.#ajv.addFormat(format, true);
          known.add(format);
        }
      }
      for (const mode of ['request', 'response'] as SchemaMode[]) {
        const id = schemaId(api, mode);
        this.#ajv.addSchema({ $id: id, components: normalizeSchema(doc.components ?? {}, id, mode) });
      }
      operations[api] = indexOperations(api, doc);
    }
    this.docs = docs;
    this.operations = operations;
  }

  /** The operation of a method and a path below an API's base URL, or why there is none. */
  match(
    api: ZgwTestApi,
    method: string,
    path: string,
  ): { operation: OasOperation; params: Record<string, string> } | 'no-path' | 'no-method' {
    let pathFound = false;
    for (const operation of this.operations[api]) {
      const found = operation.regex.exec(path);
      if (!found) continue;
      pathFound = true;
      if (operation.method !== method) continue;
      const params: Record<string, string> = {};
      operation.pathParams.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1] ?? '');
      });
      return { operation, params };
    }
    return pathFound ? 'no-method' : 'no-path';
  }

  /** The errors of a request body (empty when valid). */
  validateRequestBody(operation: OasOperation, body: unknown): OasError[] {
    if (operation.requestSchema === undefined) return [];
    const key = `${operation.api} ${operation.method} ${operation.path} request`;
    return this.#run(
      key,
      () => normalizeSchema(operation.requestSchema, schemaId(operation.api, 'request'), 'request'),
      body,
    );
  }

  /**
   * The errors of a response body against the schema of its status (or `default`); `undefined` when the
   * operation does not list the status at all.
   */
  validateResponseBody(operation: OasOperation, status: number, body: unknown): OasError[] | undefined {
    const response = operation.responses.get(String(status)) ?? operation.responses.get('default');
    if (!response) return undefined;
    if (response.schema === undefined) return [];
    const key = `${operation.api} ${operation.method} ${operation.path} ${status}`;
    return this.#run(
      key,
      () => normalizeSchema(response.schema, schemaId(operation.api, 'response'), 'response'),
      body,
    );
  }

  /** The errors of the query parameters the operation declares (values coerced by their schema's type). */
  validateQuery(operation: OasOperation, query: URLSearchParams): OasError[] {
    const errors: OasError[] = [];
    for (const parameter of operation.parameters) {
      if (parameter.in !== 'query') continue;
      const raw = query.getAll(parameter.name);
      if (raw.length === 0) {
        if (parameter.required)
          errors.push({ name: parameter.name, code: 'required', reason: 'Dit veld is vereist.' });
        continue;
      }
      if (!parameter.schema) continue;
      const value = coerce(parameter, raw);
      const key = `${operation.api} ${operation.method} ${operation.path} ?${parameter.name}`;
      const found = this.#run(
        key,
        () => normalizeSchema(parameter.schema, schemaId(operation.api, 'request'), 'request'),
        value,
      );
      for (const error of found) errors.push({ ...error, name: parameter.name });
    }
    return errors;
  }

  #run(key: string, schema: () => unknown, value: unknown): OasError[] {
    let validate = this.#validators.get(key);
    if (!validate) {
      validate = this.#ajv.compile(schema() as object);
      this.#validators.set(key, validate);
    }
    return validate(value) ? [] : toOasErrors(validate.errors ?? []);
  }
}

function coerce(parameter: OasParameter, raw: string[]): unknown {
  const schema = parameter.schema ?? {};
  const type = schema.type;
  const one = (value: string): unknown => {
    if (type === 'integer' || type === 'number')
      return value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
    if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
    return value;
  };
  if (type === 'array') {
    const values = parameter.commaSeparated ? raw.flatMap((value) => value.split(',')) : raw;
    const items = (schema.items ?? {}) as Record<string, unknown>;
    return values.map((value) =>
      items.type === 'integer' || items.type === 'number' ? Number(value) : value,
    );
  }
  return one(raw[raw.length - 1] ?? '');
}

/** Ajv's errors as ZGW invalidParams: the field's dotted name, a code and the reason. */
export function toOasErrors(errors: ErrorObject[]): OasError[] {
  const out: OasError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // The wrappers of nullable and oneOf schemas only repeat what their branches said.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    if (error.keyword === 'type' && (error.params as { type?: unknown }).type === 'null') continue;
    const segments = error.instancePath.split('/').filter((segment) => segment !== '');
    if (error.keyword === 'required')
      segments.push(String((error.params as { missingProperty: string }).missingProperty));
    const name =
      segments.map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~')).join('.') ||
      'nonFieldErrors';
    const code = codeOf(error);
    const reason = `${error.message ?? 'ongeldig'}${error.keyword === 'enum' ? `: ${JSON.stringify((error.params as { allowedValues: unknown }).allowedValues)}` : ''}`;
    const key = `${name} ${code} ${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name, code, reason });
  }
  if (out.length === 0 && errors.length > 0) {
    const first = errors[0]!;
    out.push({
      name: first.instancePath.split('/').filter(Boolean).join('.') || 'nonFieldErrors',
      code: 'invalid',
      reason: first.message ?? 'ongeldig',
    });
  }
  return out;
}

function codeOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'required';
    case 'enum':
      return 'invalid_choice';
    case 'maxLength':
      return 'max_length';
    case 'minLength':
      return 'min_length';
    case 'maximum':
      return 'max_value';
    case 'minimum':
      return 'min_value';
    case 'uniqueItems':
      return 'unique';
    default:
      return 'invalid';
  }
}

function indexOperations(api: ZgwTestApi, doc: Record<string, unknown>): OasOperation[] {
  const operations: OasOperation[] = [];
  const paths = (doc.paths ?? {}) as Record<string, Record<string, unknown>>;
  for (const [path, item] of Object.entries(paths)) {
    const shared = (item.parameters ?? []) as Record<string, unknown>[];
    for (const method of ['get', 'post', 'put', 'patch', 'delete', 'head']) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const parameters = [...shared, ...((op.parameters ?? []) as Record<string, unknown>[])].map(
        (raw): OasParameter => ({
          name: String(raw.name),
          in: raw.in as OasParameter['in'],
          required: raw.required === true,
          schema: raw.schema as Record<string, unknown> | undefined,
          commaSeparated: raw.explode === false,
        }),
      );
      const pathParams: string[] = [];
      const pattern = path
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\{([^}]+)\}/g, (_all, name: string) => {
          pathParams.push(name);
          return '([^/]+)';
        });
      const body = op.requestBody as
        | { content?: Record<string, { schema?: unknown }>; required?: boolean }
        | undefined;
      const responses = new Map<
        string,
        { schema: unknown; contentType: string | undefined; headers: string[] }
      >();
      for (const [status, raw] of Object.entries(
        (op.responses ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        const content = (raw.content ?? {}) as Record<string, { schema?: unknown }>;
        const contentType = Object.keys(content)[0];
        responses.set(status, {
          schema: contentType ? content[contentType]?.schema : undefined,
          contentType,
          headers: Object.keys((raw.headers ?? {}) as object),
        });
      }
      operations.push({
        api,
        method: method.toUpperCase(),
        path,
        operationId: String(op.operationId),
        parameters,
        pathParams,
        regex: new RegExp(`^${pattern}/?$`),
        requestSchema: body?.content?.['application/json']?.schema,
        requestRequired: body?.required === true,
        responses,
      });
    }
  }
  // Literal paths before templated ones: `/zaken/_zoek` is not the zaak `_zoek`.
  return operations.sort((a, b) => a.pathParams.length - b.pathParams.length);
}

const loaded = new Map<string, ZgwOas>();

/** The files of `dir` (default: zgwOasDir()), loaded once per process. */
export function loadZgwOas(dir: string = zgwOasDir()): ZgwOas {
  let oas = loaded.get(dir);
  if (!oas) {
    oas = new ZgwOas(dir);
    loaded.set(dir, oas);
  }
  return oas;
}
