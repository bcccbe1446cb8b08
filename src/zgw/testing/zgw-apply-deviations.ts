/**
 * Applies the switched-on deviations (zgw-deviations.ts) to an answer that was validated already.
 */
import type { OasOperation, ZgwOas } from './oas-operations.ts';
import type { ZgwDeviations } from './zgw-deviations.ts';
import type { ZgwAnswer } from './zgw-handler.ts';

type Schema = Record<string, unknown>;

function resolve(oas: ZgwOas, operation: OasOperation, schema: unknown): Schema | undefined {
  let node = schema as Schema | undefined;
  for (let depth = 0; depth < 10 && node && typeof node.$ref === 'string'; depth++) {
    const path = node.$ref.replace(/^#\//, '').split('/');
    let target: unknown = oas.docs[operation.api];
    for (const key of path) target = (target as Record<string, unknown> | undefined)?.[key];
    node = target as Schema | undefined;
  }
  return node;
}

/** The resources of an answer with the schema of one resource. */
function resources(
  oas: ZgwOas,
  operation: OasOperation,
  answer: ZgwAnswer,
): [Record<string, unknown>, Schema][] {
  let schema = resolve(oas, operation, operation.responses.get(String(answer.status))?.schema);
  const body = answer.body;
  if (!schema || typeof body !== 'object' || body === null) return [];
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties?.results && Array.isArray((body as { results?: unknown }).results)) {
    schema = resolve(oas, operation, (properties.results as Schema).items);
    return schema
      ? (body as { results: Record<string, unknown>[] }).results.map((item) => [item, schema!])
      : [];
  }
  if (Array.isArray(body)) {
    const item = resolve(oas, operation, schema.items);
    return item ? body.map((entry) => [entry as Record<string, unknown>, item]) : [];
  }
  return [[body as Record<string, unknown>, schema]];
}

export function applyDeviations(
  answer: ZgwAnswer,
  operation: OasOperation,
  deviations: ZgwDeviations,
  oas: ZgwOas,
): void {
  if (answer.status >= 400) return;
  const entries = resources(oas, operation, answer);
  if (deviations.emptyStringUris) {
    for (const [resource, schema] of entries) {
      const required = new Set((schema.required as string[] | undefined) ?? []);
      for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        if (required.has(name) || (property.format !== 'uri' && property.format !== 'email')) continue;
        if (resource[name] === null || resource[name] === undefined) resource[name] = '';
      }
    }
  }
  if (deviations.gezetdoorNull && operation.operationId.startsWith('status_')) {
    for (const [resource] of entries) resource.gezetdoor = null;
  }
  if (deviations.zaakobjecttypen && operation.operationId.startsWith('statustype_')) {
    for (const [resource] of entries) {
      resource.zaakobjecttypen = typeof resource.zaakobjecttype === 'string' ? [resource.zaakobjecttype] : [];
      delete resource.zaakobjecttype;
    }
  }
}
