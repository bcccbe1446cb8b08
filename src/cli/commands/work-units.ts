/**
 * `bptl work-units [NAME] [--json]`: the work units this build of BPTL registers, with their description,
 * required service aliases and input and output schemas. Text lists each variable with its type; `--json`
 * prints the full JSON Schemas (as `GET /work-units` answers them).
 */
import { describeWorkUnit, type WorkUnitDescription } from '../../work-units/describe-work-unit.ts';
import { createRegistry, type WorkUnitRegistry } from '../../work-units/registry.ts';

export interface WorkUnitsCommandOptions {
  /** Only this unit. */
  name?: string | undefined;
  json?: boolean | undefined;
  /** @default the built-in registry */
  registry?: WorkUnitRegistry;
  /** @default console.log */
  print?: (text: string) => void;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  default?: unknown;
  additionalProperties?: unknown;
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'any'}[]`;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? 'any';
}

/** One line per variable: `name  type  required | default …`. */
function variables(schema: JsonSchema): string[] {
  const properties = Object.entries(schema.properties ?? {});
  const lines = properties.map(([name, property]) => {
    const required = schema.required?.includes(name);
    const extra = required
      ? 'required'
      : property.default !== undefined
        ? `default ${JSON.stringify(property.default)}`
        : 'optional';
    return `    ${name}: ${typeOf(property)} (${extra})`;
  });
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
    lines.push(properties.length === 0 ? '    any variables' : '    … and any other variables');
  }
  return lines.length > 0 ? lines : ['    none'];
}

function text(unit: WorkUnitDescription): string {
  return [
    unit.name,
    `  ${unit.description}`,
    ...(unit.services.length > 0 ? [`  services: ${unit.services.join(', ')}`] : []),
    `  execution when the topic names none: ${unit.execution}`,
    '  input:',
    ...variables(unit.input as JsonSchema),
    '  output:',
    ...variables(unit.output as JsonSchema),
  ].join('\n');
}

/** Prints the registry; resolves to the exit code (1: no unit of that name). */
export async function runWorkUnits(options: WorkUnitsCommandOptions = {}): Promise<number> {
  const registry = options.registry ?? createRegistry();
  const print = options.print ?? ((t: string) => console.log(t));
  let units = registry.list();
  if (options.name !== undefined) {
    const unit = registry.get(options.name);
    if (!unit) {
      console.error(
        `bptl work-units: no work unit '${options.name}' (known: ${[...registry.names()].sort().join(', ')})`,
      );
      return 1;
    }
    units = [unit];
  }
  const described = units.map(describeWorkUnit);
  if (options.json) print(JSON.stringify(options.name !== undefined ? described[0] : described, null, 2));
  else print(described.map(text).join('\n\n'));
  return 0;
}
