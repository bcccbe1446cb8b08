/**
 * `npm run chaos -- --profile short`, so that the chaos run cannot rot: its own Temporal and Camunda (on ports
 * of their own: it kills them), a few faults injected into live streams, and every row with lost 0 and
 * duplicated 0. The full run's table is in docs/reliability.md.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ChaosResult } from '../../chaos/report.ts';
import { allScenarios } from '../../chaos/scenarios/index.ts';
import { runScript } from '../support/processes.ts';

describe('npm run chaos -- --profile short', () => {
  it('runs the short profile: every task of every row ends once, nothing lost, nothing duplicated', {
    timeout: 900_000,
  }, async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'bptl-chaos-'));
    onTestFinished(() => rm(outDir, { recursive: true, force: true }));
    const { code, output } = await runScript('chaos/run.ts', [
      '--profile',
      'short',
      '--no-fuzz', // the API fuzz has its own test (api-fuzz.test.ts)
      '--ports',
      '17733,18733,18390',
      '--out',
      outDir,
    ]);
    expect(code, output.slice(-6_000)).toBe(0);
    expect(output).toMatch(/chaos \[1\/\d+\] [a-z-]+: \d+\/\d+ created, \d+ completed/); // progress lines
    expect(output).toContain('all rows: lost 0, duplicated 0');

    const result = JSON.parse(await readFile(path.join(outDir, 'latest.json'), 'utf8')) as ChaosResult;
    const short = allScenarios.filter((s) => s.profiles.includes('short')).map((s) => s.name);
    expect(result.rows.map((r) => r.scenario)).toEqual(short);
    for (const row of result.rows) {
      expect(row.problems, row.scenario).toEqual([]);
      expect(row.lost, row.scenario).toBe(0);
      expect(row.duplicated, row.scenario).toBe(0);
      expect(row.tasks, row.scenario).toBeGreaterThan(0);
      expect(row.fault?.evidence, row.scenario).toBeTruthy();
    }
    expect(await readFile(path.join(outDir, 'latest.md'), 'utf8')).toContain('| scenario | tasks | lost |');
  });
});
