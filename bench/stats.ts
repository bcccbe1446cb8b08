/** Latency percentiles and throughput. */

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** The p-th percentile (0 < p ≤ 100) of sorted values, by the nearest-rank method. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? Math.round((sum / sorted.length) * 10) / 10 : Number.NaN,
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Items per second over a window, rounded to 0.1. */
export function perSecond(count: number, windowMs: number): number {
  if (windowMs <= 0 || count === 0) return 0;
  return Math.round((count / windowMs) * 10_000) / 10;
}

/** a / b rounded to 0.01, or null when b is 0 or missing. */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !(b > 0)) return null;
  return Math.round((a / b) * 100) / 100;
}
