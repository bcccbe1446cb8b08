/**
 * The REST calls Camunda receives, counted by kind, from the engine's own access log: Tomcat's AccessLogValve,
 * switched on by Spring Boot's `server.tomcat.accesslog.*` settings (environment variables, no change to the
 * engine). Counting at the engine sees every client alike — the bare worker of the baseline and BPTL — with no
 * proxy in the path to add latency or CPU. Each measurement reads the lines written between its start and its
 * end (byte offsets of the one, unrotated file).
 *
 * Why: Camunda spends more CPU per task under BPTL than under the bare client (issue 17); the calls per task by
 * kind say where from.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Method, path (no query), status, bytes sent (`-` for none), time taken in microseconds (Tomcat 10). */
export const ACCESS_LOG_PATTERN = '%m %U %s %b %D';
const FILE = 'access.log';

/** The environment that makes the local engine write its access log into `dir`. */
export function accessLogEnv(dir: string): Record<string, string> {
  return {
    SERVER_TOMCAT_ACCESSLOG_ENABLED: 'true',
    SERVER_TOMCAT_ACCESSLOG_DIRECTORY: dir,
    SERVER_TOMCAT_ACCESSLOG_PREFIX: 'access',
    SERVER_TOMCAT_ACCESSLOG_SUFFIX: '.log',
    SERVER_TOMCAT_ACCESSLOG_ROTATE: 'false',
    // Unbuffered: a measurement's last lines are in the file when it ends (a write per request, no flush lag).
    SERVER_TOMCAT_ACCESSLOG_BUFFERED: 'false',
    SERVER_TOMCAT_ACCESSLOG_PATTERN: ACCESS_LOG_PATTERN,
  };
}

/** The calls of one kind. */
export interface RequestKindCount {
  count: number;
  /** fetchAndLock answers that carried no task (`[]`: 2 bytes). */
  empty?: number;
  /** Time the engine took on them, summed (ms; a long poll's includes its wait). */
  serverMs: number;
}

export interface RequestCounts {
  total: number;
  byKind: Record<string, RequestKindCount>;
}

const ID = '[^/]+';
const KINDS: Array<[kind: string, method: string, path: RegExp]> = [
  ['fetchAndLock', 'POST', /\/external-task\/fetchAndLock$/],
  ['complete', 'POST', new RegExp(`/external-task/${ID}/complete$`)],
  ['extendLock', 'POST', new RegExp(`/external-task/${ID}/extendLock$`)],
  ['failure', 'POST', new RegExp(`/external-task/${ID}/failure$`)],
  ['bpmnError', 'POST', new RegExp(`/external-task/${ID}/bpmnError$`)],
  ['lock', 'POST', new RegExp(`/external-task/${ID}/lock$`)],
  ['unlock', 'POST', new RegExp(`/external-task/${ID}/unlock$`)],
  ['external-task list', 'GET', /\/external-task$/],
  ['external-task count', 'GET', /\/external-task\/count$/],
  ['external-task get', 'GET', new RegExp(`/external-task/${ID}$`)],
  ['variables get', 'GET', new RegExp(`/(process-instance|execution)/${ID}/variables(/${ID})?$`)],
  ['engine', 'GET', /\/engine$/],
  ['bench: version', 'GET', /\/version$/],
  // The bench's own calls: creating the tasks, reading their outcome from the history.
  ['bench: process start', 'POST', new RegExp(`/process-definition/(key/)?${ID}/start$`)],
  ['bench: history', 'GET', /\/history\//],
  ['bench: history', 'POST', /\/history\//],
  ['bench: deployment', 'POST', /\/deployment\/create$/],
];

/** The kind of a call: a known one, else `METHOD path` with ids replaced by `{id}`. */
export function requestKind(method: string, urlPath: string): string {
  for (const [kind, m, pattern] of KINDS) if (m === method && pattern.test(urlPath)) return kind;
  const generic = urlPath
    .replace(/^\/engine-rest/, '')
    .replace(/\/[0-9a-f]{8}-[0-9a-f-]{27}(?=\/|$)/g, '/{id}')
    .replace(/\/[^/]*:[^/]*(?=\/|$)/g, '/{id}');
  return `${method} ${generic}`;
}

/** Counts the lines of an access log (in ACCESS_LOG_PATTERN) by kind. */
export function countRequests(lines: string): RequestCounts {
  const byKind: Record<string, RequestKindCount> = {};
  let total = 0;
  for (const line of lines.split('\n')) {
    const [method, urlPath, , bytes, micros] = line.trim().split(' ');
    if (!method || !urlPath) continue;
    const kind = requestKind(method, urlPath);
    const entry = byKind[kind] ?? { count: 0, serverMs: 0 };
    byKind[kind] = entry;
    entry.count++;
    total++;
    const us = Number(micros);
    if (Number.isFinite(us)) entry.serverMs += us / 1000;
    if (kind === 'fetchAndLock' && bytes === '2') entry.empty = (entry.empty ?? 0) + 1;
  }
  for (const entry of Object.values(byKind)) entry.serverMs = Math.round(entry.serverMs);
  return { total, byKind };
}

/** The engine's access log, read by byte offset: `mark()` before a measurement, `since(mark)` after it. */
export class CamundaAccessLog {
  readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, FILE);
  }

  /** The current end of the log (0 when it is not written yet). */
  mark(): number {
    return existsSync(this.file) ? statSync(this.file).size : 0;
  }

  /** The calls logged since `offset`. */
  since(offset: number): RequestCounts {
    if (!existsSync(this.file)) return { total: 0, byKind: {} };
    const text = readFileSync(this.file).subarray(offset).toString('utf8');
    return countRequests(text);
  }
}
