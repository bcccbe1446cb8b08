/** `npm run chaos` flags, parsed once. */
import path from 'node:path';
import { z } from 'zod';
import type { ChaosPorts } from './servers.ts';

export const USAGE = `npm run chaos -- [--profile full|short] [--only a,b] [--skip a,b] [--no-fuzz] [--out DIR] [--doc] [--ports T,UI,C]

  --profile   full (default): every scenario, streams of 60–10,000 tasks, 60 s outages (about 40 minutes);
              short: a few scenarios with small streams (the test suite runs it)
  --only      run only these scenarios (names as in the table's JSON, e.g. kill-during-unit)
  --skip      leave these out
  --no-fuzz   leave out the API fuzz (schemathesis)
  --out       where results go (default .data/chaos/results)
  --doc       write the table into docs/reliability.md
  --ports     the ports of the run's own Temporal, Temporal UI and Camunda (default 17533,18533,18190)`;

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const schema = z.strictObject({
  profile: z.enum(['full', 'short']).default('full'),
  only: list.optional(),
  skip: list.default([]),
  fuzz: z.boolean().default(true),
  out: z.string().min(1).optional(),
  doc: z.boolean().default(false),
  ports: z
    .string()
    .regex(/^\d+,\d+,\d+$/, 'three ports: Temporal, Temporal UI, Camunda')
    .transform((s) => {
      const [temporal, temporalUi, camunda] = s.split(',').map(Number) as [number, number, number];
      return { temporal, temporalUi, camunda } satisfies ChaosPorts;
    })
    .optional(),
});

export type ChaosOptions = Omit<z.output<typeof schema>, 'out'> & { outDir: string };

/** Parses argv; undefined for --help. Throws with the flag's name on a bad value. */
export function parseChaosArgs(argv: string[], root: string): ChaosOptions | undefined {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return undefined;
    if (arg === '--no-fuzz') raw.fuzz = false;
    else if (arg === '--doc') raw.doc = true;
    else if (/^--(profile|only|skip|out|ports)$/.test(arg)) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      raw[arg.slice(2)] = value;
    } else throw new Error(`unknown argument ${arg}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  const { out, ...rest } = parsed.data;
  return { ...rest, outDir: path.resolve(out ?? path.join(root, '.data', 'chaos', 'results')) };
}
