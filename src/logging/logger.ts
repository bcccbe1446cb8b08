/**
 * A small structured logger: one line per event, `time level [name] message key=value…` on stderr, or JSON
 * lines when LOG_FORMAT=json. Secrets never go in: callers pass ids and names, not credentials.
 */
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
  return JSON.stringify(value) ?? String(value);
}

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
      const record: Record<string, unknown> = { time, level: lvl, logger: name, message };
      for (const [k, v] of Object.entries(fields)) record[k] = v instanceof Error ? v.message : v;
      write(JSON.stringify(record));
      return;
    }
    const extra = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(' ');
    write(`${time} ${lvl.toUpperCase().padEnd(5)} [${name}] ${message}${extra ? ` ${extra}` : ''}`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (child) => createLogger(`${name}.${child}`, { level, json, write }),
  };
}
