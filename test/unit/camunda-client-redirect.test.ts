/**
 * The engine client follows no redirect (src/engine/camunda-client.ts): a 3xx answer becomes an EngineError
 * that says where it pointed and what to change, and the target is never called. A loopback server answers
 * 307 on /old/… and would complete the task on /new/….
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
import { EngineError } from '../../src/engine/engine-error.ts';
import { listenOnLoopback } from '../support/loopback.ts';

const hits: string[] = [];
const server = createServer((req, res) => {
  hits.push(`${req.method} ${req.url}`);
  req.resume();
  if (req.url?.startsWith('/old/')) {
    res.writeHead(307, { location: `/new/${req.url.slice('/old/'.length)}?token=secret` }).end();
  } else {
    res.writeHead(204).end();
  }
});
let origin: string;
beforeAll(async () => {
  origin = await listenOnLoopback(server);
});
afterAll(() => {
  server.close();
});

it('does not follow a redirect, and names its target without the query', async () => {
  const client = new CamundaClient({ baseUrl: `${origin}/old/engine-rest` });
  const error = await client.complete('t-1', { workerId: 'w' }).then(
    () => expect.fail('a redirect must not complete the task'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).status).toBe(307);
  expect((error as EngineError).message).toContain(
    "the engine answered HTTP 307, a redirect to /new/engine-rest/external-task/t-1/complete, which BPTL does not follow: set the engine's url",
  );
  expect((error as EngineError).message).not.toContain('secret');
  expect(hits).toEqual(['POST /old/engine-rest/external-task/t-1/complete']);
});
