/** Graceful stop on the first SIGINT/SIGTERM, forced exit on the second. */
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
