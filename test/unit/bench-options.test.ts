/**
 * The bench's flags for scaling and memory (bench/options.ts) and what they decide: how many BPTL processes a
 * measurement starts (bench/bptl.ts `bptlPlan`), the poller counters summed over them, and the payload variable.
 */
import { describe, expect, it } from 'vitest';
import { bptlPlan, sumPollerCounters } from '../../bench/bptl.ts';
import { parseBenchArgs, taskVariables } from '../../bench/options.ts';

const parse = (...argv: string[]) => parseBenchArgs(argv, '/tmp/bench-root')!;

describe('--runs', () => {
  it('defaults to one bptl run and parses K', () => {
    expect(parse().runs).toBe(1);
    expect(parse('--runs', '3').runs).toBe(3);
  });

  it('refuses 0, a fraction and --split beside it, naming the flag', () => {
    expect(() => parse('--runs=0')).toThrow(/--runs: expected an integer ≥ 1/);
    expect(() => parse('--runs', '1.5')).toThrow(/--runs/);
    expect(() => parse('--runs', '2', '--split')).toThrow(/--runs and --split exclude each other/);
  });

  it('starts K bptl run processes, each with its own worker id and no health server', () => {
    const plan = bptlPlan({ split: false, runs: 2 }, 'bench-x');
    expect(plan.map((p) => [p.name, p.command])).toEqual([
      ['bptl-1', 'run'],
      ['bptl-2', 'run'],
    ]);
    expect(plan.map((p) => p.env)).toEqual([
      { BPTL_WORKER_ID: 'bench-x-bptl-1', BPTL_HEALTH_PORT: 'off' },
      { BPTL_WORKER_ID: 'bench-x-bptl-2', BPTL_HEALTH_PORT: 'off' },
    ]);
    expect(new Set(plan.map((p) => p.env.BPTL_WORKER_ID)).size).toBe(2);
  });

  it('keeps one bptl run by default and worker + poller with --split', () => {
    expect(bptlPlan({ split: false, runs: 1 }, 'w').map((p) => p.name)).toEqual(['bptl']);
    expect(bptlPlan({ split: true, runs: 1 }, 'w').map((p) => [p.name, p.command])).toEqual([
      ['worker', 'worker'],
      ['poller', 'poller'],
    ]);
  });
});

describe('sumPollerCounters', () => {
  it("adds the numeric counters of every poller's stopped record", () => {
    expect(
      sumPollerCounters([
        { message: 'stopped', tasksFetched: 700, fetches: 300, engine: 'bench' },
        { message: 'stopped', tasksFetched: 810, fetches: 360 },
      ]),
    ).toEqual({ tasksFetched: 1510, fetches: 660 });
  });

  it('gives nothing when a poller did not log its counters (a partial sum would under-count fetches)', () => {
    expect(sumPollerCounters([{ tasksFetched: 3 }, undefined])).toBeUndefined();
    expect(sumPollerCounters([])).toBeUndefined();
  });
});

describe('--payload-kb', () => {
  it('sends K KiB as a Json variable (an object), not a String the engine stores in 4,000 characters', () => {
    const variables = taskVariables({ workMs: 0, payloadKiB: 2 });
    expect(variables).toEqual({ payload: { text: 'x'.repeat(2048) } });
  });

  it('refuses a negative size', () => {
    expect(() => parse('--payload-kb=-1')).toThrow(/--payload-kb: expected an integer ≥ 0/);
  });
});

describe('--node-flags', () => {
  it('passes flags on and refuses what is not a flag', () => {
    expect(parse().nodeFlags).toEqual([]);
    expect(parse('--node-flags=--optimize-for-size  --max-semi-space-size=4').nodeFlags).toEqual([
      '--optimize-for-size',
      '--max-semi-space-size=4',
    ]);
    expect(() => parse('--node-flags=--a script.js')).toThrow(/'script.js' is not a flag/);
  });
});

describe('--heap-mb', () => {
  it("defaults to the launchers' 256 MiB old generation; 0 is Node's own limit; less than 16 is refused", () => {
    expect(parse().heapMiB).toBe(256);
    expect(parse('--heap-mb', '96').heapMiB).toBe(96);
    expect(parse('--heap-mb', '0').heapMiB).toBe(0);
    expect(() => parse('--heap-mb', '8')).toThrow(/--heap-mb: expected an integer ≥ 16/);
  });
});
