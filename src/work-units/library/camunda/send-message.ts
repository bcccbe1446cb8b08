/**
 * `camunda-send-message`: correlates a message in the task's engine (`POST /message`), to the instance with
 * the business key and correlation keys given, or to all matching ones with `messageAll`. Returns the ids of
 * the process instances it reached. No match is a non-retryable failure naming the message.
 */
import { z } from 'zod';
import { encodeVariables } from '../../../engine/variables.ts';
import { defineWorkUnit } from '../../define-work-unit.ts';
import { callEngine, engineOf } from './engine.ts';

const resultSchema = z.array(
  z.looseObject({
    processInstance: z.looseObject({ id: z.string() }).nullish(),
    execution: z.looseObject({ processInstanceId: z.string() }).nullish(),
  }),
);

export const camundaSendMessage = defineWorkUnit({
  name: 'camunda-send-message',
  execution: 'local', // finishes in seconds, calls only the engine
  description:
    'Correlates message `messageName` (with `messageBusinessKey`, `messageCorrelationKeys`, `messageVariables`; `messageAll` for every match); returns `correlatedProcessInstanceIds`.',
  input: z.object({
    messageName: z.string().min(1),
    messageBusinessKey: z.string().optional(),
    messageCorrelationKeys: z.record(z.string(), z.unknown()).optional(),
    messageVariables: z.record(z.string(), z.unknown()).default({}),
    messageAll: z.boolean().default(false),
  }),
  output: z.object({ correlatedProcessInstanceIds: z.array(z.string()) }),
  run: async (context) => {
    const { messageName, messageBusinessKey, messageCorrelationKeys, messageVariables, messageAll } =
      context.input;
    const answer = await callEngine(`correlating message '${messageName}'`, () =>
      engineOf(context).post('/message', {
        messageName,
        ...(messageBusinessKey !== undefined ? { businessKey: messageBusinessKey } : {}),
        ...(messageCorrelationKeys ? { correlationKeys: encodeVariables(messageCorrelationKeys) } : {}),
        processVariables: encodeVariables(messageVariables),
        all: messageAll,
        resultEnabled: true,
      }),
    );
    const results = resultSchema.parse(answer);
    const ids = results.flatMap((r) => {
      const id = r.processInstance?.id ?? r.execution?.processInstanceId;
      return id ? [id] : [];
    });
    return { correlatedProcessInstanceIds: [...new Set(ids)] };
  },
});
