/**
 * The one owner of SIGINT/SIGTERM in a BPTL process. The Temporal runtime is installed without its own signal
 * handlers (run-worker.ts): otherwise it would shut the worker down at the first signal, while the pollers are
 * still draining, and the documented order (pollers first, then the worker, then the connections) would not hold.
 */

/**
 * Graceful stop on the first SIGINT/SIGTERM (runs `stop`, which each command builds in that order), forced exit
 * with 130 on the second.
 */
export function onShutdownSignal(log: { warn(m: string): void }, stop: () => Promise<void>): void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn(`${signal} again: exiting at once`);
      process.exit(130);
    }
    signalled = true;
    log.warn(`${signal}: stopping (send it again to force)`);
    void stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
