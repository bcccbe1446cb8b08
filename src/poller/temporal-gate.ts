/**
 * The poller's pause while Temporal does not answer: a start that failed for a transient reason closes the gate,
 * and the loop fetches nothing until a probe of Temporal succeeds. A task fetched meanwhile could not be started
 * either, and would only count its Camunda retries down; so the tasks wait in the engine, unlocked.
 */
import { ensureError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { Backoff, sleepUnlessAborted } from './backoff.ts';
import type { PollerStats } from './poller-options.ts';

export class TemporalGate {
  private readonly probe: () => Promise<unknown>;
  private readonly stats: PollerStats;
  private readonly log: Logger;
  /** Set when a start failed for a transient reason: no fetch until Temporal answers again. */
  private unreachable: { since: number; reason: string } | undefined;

  /** `probe` asks whether Temporal answers (e.g. the client's `getSystemInfo`). */
  constructor(probe: () => Promise<unknown>, stats: PollerStats, log: Logger) {
    this.probe = probe;
    this.stats = stats;
    this.log = log;
  }

  /** Whether fetching is paused. */
  get closed(): boolean {
    return this.unreachable !== undefined;
  }

  /** Pauses fetching: a start failed for a transient reason. The first reason of a pause is kept. */
  close(reason: string): void {
    this.unreachable ??= { since: Date.now(), reason };
  }

  /**
   * Waits, fetching nothing, until Temporal answers again (probed 0.5 s to 5 s apart), or the signal aborts.
   * Returns at once when the gate is open.
   */
  async waitUntilOpen(signal: AbortSignal): Promise<void> {
    const paused = this.unreachable;
    if (paused === undefined) return;
    this.stats.temporalPauses++;
    this.log.warn('Temporal does not answer: fetching paused until it does (the tasks wait in the engine)', {
      reason: paused.reason,
    });
    const backoff = new Backoff({ initialMs: 500, maxMs: 5_000 });
    let lastSaid = Date.now();
    while (!signal.aborted) {
      try {
        await this.probe();
        this.unreachable = undefined;
        this.log.info('Temporal answers again: fetching resumed', { pausedMs: Date.now() - paused.since });
        return;
      } catch (error) {
        // Said again once a minute, so that a long pause stays visible in the log, with the latest error.
        if (Date.now() - lastSaid >= 60_000) {
          lastSaid = Date.now();
          this.log.warn('Temporal still does not answer: fetching paused', {
            pausedMs: lastSaid - paused.since,
            error: ensureError(error),
          });
        }
        await sleepUnlessAborted(backoff.next(), signal);
      }
    }
  }
}
