/**
 * The wire form of a Camunda variable, `{type, value, valueInfo}`, as one zod schema: where a task is fetched
 * (external-task.ts), where the camunda units read an instance's variables, and where the API documents typed
 * values (src/api/resource-schemas.ts). The codec between these and JavaScript values is variables.ts.
 */
import { z } from 'zod';

/** A variable as Camunda's REST API sends and receives it. */
export const camundaVariableSchema = z.object({
  type: z.string(),
  value: z.unknown(),
  valueInfo: z.record(z.string(), z.unknown()).optional(),
});

/** A variable as Camunda's REST API sends and receives it. */
export type CamundaVariable = z.infer<typeof camundaVariableSchema>;

/** A variable in an engine's answer, which may carry `valueInfo: null`; withoutNullInfo() makes it a CamundaVariable. */
export const engineVariableSchema = camundaVariableSchema.extend({
  valueInfo: camundaVariableSchema.shape.valueInfo.unwrap().nullish(),
});

/** The variable without a `valueInfo` that is null or absent. */
export function withoutNullInfo(variable: z.infer<typeof engineVariableSchema>): CamundaVariable {
  const { type, value, valueInfo } = variable;
  return { type, value, ...(valueInfo ? { valueInfo } : {}) };
}

/** Variables by name, as on the wire. */
export type CamundaVariables = Record<string, CamundaVariable>;
