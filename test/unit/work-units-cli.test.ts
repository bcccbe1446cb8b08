/** `bptl work-units`, run as a process: the registry as text and as JSON Schemas, and an unknown name. */
import { describe, expect, it } from 'vitest';
import { builtInWorkUnits } from '../../src/work-units/registry.ts';
import { runBptl } from '../support/processes.ts';

/** `bptl …` with a Temporal address that answers nothing: these commands must not need one. */
function bptl(...args: string[]) {
  return runBptl(args, { TEMPORAL_ADDRESS: '127.0.0.1:1' });
}

describe('bptl work-units', () => {
  it('lists every registered unit with its description and variables', async () => {
    const { code, out } = await bptl('work-units');
    expect(code).toBe(0);
    for (const unit of builtInWorkUnits) {
      expect(out).toContain(`${unit.name}\n  ${unit.description}\n`);
    }
    expect(out).toContain('camunda-start-process\n');
    expect(out).toContain('    processDefinitionKey: string (required)\n');
    expect(out).toContain('    startedProcessInstanceId: string (required)');
    expect(out).toContain('    sleepMs: integer (required)');
    expect(out).toContain('    failRetryable: boolean (default false)');
    expect(out).toMatch(/\ncamunda-set-variables\n.*\n {2}execution when the topic names none: local\n/);
    expect(out).toMatch(
      /\nhttp-request\n.*\n( {2}services: .*\n)? {2}execution when the topic names none: activity\n/,
    );
  });

  it('prints the JSON Schemas with --json, for all units or one', async () => {
    const all = await bptl('work-units', '--json');
    expect(all.code).toBe(0);
    const units = JSON.parse(all.out) as Array<{ name: string; input: unknown; output: unknown }>;
    expect(units.map((u) => u.name)).toEqual(builtInWorkUnits.map((u) => u.name).sort());
    const one = await bptl('work-units', 'http-request', '--json');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out)).toMatchObject({
      name: 'http-request',
      services: [],
      input: {
        type: 'object',
        required: ['httpUrl'],
        properties: { httpUrl: { type: 'string' }, httpTimeoutMs: { type: 'integer', default: 30000 } },
      },
      output: { type: 'object' },
    });
  });

  it('fails naming the known units for an unknown name', async () => {
    const { code, err } = await bptl('work-units', 'zaak');
    expect(code).toBe(1);
    expect(err).toContain("no work unit 'zaak' (known: camunda-call-activity,");
  });

  it('is listed and explained in the help', async () => {
    expect((await bptl('--help')).out).toContain('  work-units  list the work units');
    expect((await bptl('work-units', '--help')).out).toContain('Usage: bptl work-units [NAME] [--json]');
  });
});
