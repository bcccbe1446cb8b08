/**
 * `camunda-call-activity`: BPTL's CallActivity. Starts a sub-process in the task's engine with variables
 * mapped from the parent's (read from the engine, so values keep their type, and variables the topic does not
 * fetch can be mapped too), and returns its id as `calledProcessInstanceId`. The business key defaults to the
 * parent's. A mapped variable the parent does not have is a non-retryable failure naming it.
 */
import { z } from 'zod';
import type { CamundaVariables } from '../../../engine/variables.ts';
import { VariableError } from '../../../errors.ts';
import { defineWorkUnit } from '../../define-work-unit.ts';
import { callEngine, engineOf, processInstanceOf, variablesOfInstance } from './engine.ts';

export const camundaCallActivity = defineWorkUnit({
  name: 'camunda-call-activity',
  execution: 'local', // finishes in seconds, calls only the engine
  description:
    "Starts sub-process `subprocessDefinitionKey` with the parent's variables mapped by `subprocessVariables` ({parent: child}), business key `subprocessBusinessKey` (default the parent's); returns `calledProcessInstanceId`.",
  input: z.object({
    subprocessDefinitionKey: z.string().min(1),
    /** Parent variable name → the sub-process's variable name. */
    subprocessVariables: z.record(z.string(), z.string()).default({}),
    subprocessBusinessKey: z.string().optional(),
  }),
  output: z.object({ calledProcessInstanceId: z.string() }),
  run: async (context) => {
    const { subprocessDefinitionKey, subprocessVariables, subprocessBusinessKey } = context.input;
    const engine = engineOf(context);
    const parentId = processInstanceOf(context);
    const parent = await variablesOfInstance(engine, parentId);
    const variables: CamundaVariables = {};
    for (const [from, to] of Object.entries(subprocessVariables)) {
      const value = parent[from];
      if (!value) {
        throw new VariableError(
          from,
          `is mapped by subprocessVariables but process instance ${parentId} has no such variable`,
        );
      }
      variables[to] = value;
    }
    const businessKey = subprocessBusinessKey ?? context.task.businessKey;
    const started = await callEngine(`starting sub-process '${subprocessDefinitionKey}'`, () =>
      engine.startProcess(subprocessDefinitionKey, {
        variables,
        ...(businessKey !== undefined ? { businessKey } : {}),
      }),
    );
    return { calledProcessInstanceId: started.id };
  },
});
