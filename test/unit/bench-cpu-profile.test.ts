/**
 * The bench's CPU-profile summary (bench/cpu-profile.ts): where a frame's code lives, self time from samples and
 * their time deltas, and the start-up left out.
 */
import { describe, expect, it } from 'vitest';
import { areaOf, type CpuProfile, renderProfileSummary, summarizeProfiles } from '../../bench/cpu-profile.ts';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });

describe('areaOf', () => {
  it.each([
    ['file:///app/node_modules/axios/lib/core/mergeConfig.js', 'pkg:axios'],
    ['file:///app/node_modules/@temporalio/worker/lib/worker.js', 'pkg:@temporalio/worker'],
    ['file:///app/node_modules/a/node_modules/b/index.js', 'pkg:b'],
    ['node:internal/streams/writable', 'node:internal'],
    ['node:events', 'node:events'],
    ['file:///app/src/poller/poller.ts', 'src/poller'],
  ])('%s → %s', (url, area) => {
    expect(areaOf(frame('f', url))).toBe(area);
  });

  it("names V8's own entries and native code", () => {
    expect(areaOf(frame('(garbage collector)', ''))).toBe('(garbage collector)');
    expect(areaOf(frame('writev', ''))).toBe('(native)');
  });
});

describe('summarizeProfiles', () => {
  // Root (1) → poll (2, src/poller) and mergeConfig (3, axios); idle (4). Samples every 1 ms.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('poll', 'file:///app/src/poller/poller.ts') },
      { id: 3, callFrame: frame('mergeConfig', 'file:///app/node_modules/axios/lib/core/mergeConfig.js') },
      { id: 4, callFrame: frame('(idle)', '') },
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [2, 2, 3, 4, 4, 3, 3, 3, 2, 4],
    timeDeltas: Array(10).fill(1000),
  };

  it('charges each sample with the interval after it and leaves idle out of the busy time', () => {
    const s = summarizeProfiles([profile]);
    expect(s.byArea).toEqual([
      { area: 'pkg:axios', ms: 4 },
      { area: 'src/poller', ms: 3 },
    ]);
    // The last sample has no interval after it.
    expect(s.idleMs).toBe(2);
    expect(s.busyMs).toBe(7);
    expect(s.byFunction[0]).toMatchObject({ area: 'pkg:axios', ms: 4 });
  });

  it('leaves out the start-up', () => {
    // Samples at 1…10 ms; from 5 ms on: 4, 3, 3, 3, 2, 4 → axios 3, poller 1, idle 1 (the last sample: none).
    const s = summarizeProfiles([profile], 15, 5);
    expect(s.byArea).toEqual([
      { area: 'pkg:axios', ms: 3 },
      { area: 'src/poller', ms: 1 },
    ]);
    expect(s.skippedMs).toBe(5);
  });

  it('renders ms per task and shares', () => {
    const text = renderProfileSummary(summarizeProfiles([profile]), 2);
    expect(text).toContain('| pkg:axios | 4 | 2.00 | 57.1 % |');
  });
});
