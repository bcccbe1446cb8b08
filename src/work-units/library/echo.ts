/**
 * `echo`: returns chosen input variables, renamed with a prefix, plus the time it ran. For demos and tests:
 * it shows that values of every type survive the round trip from Camunda through BPTL and back.
 *
 * Input variables: `echoVariables` (Json list of names; all other variables when absent), `echoPrefix`
 * (String, default `echo_`). Output: `<prefix><name>` for each chosen variable, and `echoedAt` (Date).
 */
import { z } from 'zod';
import { VariableError } from '../../errors.ts';
import { defineWorkUnit } from '../define-work-unit.ts';

const CONTROL = new Set(['echoVariables', 'echoPrefix']);

export const echo = defineWorkUnit({
  name: 'echo',
  description:
    'Returns the variables named in `echoVariables` (or all), renamed with `echoPrefix` (default `echo_`), and `echoedAt`.',
  input: z.looseObject({
    echoVariables: z.array(z.string()).optional(),
    echoPrefix: z.string().default('echo_'),
  }),
  output: z.record(z.string(), z.unknown()),
  run: async ({ input }) => {
    const { echoVariables, echoPrefix, ...rest } = input as Record<string, unknown> & {
      echoVariables?: string[];
      echoPrefix: string;
    };
    const names = echoVariables ?? Object.keys(rest).filter((name) => !CONTROL.has(name));
    const output: Record<string, unknown> = {};
    for (const name of names) {
      if (!(name in rest))
        throw new VariableError(name, 'is named in echoVariables but the task has no such variable');
      output[`${echoPrefix}${name}`] = rest[name];
    }
    output.echoedAt = new Date();
    return output;
  },
});
