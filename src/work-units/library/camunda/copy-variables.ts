/**
 * `camunda-copy-variables`: reads the named variables of another process instance of the task's engine and
 * returns them, so completing the task sets them on this one, with their type. A named variable the source
 * does not have is a non-retryable failure naming it; an unknown instance (404) one naming the instance.
 */
import { z } from 'zod';
import { type CamundaVariables, decodeVariables } from '../../../engine/variables.ts';
import { VariableError } from '../../../errors.ts';
import { defineWorkUnit } from '../../define-work-unit.ts';
import { engineOf, variablesOfInstance } from './engine.ts';

export const camundaCopyVariables = defineWorkUnit({
  name: 'camunda-copy-variables',
  execution: 'local', // finishes in seconds, calls only the engine
  description:
    'Copies the variables named in `copyVariables` from process instance `copyFromProcessInstanceId` into this one.',
  input: z.object({
    copyFromProcessInstanceId: z.string().min(1),
    copyVariables: z.array(z.string().min(1)).min(1),
  }),
  output: z.record(z.string(), z.unknown()),
  run: async (context) => {
    const { copyFromProcessInstanceId: source, copyVariables } = context.input;
    const all = await variablesOfInstance(engineOf(context), source);
    const chosen: CamundaVariables = {};
    for (const name of copyVariables) {
      const value = all[name];
      if (!value) throw new VariableError(name, `process instance ${source} has no such variable`);
      chosen[name] = value;
    }
    return decodeVariables(chosen);
  },
});
