/**
 * The bench's count of Camunda's REST calls by kind, from the engine's access log (bench/camunda-requests.ts):
 * each worker call and each of the bench's own calls gets its kind, empty long polls are told apart, and a
 * measurement reads only the lines written after its mark.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { accessLogEnv, CamundaAccessLog, countRequests, requestKind } from '../../bench/camunda-requests.ts';

const id = '5f0e1c2a-1b2c-11ef-9a3b-0242ac120002';

describe('requestKind', () => {
  it.each([
    ['POST', '/engine-rest/external-task/fetchAndLock', 'fetchAndLock'],
    ['POST', `/engine-rest/external-task/${id}/complete`, 'complete'],
    ['POST', `/engine-rest/external-task/${id}/extendLock`, 'extendLock'],
    ['POST', `/engine-rest/external-task/${id}/failure`, 'failure'],
    ['POST', `/engine-rest/external-task/${id}/bpmnError`, 'bpmnError'],
    ['POST', `/engine-rest/external-task/${id}/unlock`, 'unlock'],
    ['GET', '/engine-rest/external-task', 'external-task list'],
    ['GET', `/engine-rest/external-task/${id}`, 'external-task get'],
    ['GET', `/engine-rest/process-instance/${id}/variables`, 'variables get'],
    ['GET', '/engine-rest/engine', 'engine'],
    ['POST', '/engine-rest/process-definition/key/bench-x/start', 'bench: process start'],
    ['GET', '/engine-rest/history/external-task-log/count', 'bench: history'],
  ])('%s %s is %s', (method, urlPath, kind) => {
    expect(requestKind(method, urlPath)).toBe(kind);
  });

  it('names an unknown call by method and path, its ids replaced', () => {
    expect(requestKind('DELETE', `/engine-rest/process-instance/${id}`)).toBe(
      'DELETE /process-instance/{id}',
    );
    expect(requestKind('GET', '/engine-rest/process-definition/bench-x:1:42/xml')).toBe(
      'GET /process-definition/{id}/xml',
    );
  });
});

describe('countRequests', () => {
  it('counts by kind, tells empty long polls apart, and sums the engine time in ms', () => {
    const counts = countRequests(
      [
        'POST /engine-rest/external-task/fetchAndLock 200 2 20000000',
        'POST /engine-rest/external-task/fetchAndLock 200 812 3000',
        `POST /engine-rest/external-task/${id}/complete 204 - 1500`,
        `POST /engine-rest/external-task/${id}/complete 204 - 2500`,
        '',
      ].join('\n'),
    );
    expect(counts).toEqual({
      total: 4,
      byKind: {
        fetchAndLock: { count: 2, empty: 1, serverMs: 20003 },
        complete: { count: 2, serverMs: 4 },
      },
    });
  });
});

describe('CamundaAccessLog', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads only what was logged after the mark, and nothing before the engine wrote the file', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bptl-access-log-'));
    const log = new CamundaAccessLog(dir);
    expect(log.mark()).toBe(0);
    expect(log.since(0)).toEqual({ total: 0, byKind: {} });
    writeFileSync(log.file, 'POST /engine-rest/external-task/fetchAndLock 200 2 1000\n');
    const mark = log.mark();
    appendFileSync(log.file, `POST /engine-rest/external-task/${id}/complete 204 - 1000\n`);
    expect(log.since(mark)).toEqual({ total: 1, byKind: { complete: { count: 1, serverMs: 1 } } });
  });

  it("writes where the engine's Spring Boot settings put it", () => {
    const env = accessLogEnv('/x/logs');
    expect(env).toMatchObject({
      SERVER_TOMCAT_ACCESSLOG_ENABLED: 'true',
      SERVER_TOMCAT_ACCESSLOG_DIRECTORY: '/x/logs',
      SERVER_TOMCAT_ACCESSLOG_ROTATE: 'false',
    });
    expect(new CamundaAccessLog('/x/logs').file).toBe('/x/logs/access.log');
  });
});
