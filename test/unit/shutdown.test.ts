/**
 * The one stop sequence (src/cli/shutdown.ts): steps run by phase in the documented order whatever order they
 * were added in, a failing step is logged with its name and the next one runs, a second stop runs nothing again,
 * the first signal aborts the start-up signal and the second forces exit 130, and connectWithRetry stops waiting
 * (also during its back-off) once that signal is aborted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectWithRetry } from '../../src/cli/run-worker.ts';
import { runUntilStopped, Shutdown } from '../../src/cli/shutdown.ts';
import { StoppedBeforeReadyError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/logger.ts';

let lines: string[] = [];
const log = () => createLogger('shutdown', { level: 'debug', write: (line) => lines.push(line) });
let installed: Shutdown | undefined;

afterEach(() => {
  installed?.uninstallSignalHandlers();
  installed = undefined;
  lines = [];
});

describe('Shutdown', () => {
  it('runs the steps by phase: pollers, worker, api, connections, context, servers', async () => {
    const shutdown = new Shutdown(log());
    const ran: string[] = [];
    const step = (name: string) => () => {
      ran.push(name);
    };
    shutdown.add('servers', 'servers', step('servers'));
    shutdown.add('context', 'store', step('store'));
    shutdown.add('connections', 'connection', step('connection'));
    shutdown.add('worker', 'worker', step('worker'));
    shutdown.add('api', 'api', step('api'));
    shutdown.add('pollers', 'pollers', step('pollers'));
    shutdown.add('context', 'second store', step('second store'));
    await shutdown.stop();
    expect(ran).toEqual(['pollers', 'worker', 'api', 'connection', 'store', 'second store', 'servers']);
  });

  it('logs a failing step with its name and runs the next ones', async () => {
    const shutdown = new Shutdown(log());
    const ran: string[] = [];
    shutdown.add('pollers', 'pollers', async () => {
      throw new Error('engine gone');
    });
    shutdown.add('worker', 'worker', () => {
      ran.push('worker');
    });
    shutdown.add('context', 'store', () => {
      ran.push('store');
    });
    await shutdown.stop();
    expect(ran).toEqual(['worker', 'store']);
    const failure = lines.find((l) => l.includes('cannot stop the pollers'));
    expect(failure).toContain('engine gone');
    expect(failure).toContain('step=pollers');
  });

  it('is idempotent: a second stop returns the same promise and runs no step again', async () => {
    const shutdown = new Shutdown(log());
    let runs = 0;
    shutdown.add('worker', 'worker', async () => {
      runs++;
    });
    const first = shutdown.stop();
    const second = shutdown.stop();
    expect(second).toBe(first);
    await Promise.all([first, second, shutdown.stop()]);
    expect(runs).toBe(1);
  });

  it('stops at once a step added after the sequence began', async () => {
    const shutdown = new Shutdown(log());
    await shutdown.stop();
    let stopped = false;
    shutdown.add('worker', 'late worker', () => {
      stopped = true;
    });
    expect(stopped).toBe(true);
  });

  it('aborts its signal at the first SIGTERM and forces exit 130 at the second', async () => {
    const shutdown = new Shutdown(log());
    installed = shutdown;
    const exits: number[] = [];
    shutdown.installSignalHandlers((code) => exits.push(code));
    expect(shutdown.signal.aborted).toBe(false);
    process.emit('SIGTERM', 'SIGTERM');
    expect(shutdown.signal.aborted).toBe(true);
    expect(shutdown.signal.reason).toBeInstanceOf(StoppedBeforeReadyError);
    await shutdown.requested;
    expect(exits).toEqual([]);
    process.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([130]);
    expect(lines.some((l) => l.includes('SIGTERM again: exiting at once'))).toBe(true);
  });
});

describe('runUntilStopped', () => {
  it('runs the sequence when the body ends, and rethrows its error after the sequence ran', async () => {
    const shutdown = new Shutdown(log());
    installed = shutdown;
    const ran: string[] = [];
    const failure = runUntilStopped(async (s) => {
      s.add('pollers', 'pollers', () => {
        ran.push('pollers');
      });
      throw new Error('the worker failed');
    }, shutdown);
    await expect(failure).rejects.toThrow('the worker failed');
    expect(ran).toEqual(['pollers']);
  });

  it('treats a stop requested during start-up as a normal end and logs why', async () => {
    const shutdown = new Shutdown(log());
    installed = shutdown;
    const ran: string[] = [];
    await runUntilStopped(async (s) => {
      s.add('context', 'store', () => {
        ran.push('store');
      });
      s.request('test');
      await connectWithRetry(
        'Temporal',
        '127.0.0.1:1',
        () => Promise.reject(new Error('refused')),
        {
          log: log(),
        },
        s.signal,
      );
    }, shutdown);
    expect(ran).toEqual(['store']);
    expect(lines.some((l) => l.includes('stopped before Temporal answered'))).toBe(true);
  });
});

describe('connectWithRetry with an abort signal', () => {
  it('stops waiting during its back-off as soon as the signal aborts', async () => {
    const abort = new AbortController();
    let attempts = 0;
    const connecting = connectWithRetry(
      'Temporal',
      '127.0.0.1:1',
      async () => {
        attempts++;
        throw new Error('refused');
      },
      { log: log() },
      abort.signal,
    );
    // The first attempt failed: it now sleeps its back-off (at least 250 ms).
    const deadline = Date.now() + 5_000;
    while (!lines.some((l) => l.includes('not reachable')) && Date.now() < deadline)
      await new Promise((resolve) => setImmediate(resolve));
    const abortedAt = Date.now();
    abort.abort();
    await expect(connecting).rejects.toBeInstanceOf(StoppedBeforeReadyError);
    expect(Date.now() - abortedAt).toBeLessThan(100);
    expect(attempts).toBe(1);
  });
});
