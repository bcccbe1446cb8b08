/**
 * `camunda-start-process`: starts an instance of the latest version of a process definition, by key, with
 * variables and a business key, in the task's engine. Returns its id as `startedProcessInstanceId`.
 */
import { z } from 'zod';
import { encodeVariables } from '../../../engine/variables.ts';
import { defineWorkUnit } from '../../define-work-unit.ts';
import { callEngine, engineOf } from './engine.ts';

export const camundaStartProcess = defineWorkUnit({
  name: 'camunda-start-process',
  execution: 'local', // finishes in seconds, calls only the engine
  description:
    'Starts a process instance of `processDefinitionKey` with `processVariables` (Json object) and `businessKey`; returns `startedProcessInstanceId`.',
  input: z.object({
    processDefinitionKey: z.string().min(1),
    businessKey: z.string().optional(),
    processVariables: z.record(z.string(), z.unknown()).default({}),
  }),
  output: z.object({ startedProcessInstanceId: z.string() }),
  run: async (context) => {
    const { processDefinitionKey, businessKey, processVariables } = context.input;
    const started = await callEngine(`starting process '${processDefinitionKey}'`, () =>
      engineOf(context).startProcess(processDefinitionKey, {
        variables: encodeVariables(processVariables),
        ...(businessKey !== undefined ? { businessKey } : {}),
      }),
    );
    context.log.info('process started', { processDefinitionKey, processInstanceId: started.id });
    return { startedProcessInstanceId: started.id };
  },
});
