/**
 * A work unit as the API and `bptl work-units` show it: name, description, required service aliases, and the
 * input and output as JSON Schemas (of what a process sets: defaults are optional).
 */
import { z } from 'zod';
import type { AnyWorkUnit } from './define-work-unit.ts';

/** A work unit's public description. */
export interface WorkUnitDescription {
  name: string;
  description: string;
  services: string[];
  /** Where it runs when its topic names no `execution`. */
  execution: 'activity' | 'local';
  input: Record<string, unknown>;
  output: Record<string, unknown>;
}

/** A zod schema as JSON Schema (without `$schema`); what JSON Schema cannot express becomes "any". */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<
    string,
    unknown
  >;
  return rest;
}

export function describeWorkUnit(unit: AnyWorkUnit): WorkUnitDescription {
  return {
    name: unit.name,
    description: unit.description,
    services: [...unit.services],
    execution: unit.execution,
    input: toJsonSchema(unit.input),
    output: toJsonSchema(unit.output),
  };
}
