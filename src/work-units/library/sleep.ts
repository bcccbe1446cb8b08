/**
 * `sleep`: waits `sleepMs` milliseconds (heartbeating, and stopping at once when cancelled), then returns
 * `sleptMs`. For demos and tests of long-running work: lock keeping, cancellation, worker restarts.
 */
import { z } from 'zod';
import { defineWorkUnit } from '../define-work-unit.ts';

export const sleep = defineWorkUnit({
  name: 'sleep',
  description: 'Waits `sleepMs` milliseconds (at most 24 hours), then returns `sleptMs`.',
  input: z.object({
    sleepMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3_600_000),
  }),
  output: z.object({ sleptMs: z.number() }),
  run: async ({ input, sleep }) => {
    const started = Date.now();
    // A timer may fire a millisecond early by the wall clock (libuv's loop time lags Date.now()): sleep the rest,
    // so that `sleptMs` is never below `sleepMs` (a test of a restarted unit saw 5999 for 6000).
    let slept = Date.now() - started;
    while (slept < input.sleepMs) {
      await sleep(input.sleepMs - slept);
      slept = Date.now() - started;
    }
    return { sleptMs: slept };
  },
});
