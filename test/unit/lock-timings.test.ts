import { describe, expect, it } from 'vitest';
import {
  LOCAL_WORKFLOW_TASK_TIMEOUT_MS,
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

  it('say in the error why, with the figures of the constants', () => {
    expect(minLocalLockReason()).toBe(
      "must be at least 20000 with execution 'local': when a worker dies while a local unit runs, another takes " +
        'its workflow task over only after 4 s and renews the lock at 50 % of it, so the lock must outlast 8 s and a margin',
    );
  });
});
