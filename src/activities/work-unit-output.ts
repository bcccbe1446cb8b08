/**
 * A work unit's output on its way back to the workflow: values marked `local()` are validated as what they hold
 * and set on the task's execution; the rest is checked against the unit's output schema and encoded as Camunda
 * typed values; a result that does not fit one Temporal payload fails the attempt with its size.
 */
import type { z } from 'zod';
import { formatIssues } from '../config/format-issues.ts';
import { LocalValue, local } from '../engine/variables.ts';
import { PayloadTooLargeError } from '../errors.ts';
import { nonRetryable } from './attempt-failures.ts';
import type { AttemptFailureDetails, WorkUnitResult } from './types.ts';

/** Room left in a payload for what wraps the result (the payload's metadata, the protobuf framing). */
const PAYLOAD_ENVELOPE_BYTES = 1_024;

/**
 * Returns the result when it fits one Temporal payload; else throws PayloadTooLargeError with its size. Without
 * this check the SDK fails the attempt retryably (TMPRL1103, no sizes), and the unit would run again for an
 * output that never fits.
 */
export function withinPayloadLimit(result: WorkUnitResult, limitBytes: number): WorkUnitResult {
  const sizeBytes = Buffer.byteLength(JSON.stringify(result));
  if (sizeBytes + PAYLOAD_ENVELOPE_BYTES > limitBytes) throw new PayloadTooLargeError(sizeBytes, limitBytes);
  return result;
}

/**
 * Validates the unit's output against its schema, and returns the values to encode: those marked `local()` are
 * validated as what they hold and marked again. Throws a non-retryable `OutputError` that names the misfits.
 */
export function checkedOutput(
  output: unknown,
  unitName: string,
  schema: z.ZodType,
  details: AttemptFailureDetails,
): Record<string, unknown> {
  const localNames = new Set<string>();
  const plain: Record<string, unknown> = {};
  if (output !== null && typeof output === 'object') {
    for (const [name, value] of Object.entries(output)) {
      if (value instanceof LocalValue) localNames.add(name);
      plain[name] = value instanceof LocalValue ? value.value : value;
    }
  }
  const checked = schema.safeParse(output !== null && typeof output === 'object' ? plain : output);
  if (!checked.success) {
    throw nonRetryable(
      'OutputError',
      `work unit '${unitName}' returned output that does not fit its schema:\n${formatIssues(checked.error.issues)}`,
      details,
    );
  }
  return Object.fromEntries(
    Object.entries(checked.data as Record<string, unknown>).map(([k, v]) => [
      k,
      localNames.has(k) ? local(v) : v,
    ]),
  );
}
