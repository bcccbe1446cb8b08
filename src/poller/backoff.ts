/** Exponential back-off with full jitter, for retrying an engine or Temporal that is down. */
export interface BackoffOptions {
  /** @default 500 */
  initialMs?: number;
  /** @default 30000 */
  maxMs?: number;
  /** @default 2 */
  factor?: number;
  /** Random source in [0, 1), for tests. @default Math.random */
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.random = options.random ?? Math.random;
  }

  /** The wait before the next try, after one more failure: between half and all of the exponential step. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * this.factor ** this.failures);
    this.failures++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}

/** Waits `ms`, or less if the signal aborts. Never rejects. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
