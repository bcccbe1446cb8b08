/**
 * `noop`: does nothing and returns no variables. For benchmarks: what BPTL itself costs per task, with no work
 * in the way.
 */
import { z } from 'zod';
import { defineWorkUnit } from '../define-work-unit.ts';

export const noop = defineWorkUnit({
  name: 'noop',
  execution: 'local', // finishes in seconds
  description: 'Does nothing and sets no variables; for benchmarks.',
  input: z.looseObject({}),
  output: z.object({}),
  run: async () => ({}),
});
