/** `bptl work-units`, run as a process: the registry as text and as JSON Schemas, and an unknown name. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInWorkUnits } from '../../src/work-units/registry.ts';
import { root } from '../support/paths.ts';

function bptl(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, 'src', 'cli', 'main.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
    timeout: 30_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('bptl work-units', () => {
  it('lists every registered unit with its description and variables', () => {
    const { code, out } = bptl('work-units');
    expect(code).toBe(0);
    for (const unit of builtInWorkUnits) {
      expect(out).toContain(`${unit.name}\n  ${unit.description}\n`);
    }
    expect(out).toContain('camunda-start-process\n');
    expect(out).toContain('    processDefinitionKey: string (required)\n');
    expect(out).toContain('    startedProcessInstanceId: string (required)');
    expect(out).toContain('    sleepMs: integer (required)');
    expect(out).toContain('    failRetryable: boolean (default false)');
  });

  it('prints the JSON Schemas with --json, for all units or one', () => {
    const all = bptl('work-units', '--json');
    expect(all.code).toBe(0);
    const units = JSON.parse(all.out) as Array<{ name: string; input: unknown; output: unknown }>;
    expect(units.map((u) => u.name)).toEqual(builtInWorkUnits.map((u) => u.name).sort());
    const one = bptl('work-units', 'http-request', '--json');
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

  it('fails naming the known units for an unknown name', () => {
    const { code, err } = bptl('work-units', 'zaak');
    expect(code).toBe(1);
    expect(err).toContain("no work unit 'zaak' (known: camunda-call-activity,");
  });

  it('is listed and explained in the help', () => {
    expect(bptl('--help').out).toContain('  work-units  list the work units');
    expect(bptl('work-units', '--help').out).toContain('Usage: bptl work-units [NAME] [--json]');
  });
});
