/**
 * How an error is written to a log line: its name, message, stack and chain of causes (and an AggregateError's
 * errors), as a plain object for JSON lines, or as indented lines under the event for the text format. Only
 * those fields: an error's own properties are never written, since some carry secrets (an HTTP client's error
 * holds the request's config with its Authorization header).
 */

/** How many causes below the logged error are written; a longer chain ends in a marker. */
export const MAX_CAUSE_DEPTH = 5;

/** How many errors of an AggregateError are written. */
export const MAX_AGGREGATED_ERRORS = 10;

/** An error as a log line holds it. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /**
   * The cause: an error, a primitive as text, or a marker: `[circular]` (one of the errors it is the cause
   * of), `[shown above]` (an error written earlier in this log field), `[more causes not shown]`.
   */
  cause?: SerializedError | string;
  /** An AggregateError's errors, the first MAX_AGGREGATED_ERRORS of them. */
  errors?: Array<SerializedError | string>;
}

const CIRCULAR = '[circular]';
const SHOWN = '[shown above]';
const TOO_DEEP = '[more causes not shown]';

/** A cause that is not an Error, as text: primitives as they are; an object by its type only. */
function describeNonError(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return `[non-error ${Array.isArray(value) ? 'array' : 'object'}]`;
}

/** `seen`: every error written so far; `ancestors`: the errors this one is (a cause of) a cause of. */
function serialize(error: Error, depth: number, seen: Set<Error>, ancestors: Set<Error>): SerializedError {
  seen.add(error);
  const path = new Set(ancestors).add(error);
  const out: SerializedError = { name: String(error.name), message: String(error.message) };
  if (typeof error.stack === 'string') out.stack = error.stack;
  const child = (value: unknown, nextDepth: number): SerializedError | string => {
    if (!(value instanceof Error)) return describeNonError(value);
    if (path.has(value)) return CIRCULAR;
    if (seen.has(value)) return SHOWN;
    if (nextDepth > MAX_CAUSE_DEPTH) return TOO_DEEP;
    return serialize(value, nextDepth, seen, path);
  };
  if (error.cause !== undefined) out.cause = child(error.cause, depth + 1);
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    const errors = error.errors as unknown[];
    out.errors = errors.slice(0, MAX_AGGREGATED_ERRORS).map((e) => child(e, depth + 1));
    if (errors.length > MAX_AGGREGATED_ERRORS) {
      out.errors.push(`[${errors.length - MAX_AGGREGATED_ERRORS} more errors not shown]`);
    }
  }
  return out;
}

/**
 * An error as a plain object: `{ name, message, stack, cause, errors }`, the causes followed up to
 * MAX_CAUSE_DEPTH deep, a cycle marked `[circular]` and an error met twice `[shown above]`. Nothing else of
 * the error is read.
 */
export function serializeError(error: Error): SerializedError {
  return serialize(error, 0, new Set(), new Set());
}

/**
 * A JSON.stringify replacer that writes every Error, at any depth, as serializeError does — instead of its
 * `toJSON` (an AxiosError's includes the request config) or its own enumerable properties.
 */
export function errorReplacer(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify has called toJSON already; the holder still has the value itself.
  const original = (this as Record<string, unknown> | undefined)?.[key];
  return original instanceof Error ? serializeError(original) : value;
}

/** The stack, or `name: message` when there is none; every line after the first indented by `indent`. */
function headAndFrames(error: SerializedError, indent: string): string[] {
  const text = error.stack ?? `${error.name}: ${error.message}`;
  return text.split('\n').map((line, i) => (i === 0 ? line : `${indent}${line.trimStart()}`));
}

function textLines(error: SerializedError, indent: string, label: string): string[] {
  const [head = '', ...frames] = headAndFrames(error, `${indent}    `);
  const lines = [`${indent}${label}${head}`, ...frames];
  const nested = (value: SerializedError | string, childLabel: string, childIndent: string) =>
    typeof value === 'string'
      ? [`${childIndent}${childLabel}${value}`]
      : textLines(value, childIndent, childLabel);
  (error.errors ?? []).forEach((e, i) => {
    lines.push(...nested(e, `error [${i}]: `, `${indent}  `));
  });
  if (error.cause !== undefined) lines.push(...nested(error.cause, 'caused by: ', indent));
  return lines;
}

/**
 * An error for the text format: its stack (or `name: message`), then `caused by: …` with each cause's stack,
 * and an AggregateError's errors as `error [i]: …`; every line indented by at least `indent`, so that the
 * event's first line stays the only unindented one.
 */
export function formatErrorLines(error: Error, indent = '  '): string[] {
  return textLines(serializeError(error), indent, '');
}
