/**
 * A failed outbound HTTP call never carries its credentials into what an operator sees: the error printed by
 * `util.inspect` (as `console.error` does), a JSON log line, or a work unit's failure. It does carry what
 * they need: the operation, the status and the stack. A loopback server answers 500 to every request.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
import { EngineError } from '../../src/engine/engine-error.ts';
import { NonRetryableError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { ServiceAuth } from '../../src/store/schemas.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { createServiceClient } from '../../src/work-units/service-clients.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';
import { listenOnLoopback } from '../support/loopback.ts';

const PASSWORD = 'S3cret-p4ss';
const TOKEN = 'tok-Bearer-9f8e7d';
const API_KEY = 'key-4b3c2a1';
const QUERY_SECRET = 'q-secret-77';

const seen: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
  seen.push(req.headers);
  req.resume();
  res
    .writeHead(500, { 'content-type': 'application/json' })
    .end(JSON.stringify({ type: 'ProcessEngineException', message: 'the database is gone' }));
});
let origin: string;
beforeAll(async () => {
  origin = await listenOnLoopback(server);
});
afterAll(() => {
  server.close();
});

/** What an operator may see of an error: printed deeply, and as the logger's JSON line. */
function printed(error: unknown): { inspected: string; logged: string } {
  const lines: string[] = [];
  createLogger('t', { json: true, write: (l) => lines.push(l) }).error('call failed', { error });
  return {
    inspected: inspect(error, { depth: 10 }),
    logged: JSON.stringify(lines.map((l) => JSON.parse(l))),
  };
}

function expectNoSecrets(text: string, secrets: string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/authorization/i);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('the call should have failed'),
    (error: unknown) => error,
  );
}

describe('CamundaClient with basic auth, against an engine that answers 500', () => {
  it('fails with an EngineError that names the call and the status, keeps the stack, and no credentials', async () => {
    const camunda = new CamundaClient({
      baseUrl: `${origin}/engine-rest`,
      auth: { type: 'basic', username: 'bptl', password: PASSWORD },
    });
    const error = await rejection(camunda.complete('t-1', { workerId: 'w' }));
    const basic = Buffer.from(`bptl:${PASSWORD}`).toString('base64');
    // The credentials were sent, so there was something to leak.
    expect(seen.at(-1)?.authorization).toBe(`Basic ${basic}`);

    expect(error).toBeInstanceOf(EngineError);
    const engineError = error as EngineError;
    expect(engineError.status).toBe(500);
    expect(engineError.message).toBe('POST /external-task/t-1/complete: the database is gone');
    const cause = engineError.cause as Error;
    expect(cause.stack).toMatch(/\n\s+at /);

    const { inspected, logged } = printed(engineError);
    expectNoSecrets(inspected, [PASSWORD, basic, Buffer.from(PASSWORD).toString('base64')]);
    expectNoSecrets(logged, [PASSWORD, basic, Buffer.from(PASSWORD).toString('base64')]);
    for (const text of [inspected, logged]) {
      expect(text).toContain('POST /external-task/t-1/complete');
      expect(text).toContain('500');
    }
    // The cause's stack, frame by frame (JSON escapes the line breaks).
    const frames = cause.stack!.split('\n').filter((line) => /^\s+at /.test(line));
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      expect(inspected).toContain(frame.trim());
      expect(logged).toContain(frame.trim());
    }
    expect(JSON.parse(logged)[0].error.cause.stack).toBe(cause.stack);
  });
});

describe('a service client against a service that answers 500', () => {
  const cases: Array<{ auth: ServiceAuth; secrets: string[] }> = [
    { auth: { type: 'bearer', token: TOKEN }, secrets: [TOKEN] },
    { auth: { type: 'api-key', header: 'X-Api-Key', key: API_KEY }, secrets: [API_KEY, 'x-api-key'] },
  ];

  for (const { auth, secrets } of cases) {
    it(`with ${auth.type} auth fails with an error that names the request and the status, and no credentials`, async () => {
      const lines: string[] = [];
      const client = createServiceClient(
        { name: 'zrc', baseUrl: `${origin}/api/v1`, auth },
        createLogger('t', { json: true, write: (l) => lines.push(l) }),
      );
      const error = await rejection(client.get(`/zaken?token=${QUERY_SECRET}`));
      expect(seen.at(-1)).toMatchObject(
        auth.type === 'bearer' ? { authorization: `Bearer ${TOKEN}` } : { 'x-api-key': API_KEY },
      );

      const { inspected, logged } = printed(error);
      for (const text of [inspected, logged, lines.join('\n')]) {
        expectNoSecrets(text, [...secrets, QUERY_SECRET]);
        expect(text).toContain('500');
      }
      for (const text of [inspected, logged]) expect(text).toContain(`GET ${origin}/api/v1/zaken`);
      const stack = (error as Error).stack!;
      expect(stack).toMatch(/\n\s+at /);
      expect(JSON.parse(logged)[0].error.stack).toBe(stack);
      // What a unit written for axios reads still works.
      expect((error as { response?: { status?: number } }).response?.status).toBe(500);
    });
  }

  it('lets a work unit’s failure carry the request error as its cause, without the credentials', async () => {
    const lines: string[] = [];
    const getZaak = defineWorkUnit({
      name: 'get-zaak',
      description: 'reads a zaak',
      services: ['zrc'],
      input: z.object({}),
      output: z.object({}),
      run: async ({ services }) => {
        try {
          await services.zrc!.get(`/zaken/1?token=${QUERY_SECRET}`);
        } catch (error) {
          throw new NonRetryableError('cannot read the zaak', { cause: error });
        }
        return {};
      },
    });
    const result = await runWorkUnit(
      getZaak,
      {},
      {
        services: { zrc: { baseUrl: `${origin}/api/v1`, auth: { type: 'bearer', token: TOKEN } } },
        logger: createLogger('t', { level: 'debug', write: (l) => lines.push(l) }),
      },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, message: 'cannot read the zaak' });
    if (result.outcome !== 'failed') return;
    const inspected = inspect(result.error, { depth: 10 });
    for (const text of [inspected, lines.join('\n')]) expectNoSecrets(text, [TOKEN, QUERY_SECRET]);
    expect(inspected).toContain(`GET ${origin}/api/v1/zaken/1`);
    expect(inspected).toContain('500');
  });
});
