/**
 * Readiness: whether the services a process depends on answer — each engine, Temporal, and the configuration
 * store when the process uses one. Each check runs with a short time-out, all at once; the result names every
 * check, so that a 503 of /readyz says which one failed. Liveness (/healthz) needs no check: answering is enough.
 */
import { ensureError } from '../errors.ts';

/** One dependency to check. `run` resolves when it answers, and rejects (or times out) when it does not. */
export interface HealthCheck {
  name: string;
  run: () => Promise<unknown>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  error?: string;
}

export interface Readiness {
  ok: boolean;
  checks: CheckResult[];
}

/** How long one check may take before it counts as failed. */
export const CHECK_TIMEOUT_MS = 2_000;

/** Where the checks come from: called at each /readyz, so that engines added or removed meanwhile are in. */
export type HealthChecks = () => readonly HealthCheck[];

/** Runs every check at once, each bounded by `timeoutMs`. Ready when each one answered (and when there are none). */
export async function checkReadiness(
  checks: readonly HealthCheck[],
  timeoutMs: number = CHECK_TIMEOUT_MS,
): Promise<Readiness> {
  const results = await Promise.all(checks.map((check) => runCheck(check, timeoutMs)));
  return { ok: results.every((r) => r.ok), checks: results };
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // A check that throws synchronously is a failed check too.
    await Promise.race([Promise.resolve().then(check.run), timedOut]);
    return { name: check.name, ok: true };
  } catch (error) {
    return { name: check.name, ok: false, error: ensureError(error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Something that answers a cheap call, or is not there yet (a connection still being made). */
export type Pingable = (() => Promise<unknown>) | undefined;

/**
 * The check of a dependency that is connected later in the start-up (Temporal): not ready with "not connected
 * yet" until `current()` returns a ping.
 */
export function laterCheck(name: string, current: () => Pingable): HealthCheck {
  return {
    name,
    run: async () => {
      const ping = current();
      if (!ping) throw new Error('not connected yet');
      await ping();
    },
  };
}
