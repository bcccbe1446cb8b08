/**
 * Kills a process for the chaos run and makes sure it is really gone before the scenario goes on: a signal
 * is only a request, and a killed child of ours lingers as a zombie until it is reaped.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export { pidsListeningOn } from '../../bench/pids.ts';

/** How often killProcess looks whether the process is gone. */
const pollIntervalMs = 10;

/** The one-letter state of a process from /proc/<pid>/stat ('R', 'S', 'Z' …), or undefined if unreadable. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state …": comm may hold spaces and parentheses, so look after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || undefined;
  } catch {
    return undefined;
  }
}

/** True when no process `pid` runs any more: none exists, or only its zombie (dead, not yet reaped). */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const state = processState(pid);
  return state === 'Z' || state === 'X';
}

/**
 * Sends `signal` (default SIGKILL) to pid and resolves once the process is really gone (polls kill(pid, 0)
 * until ESRCH, and treats a zombie as gone); throws after timeoutMs (default 10 s), naming the pid. Returns
 * when it was sent and when death was seen (epoch milliseconds). Throws at once if there is no process pid:
 * a kill that hits nothing would make a scenario test something else than it says.
 */
export async function killProcess(
  pid: number,
  options: { signal?: NodeJS.Signals; timeoutMs?: number } = {},
): Promise<{ sentAt: number; goneAt: number }> {
  const signal = options.signal ?? 'SIGKILL';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const sentAt = Date.now();
  try {
    process.kill(pid, signal);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot send ${signal} to process ${pid}: ${code === 'ESRCH' ? 'no such process' : code}`,
      {
        cause: error,
      },
    );
  }
  for (;;) {
    if (isGone(pid)) return { sentAt, goneAt: Date.now() };
    if (Date.now() - sentAt > timeoutMs) {
      throw new Error(`process ${pid} was still alive ${timeoutMs} ms after ${signal}`);
    }
    await sleep(pollIntervalMs);
  }
}
