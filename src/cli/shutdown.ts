/**
 * The one stop sequence of a BPTL process, and the one owner of SIGINT/SIGTERM. Each command registers a step as
 * it starts something; the sequence runs them by phase, in the documented order: the pollers (no new task is
 * fetched, orphaned locks are given back), the worker (work units in progress get their grace time), the API, the
 * Temporal connections, the configuration store and context, and last the local servers of `bptl dev`.
 *
 * The Temporal runtime is installed without its own signal handlers (run-worker.ts): otherwise it would shut the
 * worker down at the first signal, while the pollers are still draining, and this order would not hold.
 */
import { ensureError, StoppedBeforeReadyError } from '../errors.ts';
import { createLogger, type Logger } from '../logging/logger.ts';

/** The phases, in the order they run. */
export const SHUTDOWN_PHASES = ['pollers', 'worker', 'api', 'connections', 'context', 'servers'] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

interface Step {
  phase: ShutdownPhase;
  name: string;
  run: () => Promise<void> | void;
}

export class Shutdown {
  private readonly abort = new AbortController();
  private readonly steps: Step[] = [];
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  private stopping: Promise<void> | undefined;
  private removeHandlers: (() => void) | undefined;
  /** Resolves when a stop is requested. */
  readonly requested: Promise<void>;

  constructor(log: Pick<Logger, 'info' | 'warn' | 'error'> = createLogger('bptl')) {
    this.log = log;
    this.requested = new Promise((resolve) => this.abort.signal.addEventListener('abort', () => resolve()));
  }

  /**
   * Aborted at the first stop request: given to everything that waits while the process starts (the connection
   * to Temporal), and awaited by each command once it runs. Its reason is a StoppedBeforeReadyError.
   */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Registers a step of `phase`. Steps of one phase run in the order they were added; each runs once. */
  add(phase: ShutdownPhase, name: string, run: () => Promise<void> | void): void {
    if (this.stopping) {
      // Started after the sequence began: stopped at once, so that nothing is left running.
      void this.runStep({ phase, name, run });
      return;
    }
    this.steps.push({ phase, name, run });
  }

  /** Requests a stop: aborts `signal` (the command then leaves its start-up or its wait, and calls `stop`). */
  request(why: string): void {
    if (!this.abort.signal.aborted) this.abort.abort(new StoppedBeforeReadyError(why));
  }

  /**
   * Runs every step, phase by phase; a step that fails is logged with its name and the next one runs. Idempotent:
   * a second call returns the same promise.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const phase of SHUTDOWN_PHASES)
        for (const step of this.steps.filter((s) => s.phase === phase)) await this.runStep(step);
      this.steps.length = 0;
    })();
    return this.stopping;
  }

  /**
   * Owns SIGINT/SIGTERM: the first one requests a stop (send it again to force), the second exits at once with
   * 130. Install it at the very start of a command, before anything connects.
   */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    const handler = (signal: NodeJS.Signals) => {
      if (this.abort.signal.aborted) {
        this.log.warn(`${signal} again: exiting at once`);
        exit(130);
        return;
      }
      this.log.warn(`${signal}: stopping (send it again to force)`);
      this.request(`${signal} was received`);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    this.removeHandlers = () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  }

  /** Removes the signal handlers (the process is about to exit, or a test is done). */
  uninstallSignalHandlers(): void {
    this.removeHandlers?.();
    this.removeHandlers = undefined;
  }

  private async runStep(step: Step): Promise<void> {
    try {
      await step.run();
    } catch (error) {
      this.log.error(`cannot stop the ${step.name}; going on with the next step`, {
        step: step.name,
        phase: step.phase,
        error: ensureError(error),
      });
    }
  }
}

/**
 * Runs a long-running command under one Shutdown: the signal handlers are installed first; `body` starts things,
 * registers their steps, and returns when it is done (it awaits `shutdown.requested` or its own end). Then the
 * sequence runs. A stop requested during start-up (StoppedBeforeReadyError) is not a failure: it is logged and the
 * command returns normally (exit code 0). Any other error of `body` is rethrown after the sequence ran.
 */
export async function runUntilStopped(
  body: (shutdown: Shutdown) => Promise<void>,
  shutdown: Shutdown = new Shutdown(),
): Promise<void> {
  shutdown.installSignalHandlers();
  try {
    await body(shutdown);
  } catch (error) {
    if (!(error instanceof StoppedBeforeReadyError && shutdown.signal.aborted)) {
      await shutdown.stop();
      throw error;
    }
    shutdown.log.info(error.message);
  }
  await shutdown.stop();
  // The handlers stay until the process exits: a second signal while the sequence runs still forces.
}
