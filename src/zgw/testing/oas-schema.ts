/**
 * Turns the OpenAPI 3.0 schemas of the ZGW files into JSON Schema that Ajv 8 compiles, once for requests and
 * once for responses:
 *
 * - `nullable: true` becomes a type array (`type: ['string', 'null']`, `null` added to an `enum`), or, beside an
 *   `allOf`/`oneOf`/`anyOf`/`$ref` without its own `type` (69 places in these files), `anyOf: [schema, {type: 'null'}]`;
 * - `readOnly` properties leave `required` in request schemas, `writeOnly` ones in response schemas (the server
 *   fills the first, the client never gets the second);
 * - local `$ref`s (`#/components/...`) become absolute (`zgw://zaken/request#/components/...`), so that an
 *   operation's inline schema and the components resolve in one Ajv instance; siblings of a `$ref` are dropped
 *   (OpenAPI 3.0 ignores them);
 * - `discriminator` is dropped (the files use it without `oneOf`, which Ajv's support requires).
 */

/** Requests are validated with readOnly fields optional, responses with writeOnly fields optional. */
export type SchemaMode = 'request' | 'response';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const DROPPED = new Set(['discriminator', 'example', 'xml', 'externalDocs', 'deprecated']);
const COMBINERS = ['allOf', 'oneOf', 'anyOf'];

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `$id` of one API's components in one mode. */
export function schemaId(api: string, mode: SchemaMode): string {
  return `zgw://${api}/${mode}`;
}

/**
 * A normalised copy of `node` (a schema, or any object holding schemas such as `components`), for the document
 * whose `$id` is `id`.
 */
export function normalizeSchema(node: unknown, id: string, mode: SchemaMode): Json {
  if (Array.isArray(node)) return node.map((item) => normalizeSchema(item, id, mode));
  if (!isObject(node)) return node as Json;
  if (typeof node.$ref === 'string') {
    return { $ref: node.$ref.startsWith('#') ? `${id}${node.$ref}` : node.$ref };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key === 'nullable') continue;
    if (key === 'properties' && isObject(value)) {
      const properties: JsonObject = {};
      for (const [name, property] of Object.entries(value))
        properties[name] = normalizeSchema(property, id, mode);
      out.properties = properties;
    } else if (key === 'required' && Array.isArray(value)) {
      out.required = value.filter((name) => !skippedRequired(node, String(name), mode));
    } else if (key === 'enum' || key === 'default' || key === 'const') {
      out[key] = value;
    } else {
      out[key] = normalizeSchema(value, id, mode);
    }
  }
  return node.nullable === true ? nullableOf(out) : out;
}

/** Whether property `name` of schema `node` is left out of `required` in this mode. */
function skippedRequired(node: JsonObject, name: string, mode: SchemaMode): boolean {
  const properties = node.properties;
  if (!isObject(properties)) return false;
  const property = properties[name];
  if (!isObject(property)) return false;
  return mode === 'request' ? property.readOnly === true : property.writeOnly === true;
}

function nullableOf(schema: JsonObject): JsonObject {
  const combined = COMBINERS.some((key) => key in schema) || '$ref' in schema;
  if (typeof schema.type === 'string' && !combined) {
    const out: JsonObject = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
    return out;
  }
  if (schema.type === undefined && !combined && Array.isArray(schema.enum)) {
    return schema.enum.includes(null) ? schema : { ...schema, enum: [...schema.enum, null] };
  }
  // Annotations stay outside, so that a property's readOnly/title still reads where it did.
  const { readOnly, writeOnly, title, description, default: dflt, ...rest } = schema;
  const out: JsonObject = { anyOf: [rest, { type: 'null' }] };
  if (readOnly !== undefined) out.readOnly = readOnly;
  if (writeOnly !== undefined) out.writeOnly = writeOnly;
  if (title !== undefined) out.title = title;
  if (description !== undefined) out.description = description;
  if (dflt !== undefined) out.default = dflt;
  return out;
}

/** Every `format` named in a document (Ajv refuses unknown formats; the caller registers the missing ones). */
export function formatsIn(node: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) for (const item of node) formatsIn(item, into);
  else if (isObject(node)) {
    if (typeof node.format === 'string') into.add(node.format);
    for (const value of Object.values(node)) formatsIn(value, into);
  }
  return into;
}
