/**
 * The poller's backpressure: how many tasks it may fetch now. It counts the starts in flight (fetched, workflow
 * not started yet) and the workflows it started until they close, lets the loop wait until capacity frees up,
 * and holds the next fetch back while a start has waited too long (Temporal slow or silent).
 */
import type { Logger } from '../logging/logger.ts';
import { sleepUnlessAborted } from './backoff.ts';

export interface CapacityOptions {
  /** At most this many fetched tasks whose workflow is not started yet. */
  maxPendingStarts: number;
  /** At most this many workflows running at once (started ones, and the starts in flight). */
  maxInFlight: number;
  /** A start still waiting after this long holds the next fetch back, in ms. */
  slowStartMs: number;
  log: Logger;
}

export class CapacityTracker {
  private readonly options: CapacityOptions;
  /** Workflows started that have not closed yet, by workflow id. */
  private readonly inFlight = new Set<string>();
  /** Resolved when capacity frees up. */
  private capacityFreed: () => void = () => {};
  /** Starts in flight (fetched, not yet started). */
  private readonly pending = new Set<Promise<void>>();
  /** When each pending start began. */
  private readonly pendingSince = new Map<Promise<void>, number>();
  /** Set while fetching is held back by a slow start (logged once per episode). */
  private heldBackSince: number | undefined;

  constructor(options: CapacityOptions) {
    this.options = options;
  }

  /** How many more tasks may be fetched now. */
  free(): number {
    const starts = this.options.maxPendingStarts - this.pending.size;
    const running = this.options.maxInFlight - this.inFlight.size - this.pending.size;
    return Math.max(0, Math.min(starts, running));
  }

  /** Workflows started that are still running. */
  get workflowsInFlight(): number {
    return this.inFlight.size;
  }

  /** Starts in flight: fetched tasks whose workflow start has not settled yet. */
  get pendingStarts(): number {
    return this.pending.size;
  }

  /**
   * Counts a started workflow against the capacity until `closed` settles (whatever its outcome: the caller
   * follows the workflow's chain of runs, so one that continued as new still counts). A rejection (a failed
   * workflow, a lost connection) frees the capacity too. Returns false when the workflow is followed already (a
   * task fetched again joined it).
   */
  follow(workflowId: string, closed: () => Promise<unknown>): boolean {
    if (this.inFlight.has(workflowId)) return false; // a task fetched again joins its running workflow
    this.inFlight.add(workflowId);
    const done = () => {
      this.inFlight.delete(workflowId);
      this.capacityFreed();
    };
    closed().then(done, done);
    return true;
  }

  /** Counts a start against the capacity until it settles. Returns the start. */
  track(start: Promise<void>): Promise<void> {
    this.pending.add(start);
    this.pendingSince.set(start, Date.now());
    const done = () => {
      this.pending.delete(start);
      this.pendingSince.delete(start);
      this.capacityFreed();
    };
    start.then(done, done);
    return start;
  }

  /** Resolves once every start tracked so far has settled (fulfilled or not). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.pending);
  }

  /** Waits until a start or a workflow has finished, or the signal aborts, or (if given) `timeoutMs` passed. */
  async waitForCapacity(signal: AbortSignal, timeoutMs?: number): Promise<void> {
    let onAbort = () => {};
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.capacityFreed = resolve;
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(resolve, timeoutMs);
    });
    // The signal lives as long as the poller: a listener left on it per wait would pile up (one per task).
    signal.removeEventListener('abort', onAbort);
    clearTimeout(timer);
    this.capacityFreed = () => {};
  }

  /**
   * Fewer, fuller fetches: while the poller is busy (some of its workflows run) but fewer than `batch` tasks
   * may be fetched, waits until `batch` may be, for at most `lingerMs`. Each fetchAndLock costs the engine a
   * query over all the tasks that wait on its topics, whatever it returns (20–35 ms of Camunda's CPU with 2,000
   * waiting, on H2; docs/benchmarks.md): fetching each freed slot at once would run that query once per task.
   * An idle poller (nothing running) does not wait, so a task's latency at low rate is unchanged. `onWait` is
   * called when a wait begins. Returns whether it waited.
   */
  async waitForBatch(
    batch: number,
    lingerMs: number,
    signal: AbortSignal,
    onWait?: () => void,
  ): Promise<boolean> {
    if (lingerMs <= 0 || this.free() >= batch || this.inFlight.size + this.pending.size === 0) return false;
    onWait?.();
    const deadline = Date.now() + lingerMs;
    for (
      let left = lingerMs;
      left > 0 && this.free() < batch && !signal.aborted;
      left = deadline - Date.now()
    )
      await this.waitForCapacity(signal, left);
    return true;
  }

  /**
   * While a start has waited longer than `slowStartMs`, waits (up to 250 ms at a time, or until a start settles)
   * instead of fetching. Returns whether it waited.
   */
  async holdBackForSlowStarts(signal: AbortSignal): Promise<boolean> {
    const slowMs = this.options.slowStartMs;
    const now = Date.now();
    const slow = [...this.pendingSince].filter(([, since]) => now - since > slowMs).map(([start]) => start);
    if (slow.length === 0) {
      if (this.heldBackSince !== undefined)
        this.options.log.info('workflow starts answer again: fetching goes on', {
          heldBackMs: now - this.heldBackSince,
        });
      this.heldBackSince = undefined;
      return false;
    }
    if (this.heldBackSince === undefined) {
      this.heldBackSince = now;
      this.options.log.warn(
        'a workflow start has waited for Temporal for over its limit: no fetch until it is answered',
        {
          slowStarts: slow.length,
          slowStartMs: slowMs,
        },
      );
    }
    await Promise.race([...slow.map((p) => p.catch(() => {})), sleepUnlessAborted(250, signal)]);
    return true;
  }
}
