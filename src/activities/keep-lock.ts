/**
 * Keeping a task's lock: extendLock, or lock again when it expired (the worker or the engine was down a while),
 * unless the task is gone or another worker holds it. Used by the keepLock engine activity (the workflow renews
 * during back-off) and by the work-unit runner (it renews while the unit runs, so a long unit adds nothing to
 * the workflow's history).
 */
import type { CamundaClient } from '../engine/camunda-client.ts';
import { EngineError } from '../engine/engine-error.ts';
import type { KeepLockResult } from './types.ts';

function isExpiredLock(error: unknown): boolean {
  return error instanceof EngineError && error.status === 400 && /lock that expired/i.test(error.message);
}

/** Why the task is no longer ours, when the error says so. */
function lostReason(error: unknown): KeepLockResult | undefined {
  if (!(error instanceof EngineError)) return undefined;
  if (error.kind === 'gone') {
    return { status: 'lost', kind: 'gone', reason: `the task is gone (${error.message})` };
  }
  if (error.kind === 'lost') return { status: 'lost', kind: 'lost', reason: error.message };
  return undefined;
}

/**
 * Extends the lock to `lockDurationMs` from now, or takes it again if it expired. Returns `lost` when the task
 * is gone or held by another worker; throws the EngineError otherwise (the engine did not answer, …).
 */
export async function keepLock(
  camunda: CamundaClient,
  command: { taskId: string; workerId: string; lockDurationMs: number },
): Promise<KeepLockResult> {
  const { taskId, workerId, lockDurationMs } = command;
  try {
    await camunda.extendLock(taskId, { workerId, newDuration: lockDurationMs });
    return { status: 'extended' };
  } catch (error) {
    const lost = lostReason(error);
    if (lost) return lost;
    if (!isExpiredLock(error)) throw error;
  }
  try {
    await camunda.lock(taskId, { workerId, lockDuration: lockDurationMs });
    return { status: 'relocked' };
  } catch (error) {
    const lost = lostReason(error);
    if (lost) return lost;
    throw error;
  }
}
