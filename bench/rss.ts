/**
 * Resident memory of child processes: VmRSS from /proc/<pid>/status, sampled every 250 ms. Reports each
 * process's peak, the sum of those peaks, the peak of the sum, and the peaks of the first and last quarter of
 * a window (is memory flat while a burst is worked off?).
 */
import { readFileSync } from 'node:fs';

export interface RssSample {
  /** Epoch milliseconds. */
  t: number;
  /** MiB per process name; absent when the process had exited. */
  mib: Record<string, number>;
}

export interface RssSummary {
  samples: number;
  peakMiB: Record<string, number>;
  sumOfPeaksMiB: number;
  peakOfSumMiB: number;
  /**
   * Present when a window was given (the throughput phase, after start-up): peaks within it, and the peak of
   * the sum in its first and last quarter.
   */
  window?: { peakMiB: Record<string, number>; peakOfSumMiB: number };
  quarters?: { firstPeakMiB: number; lastPeakMiB: number; lastOverFirst: number };
  /** The sum, one point a second (for plots). */
  series: Array<{ s: number; mib: number }>;
}

/** VmRSS of a process in MiB, or undefined when it is gone. */
export function readRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return kb ? Number(kb[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

export class RssSampler {
  readonly samples: RssSample[] = [];
  private readonly pids = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;

  constructor(intervalMs = 250) {
    this.intervalMs = intervalMs;
  }

  /** Starts (or adds to) sampling: `name` is how the process appears in the report. */
  watch(name: string, pid: number): void {
    this.pids.set(name, pid);
    this.sample();
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    const mib: Record<string, number> = {};
    for (const [name, pid] of this.pids) {
      const value = readRssMiB(pid);
      if (value !== undefined) mib[name] = value;
    }
    this.samples.push({ t: Date.now(), mib });
  }

  summary(window?: { fromMs: number; toMs: number }): RssSummary {
    const peakMiB: Record<string, number> = {};
    let peakOfSum = 0;
    const sumAt = (s: RssSample) => Object.values(s.mib).reduce((a, b) => a + b, 0);
    for (const s of this.samples) {
      for (const [name, v] of Object.entries(s.mib)) peakMiB[name] = Math.max(peakMiB[name] ?? 0, v);
      peakOfSum = Math.max(peakOfSum, sumAt(s));
    }
    const result: RssSummary = {
      samples: this.samples.length,
      peakMiB: Object.fromEntries(Object.entries(peakMiB).map(([k, v]) => [k, round(v)])),
      sumOfPeaksMiB: round(Object.values(peakMiB).reduce((a, b) => a + b, 0)),
      peakOfSumMiB: round(peakOfSum),
      series: [],
    };
    const t0 = this.samples[0]?.t ?? 0;
    let nextSecond = 0;
    for (const s of this.samples) {
      if (s.t - t0 >= nextSecond * 1000) {
        result.series.push({ s: Math.round((s.t - t0) / 1000), mib: round(sumAt(s)) });
        nextSecond = Math.floor((s.t - t0) / 1000) + 1;
      }
    }
    if (window && window.toMs > window.fromMs) {
      const inWindow = this.samples.filter((s) => s.t >= window.fromMs && s.t <= window.toMs);
      const peaks: Record<string, number> = {};
      for (const s of inWindow)
        for (const [name, v] of Object.entries(s.mib)) peaks[name] = Math.max(peaks[name] ?? 0, round(v));
      result.window = { peakMiB: peaks, peakOfSumMiB: round(Math.max(0, ...inWindow.map(sumAt))) };
      const quarter = (window.toMs - window.fromMs) / 4;
      const peakIn = (from: number, to: number) =>
        Math.max(0, ...this.samples.filter((s) => s.t >= from && s.t <= to).map(sumAt));
      const first = peakIn(window.fromMs, window.fromMs + quarter);
      const last = peakIn(window.toMs - quarter, window.toMs);
      result.quarters = {
        firstPeakMiB: round(first),
        lastPeakMiB: round(last),
        lastOverFirst: first > 0 ? Math.round((last / first) * 1000) / 1000 : 0,
      };
    }
    return result;
  }
}
