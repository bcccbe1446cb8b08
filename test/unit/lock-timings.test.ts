import { describe, expect, it } from 'vitest';
import {
  LOCAL_WORKFLOW_TASK_TIMEOUT_MS,
  localWorkflowTaskTimeoutMs,
  MIN_LOCAL_LOCK_DURATION_MS,
  minLocalLockReason,
  RUNNER_RENEWAL_FRACTION,
} from '../../src/config/lock-timings.ts';

describe('the timings of execution: local', () => {
  it('keep a local lock alive across a dead worker: the lock outlasts the workflow-task time-out and the first renewal', () => {
    // The derivation of lock-timings.ts: the lock L must last T + L × fraction; the minimum keeps a margin of
    // at least the time-out again on top. Changing one constant without the others fails here.
    const needed = LOCAL_WORKFLOW_TASK_TIMEOUT_MS / (1 - RUNNER_RENEWAL_FRACTION);
    expect(MIN_LOCAL_LOCK_DURATION_MS).toBeGreaterThanOrEqual(needed + LOCAL_WORKFLOW_TASK_TIMEOUT_MS);
  });

  it('give a large input a longer workflow task time-out, never more than the lock allows nor less than 4 s', () => {
    const MiB = 2 ** 20;
    expect(localWorkflowTaskTimeoutMs(60_000, 500)).toBe(4_000);
    expect(localWorkflowTaskTimeoutMs(60_000, 1.4 * MiB)).toBe(18_000);
    // The derivation read the other way: T ≤ (L − 12 s) × (1 − fraction).
    expect(localWorkflowTaskTimeoutMs(60_000, 100 * MiB)).toBe(24_000);
    expect(localWorkflowTaskTimeoutMs(MIN_LOCAL_LOCK_DURATION_MS, 100 * MiB)).toBe(4_000);
    // Temporal refuses more than two minutes.
    expect(localWorkflowTaskTimeoutMs(3_600_000, 100 * MiB)).toBe(120_000);
    for (const lock of [20_000, 30_000, 60_000, 600_000]) {
      const t = localWorkflowTaskTimeoutMs(lock, 100 * MiB);
      expect(lock).toBeGreaterThanOrEqual(t / (1 - RUNNER_RENEWAL_FRACTION) + 12_000 - 1);
    }
  });

  it('say in the error why, with the figures of the constants', () => {
    expect(minLocalLockReason()).toBe(
      "must be at least 20000 with execution 'local': when a worker dies while a local unit runs, another takes " +
        'its workflow task over only after 4 s and renews the lock at 50 % of it, so the lock must outlast 8 s and a margin',
    );
  });
});
