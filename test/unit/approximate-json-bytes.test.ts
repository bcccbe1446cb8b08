import { describe, expect, it } from 'vitest';
import { approximateJsonBytes } from '../../src/poller/approximate-json-bytes.ts';

describe('approximateJsonBytes', () => {
  it('is within 1 % of the JSON length where strings dominate, as in a large variable', () => {
    for (const value of [
      'x'.repeat(10_000),
      { payload: { type: 'Json', value: JSON.stringify({ text: 'y'.repeat(50_000) }) } },
      Array.from({ length: 100 }, (_, i) => ({ name: `v${i}`, value: 'z'.repeat(1000) })),
    ]) {
      const exact = JSON.stringify(value).length;
      expect(Math.abs(approximateJsonBytes(value) - exact) / exact).toBeLessThan(0.01);
    }
  });

  it('stays within a factor of two for small objects and lists', () => {
    for (const value of [{ a: 1, b: 'two', c: [true, null, 3.5], d: { e: 'f' } }, [], {}, ['x', 'y']]) {
      const ratio = approximateJsonBytes(value) / JSON.stringify(value).length;
      expect(ratio).toBeGreaterThanOrEqual(0.5);
      expect(ratio).toBeLessThanOrEqual(2.5);
    }
  });

  it('walks deep structures without recursion', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(approximateJsonBytes(deep)).toBeGreaterThan(100_000);
  });
});
