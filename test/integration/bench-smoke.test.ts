/**
 * `npm run bench -- --smoke` against the test suite's servers, so the benchmark cannot rot: all three
 * measurements run, every task completes exactly once, and each has a throughput. The figures themselves are
 * not asserted (docs/benchmarks.md has the targets and the measured values).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import type { BenchResult } from '../../bench/report.ts';
import { runScript } from '../support/processes.ts';

describe('npm run bench -- --smoke', () => {
  it('measures baseline, ceiling and BPTL, each task completed exactly once', async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'bptl-bench-'));
    onTestFinished(() => rm(outDir, { recursive: true, force: true }));
    const { code, output } = await runScript('bench/run.ts', [
      '--smoke',
      '--temporal-address',
      inject('temporalAddress'),
      '--camunda-url',
      inject('camundaUrl'),
      '--out',
      outDir,
    ]);
    expect(code, output).toBe(0);
    // Progress lines while it runs, and the summary table at the end.
    expect(output).toMatch(/bptl: \d+\/20 completed, \d+\/s/);
    expect(output).toContain('BPTL / ceiling (throughput)');

    const result = JSON.parse(await readFile(path.join(outDir, 'latest.json'), 'utf8')) as BenchResult;
    expect(result.flags).toMatchObject({ smoke: true, n: 20, parallelism: 4, lowRate: 3 });
    expect(result.environment.commit.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(result.servers.started).toEqual({ temporal: false, camunda: false });
    for (const name of ['baseline', 'ceiling', 'bptl'] as const) {
      const m = result.measurements[name];
      expect(m, `${name} missing`).toBeDefined();
      expect(m!.completed, name).toBe(20);
      expect(m!.duplicates, name).toBe(0);
      expect(m!.throughputPerSec, name).toBeGreaterThan(0);
      expect(m!.latencyMs.count, name).toBe(20);
    }
    expect(result.measurements.baseline!.lowRate?.latencyMs.count).toBe(3);
    expect(result.measurements.bptl!.lowRate?.latencyMs.count).toBe(3);
    const bptl = result.measurements.bptl!.bptl!;
    expect(bptl.workflows).toBe(20);
    expect(bptl.workflowIdsWithSeveralRuns).toBe(0);
    // One `bptl run` process (poller and worker together) by default.
    expect(bptl.processes).toEqual(['bptl']);
    expect(bptl.rss.peakMiB.bptl).toBeGreaterThan(0);
    expect(bptl.poller?.tasksFetched).toBeGreaterThanOrEqual(23);
    // bptl run starts its workflows on the worker's connection, eagerly when the worker has a free slot.
    expect(bptl.poller?.eagerStarts).toBeGreaterThan(0);
    expect(result.ratios.bptlOverBaseline).toBeGreaterThan(0);
    expect(result.ratios.bptlOverCeiling).toBeGreaterThan(0);
    const md = await readFile(path.join(outDir, 'latest.md'), 'utf8');
    expect(md).toContain('| measurement |');
  }, 300_000);
});
