/**
 * About how many bytes a value takes as JSON, without serialising it: the lengths of its strings and keys, and a
 * few bytes for every other value. The poller sizes a task's input with it (a megabyte of variables must not be
 * copied once more just to be measured). Counts UTF-16 code units, so text outside ASCII is under-counted by up
 * to three times; escapes are not counted. Good enough for choosing a time-out, not for enforcing a limit.
 */
export function approximateJsonBytes(value: unknown): number {
  let bytes = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') bytes += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'bigint') bytes += 8;
    else if (typeof v === 'boolean' || v === null || v === undefined) bytes += 5;
    else if (Array.isArray(v)) {
      bytes += 2 + v.length;
      for (const item of v) stack.push(item);
    } else if (typeof v === 'object') {
      bytes += 2;
      for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
        bytes += key.length + 4;
        stack.push(item);
      }
    }
  }
  return bytes;
}
