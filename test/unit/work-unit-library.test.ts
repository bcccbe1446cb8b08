/**
 * The small pieces of the work-unit library: `fail`, the template function, the built-in registry, the
 * runner handing a unit its task's engine client, and the runWorkUnit test helper.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
import { VariableError } from '../../src/errors.ts';
import { type AnyWorkUnit, defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { fail } from '../../src/work-units/library/fail.ts';
import { createRegistry } from '../../src/work-units/registry.ts';
import { escapeHtml, renderJsonTemplate, renderTemplate } from '../../src/work-units/template.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';
import { root } from '../support/paths.ts';

describe('fail', () => {
  it('fails non-retryably by default, retryably on request, or with a BPMN error', async () => {
    expect(await runWorkUnit(fail, {})).toMatchObject({
      outcome: 'failed',
      retryable: false,
      type: 'NonRetryableError',
      message: 'failed on purpose',
    });
    expect(await runWorkUnit(fail, { failMessage: 'flaky', failRetryable: true })).toMatchObject({
      outcome: 'failed',
      retryable: true,
      type: 'RetryableError',
      message: 'flaky',
    });
    expect(await runWorkUnit(fail, { failBpmnErrorCode: 'REJECTED', failMessage: 'no' })).toEqual({
      outcome: 'bpmn-error',
      errorCode: 'REJECTED',
      errorMessage: 'no',
      variables: {},
      outbound: [],
    });
  });
});

describe('renderTemplate', () => {
  const vars = {
    name: 'Ada & co',
    order: { id: 42, lines: ['bread'] },
    at: new Date('2026-01-01T00:00:00Z'),
  };
  it('replaces names and paths, with an encoder per use', () => {
    expect(
      renderTemplate('{{ name }}: {{order.id}}, {{order.lines.0}}, {{order.lines}}', vars, { what: 't' }),
    ).toBe('Ada & co: 42, bread, ["bread"]');
    expect(renderTemplate('/q?n={{name}}', vars, { what: 't', encode: encodeURIComponent })).toBe(
      '/q?n=Ada%20%26%20co',
    );
    expect(renderTemplate('{{at}}', vars, { what: 't' })).toBe('2026-01-01T00:00:00.000Z');
    expect(escapeHtml('<a href="x">&</a>')).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#60;/a&#62;');
  });

  it('keeps the type of a lone placeholder in JSON, and names a variable without a value', () => {
    expect(renderJsonTemplate({ o: '{{order}}', s: 'n={{order.id}}', k: [1] }, vars, { what: 'b' })).toEqual({
      o: vars.order,
      s: 'n=42',
      k: [1],
    });
    expect(() => renderTemplate('{{zaak.url}}', vars, { what: 'httpUrl' })).toThrow(VariableError);
    expect(() => renderTemplate('{{zaak.url}}', vars, { what: 'httpUrl' })).toThrow(
      "variable 'zaak': is used in httpUrl ({{zaak.url}}) but has no value",
    );
  });
});

describe('the built-in registry', () => {
  it('holds every work unit of the library folder, and nothing else', async () => {
    // The library's units as its files export them: a unit added to the folder but not registered fails here.
    const libraryDir = path.join(root, 'src/work-units/library');
    const files = (await readdir(libraryDir, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const exported = new Set<string>();
    for (const file of files) {
      const module: Record<string, unknown> = await import(path.join(libraryDir, file));
      for (const value of Object.values(module)) if (isWorkUnit(value)) exported.add(value.name);
    }
    expect(exported.size).toBeGreaterThan(0);
    expect([...createRegistry().names()].sort()).toEqual([...exported].sort());
  });
});

/** Whether `value` is what defineWorkUnit returns. */
function isWorkUnit(value: unknown): value is AnyWorkUnit {
  if (value === null || typeof value !== 'object') return false;
  const unit = value as Partial<AnyWorkUnit>;
  return typeof unit.name === 'string' && typeof unit.run === 'function' && unit.input instanceof z.ZodType;
}

describe('runWorkUnit (the test helper)', () => {
  const whoAmI = defineWorkUnit({
    name: 'who-am-i',
    description: 'returns the engine URL and task metadata it was given',
    input: z.object({ n: z.number() }),
    output: z.object({ engineUrl: z.string(), instance: z.string(), doubled: z.number() }),
    run: async ({ input, camunda, task }) => ({
      engineUrl: camunda?.baseUrl ?? 'none',
      instance: task.processInstanceId ?? 'none',
      doubled: input.n * 2,
    }),
  });

  it("gives the unit its task's engine client and metadata, and returns the typed output", async () => {
    const camunda = new CamundaClient({ baseUrl: 'http://engine.example/engine-rest' });
    const result = await runWorkUnit(whoAmI, { n: 21 }, { camunda, task: { processInstanceId: 'pi-1' } });
    expect(result).toEqual({
      outcome: 'completed',
      output: { engineUrl: 'http://engine.example/engine-rest', instance: 'pi-1', doubled: 42 },
      localOutput: {},
      outbound: [],
    });
    expect(await runWorkUnit(whoAmI, { n: 1 })).toMatchObject({ output: { engineUrl: 'none' } });
  });

  it('reports input that does not fit, naming the variable', async () => {
    const result = await runWorkUnit(whoAmI, { n: 'x' });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'InputError' });
    if (result.outcome === 'failed') expect(result.message).toContain('n');
  });
});
