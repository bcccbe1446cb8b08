/**
 * `camunda-set-variables`: sets variables on a process instance of the task's engine (this task's by
 * default) at once, without waiting for the task to complete: e.g. on a parent or sibling instance.
 */
import { z } from 'zod';
import { encodeVariables } from '../../../engine/variables.ts';
import { defineWorkUnit } from '../../define-work-unit.ts';
import { callEngine, engineOf, processInstanceOf } from './engine.ts';

export const camundaSetVariables = defineWorkUnit({
  name: 'camunda-set-variables',
  execution: 'local', // finishes in seconds, calls only the engine
  description:
    'Sets `setVariables` (Json object: name → value) on process instance `setOnProcessInstanceId` (default this one).',
  input: z.object({
    setVariables: z.record(z.string(), z.unknown()),
    setOnProcessInstanceId: z.string().min(1).optional(),
  }),
  output: z.object({}),
  run: async (context) => {
    const target = context.input.setOnProcessInstanceId ?? processInstanceOf(context);
    await callEngine(`setting variables on process instance ${target}`, () =>
      engineOf(context).post(`/process-instance/${encodeURIComponent(target)}/variables`, {
        modifications: encodeVariables(context.input.setVariables),
      }),
    );
    return {};
  },
});
