/**
 * `fail`: fails on purpose, for demos and tests: with `failMessage`, retried or not (`failRetryable`), or as
 * the BPMN error `failBpmnErrorCode`.
 */
import { z } from 'zod';
import { BpmnError, NonRetryableError, RetryableError } from '../../errors.ts';
import { defineWorkUnit } from '../define-work-unit.ts';

export const fail = defineWorkUnit({
  name: 'fail',
  description:
    'Fails with `failMessage`: retried when `failRetryable`, or as BPMN error `failBpmnErrorCode`; for demos and tests.',
  input: z.object({
    failMessage: z.string().default('failed on purpose'),
    failRetryable: z.boolean().default(false),
    failBpmnErrorCode: z.string().min(1).optional(),
  }),
  output: z.object({}),
  run: async ({ input }) => {
    if (input.failBpmnErrorCode) throw new BpmnError(input.failBpmnErrorCode, input.failMessage);
    if (input.failRetryable) throw new RetryableError(input.failMessage);
    throw new NonRetryableError(input.failMessage);
  },
});
