/** The example of docs/work-units.md: greets `name`, or raises the BPMN error NO_NAME when it is empty. */
import { z } from 'zod';
import { BpmnError, RetryableError } from '../../src/errors.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';

export const greet = defineWorkUnit({
  name: 'greet',
  description: 'Says hello to `name` in `language` (en or nl); returns `greeting` and `greetedAt`.',
  input: z.object({
    name: z.string(),
    language: z.enum(['en', 'nl']).default('en'),
  }),
  output: z.object({ greeting: z.string(), greetedAt: z.date() }),
  run: async ({ input, log, attempt }) => {
    if (input.name === '') throw new BpmnError('NO_NAME', 'nobody to greet'); // → error boundary event
    if (input.name === 'flaky' && attempt < 2) throw new RetryableError('try again', { retryDelayMs: 10 });
    const hello = input.language === 'nl' ? 'Hallo' : 'Hello';
    log.info('greeting', { name: input.name });
    return { greeting: `${hello}, ${input.name}`, greetedAt: new Date() }; // → String and Date variables
  },
});
