/**
 * The idempotency key of a task's side effects: the same for every attempt and every workflow run of one
 * Camunda external task (it is derived from the engine's name and the task's id, nothing else), different for
 * any other task. Work units pass it on (`Idempotency-Key` for HTTP) or use it to find their own earlier result,
 * so that an attempt repeated after a crash does not do the same thing twice. UUID-shaped (version 8, from a
 * SHA-256), because many APIs expect a UUID there; it reveals neither the engine nor the task id.
 */
import { createHash } from 'node:crypto';

export function idempotencyKeyOf(engine: string, taskId: string): string {
  const hex = createHash('sha256').update(`bptl\0${engine}\0${taskId}`).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
