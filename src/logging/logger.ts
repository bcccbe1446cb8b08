/**
 * A small structured logger: one line per event, `time level [name] message key=value…` on stderr, or JSON
 * lines when LOG_FORMAT=json. Secrets never go in: callers pass ids and names, not credentials.
 *
 * An Error field is written with its name, message, stack and causes (serialize-error.ts): in JSON as a nested
 * object, in text as its message on the line and its stack and causes on the indented lines that follow.
 */
import { errorReplacer, formatErrorLines } from './serialize-error.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(name: string): Logger;
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value, errorReplacer) ?? String(value);
}

/**
 * A logger named `name` (children add `.child`), at LOG_LEVEL (default info) and in LOG_FORMAT (json, else
 * text), writing each event with one call of `write` (default: a line on stderr).
 */
export function createLogger(
  name: string,
  options: { level?: LogLevel; json?: boolean; write?: (line: string) => void } = {},
): Logger {
  const level = options.level ?? ((process.env.LOG_LEVEL as LogLevel | undefined) || 'info');
  const json = options.json ?? process.env.LOG_FORMAT === 'json';
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const min = ORDER[level] ?? ORDER.info;
  const log = (lvl: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < min) return;
    const time = new Date().toISOString();
    if (json) {
      write(JSON.stringify({ time, level: lvl, logger: name, message, ...fields }, errorReplacer));
      return;
    }
    const extra = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(' ');
    // The stacks follow in the same write, every line indented: a reader that joins indented continuation
    // lines (a log shipper's multi-line rule, `grep -A`) keeps them with their event.
    const stacks = Object.values(fields).flatMap((v) => (v instanceof Error ? formatErrorLines(v) : []));
    write(
      [
        `${time} ${lvl.toUpperCase().padEnd(5)} [${name}] ${message}${extra ? ` ${extra}` : ''}`,
        ...stacks,
      ].join('\n'),
    );
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (child) => createLogger(`${name}.${child}`, { level, json, write }),
  };
}
