/**
 * The OpenAPI 3.1 document, generated from the operation list (the same zod schemas that validate requests,
 * through zod's `z.toJSONSchema`, whose JSON Schema 2020-12 is OpenAPI 3.1's dialect). Served at
 * `GET /openapi.json`; `GET /docs` renders it (docs-page.ts).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Operation } from './operation.ts';
import { titleOf } from './problem.ts';
import { problemSchema } from './resource-schemas.ts';

type JsonObject = Record<string, unknown>;

/** BPTL's version, from package.json (beside src/ and dist/ alike). */
function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** A zod schema as an OpenAPI 3.1 schema object (inline, without `$schema`). */
export function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

function parameters(op: Operation): JsonObject[] {
  const result: JsonObject[] = [];
  for (const [, name] of op.path.matchAll(/\{([^}]+)\}/g)) {
    result.push({
      name,
      in: 'path',
      required: true,
      ...(op.params?.[name!] ? { description: op.params[name!] } : {}),
      schema: { type: 'string' },
    });
  }
  for (const [name, field] of Object.entries(op.query?.shape ?? {})) {
    const schema = toSchema(field as z.ZodType, 'input');
    const { description, ...rest } = schema;
    result.push({
      name,
      in: 'query',
      required: !(field as z.ZodType).safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    });
  }
  if (op.ifMatch) {
    result.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description:
        'The ETag of the version this write is based on (e.g. "3"): the write fails with 412 when the resource has changed since. Without it the write is unconditional.',
      schema: { type: 'string' },
    });
  }
  return result;
}

/**
 * Statuses every operation of this access may answer with a problem. One with path or query parameters may
 * answer 400 (a parameter holding a NUL character: nul-character.ts).
 */
function problemStatuses(op: Operation): number[] {
  const statuses = new Set(op.problems);
  if (op.path.includes('{') || op.query) statuses.add(400);
  if (op.access !== 'public') statuses.add(401);
  if (op.access === 'admin') statuses.add(403);
  if (op.method !== 'get') statuses.add(413);
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}

function operationObject(op: Operation): JsonObject {
  const responses: JsonObject = {};
  for (const [status, response] of Object.entries(op.responses)) {
    const contentType = response.contentType ?? 'application/json';
    const headers: JsonObject = {
      ...(response.etag
        ? { ETag: { description: 'the version, for If-Match', schema: { type: 'string' } } }
        : {}),
      ...(response.link
        ? {
            Link: {
              description:
                'RFC 8288 `<path?…>; rel="next"`: the next page (same filters, its cursor and limit) while there are more; absent on the last page',
              schema: { type: 'string' },
            },
          }
        : {}),
    };
    responses[status] = {
      description: response.description,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(response.schema
        ? { content: { [contentType]: { schema: toSchema(response.schema, 'output') } } }
        : response.contentType
          ? { content: { [contentType]: { schema: { type: 'string' } } } }
          : {}),
    };
  }
  for (const status of problemStatuses(op)) {
    responses[String(status)] = {
      description: titleOf(status),
      content: { 'application/problem+json': { schema: PROBLEM_REF } },
    };
  }
  const params = parameters(op);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security:
      op.access === 'public'
        ? []
        : op.sessionCookie
          ? [{ bearer: [] }, { consoleSession: [] }]
          : [{ bearer: [] }],
    'x-bptl-role': op.access,
    ...(params.length ? { parameters: params } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(op.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of `operations`. */
export function buildOpenApiDocument(operations: readonly Operation[]): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const op of operations) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = operationObject(op);
  }
  const tags = [...new Set(operations.map((op) => op.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'BPTL API',
      version: packageVersion(),
      description:
        'Configuration of BPTL (engines, services with credentials per application, topics), the work-unit registry, the audit log, and running work units. Bearer tokens: admin writes, viewer reads. Errors are application/problem+json.',
    },
    tags,
    paths,
    components: {
      schemas: { Problem: toSchema(problemSchema, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'a token of BPTL_API_TOKENS' },
        consoleSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'bptl_session',
          description:
            "the web console's session, set by signing in at /console (accepted by the codec server only)",
        },
      },
    },
  };
}
