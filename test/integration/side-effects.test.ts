/**
 * Side effects once: a `bptl worker` (a child process) killed with SIGKILL while the built-in `http-request`
 * unit waits for its answer, and a new worker started. The server the unit calls (on loopback, in this test)
 * holds the first request open and answers the second. Temporal runs the unit again on the new worker, and the
 * retried request carries the same `Idempotency-Key` as the first: a server that honours the header would do
 * the side effect once. Camunda sees the task completed once and the process instance completed.
 *
 * The poller runs in this process (the harness); the workers are `bptl worker` child processes. Every wait
 * waits on an event or polls a condition; nothing asserts on a sleep.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { encodeVariables } from '../../src/engine/variables.ts';
import { historicVariables, waitForProcessEnd } from '../../src/local/demo.ts';
import { idempotencyKeyOf } from '../../src/work-units/idempotency-key.ts';
import { createHarness, ENGINE, workerProcesses } from './harness.ts';

/** What the server saw of each request, in order of arrival. */
interface Received {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  at: number;
}

/**
 * A server that records each request; the first it never answers (`firstRequest` resolves when it arrives), the
 * others with an order. Closed when the test is done.
 */
async function orderServer() {
  const received: Received[] = [];
  const { promise: firstRequest, resolve: firstArrived } = Promise.withResolvers<void>();
  const server = createServer((req, res) => {
    const key = req.headers['idempotency-key'];
    received.push({
      method: req.method ?? '',
      path: req.url ?? '',
      idempotencyKey: Array.isArray(key) ? key.join(', ') : key,
      at: Date.now(),
    });
    req.resume(); // read the body, whatever it is
    if (received.length === 1) {
      firstArrived(); // and hold the answer: the worker dies waiting for it
      return;
    }
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'order-1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { received, firstRequest, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('a worker killed while http-request waits for the answer', () => {
  it('sends the retried request with the same Idempotency-Key and completes the task once', {
    timeout: 240_000,
  }, async () => {
    /** Measured figures (durations), printed at the end for the record. */
    const figures: Record<string, number> = {};
    onTestFinished(() => console.log(`side-effects.test.ts figures: ${JSON.stringify(figures)}`));
    const { received, firstRequest, base } = await orderServer();
    const h = await createHarness('side-effects');
    onTestFinished(() => h.close());
    const topic = h.topicName('http');
    // A short heartbeat time-out, so that Temporal gives up on the dead worker's attempt soon.
    // The order server is on loopback: the topic allows its origin explicitly (the outbound policy).
    const settings = {
      lockDurationMs: 30_000,
      heartbeatTimeoutMs: 3_000,
      outbound: { allowedOrigins: [base], errorDetails: false },
    };
    await h.deploy({ key: `${h.id}-http`, topic });
    const processes = await workerProcesses(h, { topic, workUnit: 'http-request', ...settings });
    onTestFinished(() => processes.killAll());
    const startWorker = () => processes.start();
    const first = startWorker();
    h.createPoller([h.topicConfig(topic, 'http-request', settings)]).start();

    const started = await h.camunda.startProcess(`${h.id}-http`, {
      variables: encodeVariables({
        httpMethod: 'POST',
        httpUrl: `${base}/orders`,
        httpBody: { order: 'bread' },
        httpOutput: { orderId: 'id' },
      }),
    });
    // The child bundles the workflows at start: on two cores that can take a while.
    const arrived = await Promise.race([firstRequest.then(() => true), first.exited.then(() => false)]);
    expect(arrived, `${first.name} exited before the request arrived:\n${first.output()}`).toBe(true);

    await first.kill();
    expect((await first.exited).signal).toBe('SIGKILL');
    const killedAt = Date.now();
    const second = startWorker();

    const { state } = await waitForProcessEnd(h.camunda, started.id, 120_000);
    figures.killToCompletionMs = Date.now() - killedAt;
    expect(state, second.output()).toBe('COMPLETED');

    // The server saw the request twice, once per attempt, with the same key: the task's.
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /orders', 'POST /orders']);
    const [held, retried] = received;
    figures.firstToRetriedRequestMs = (retried?.at ?? 0) - (held?.at ?? 0);
    expect(held?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(retried?.idempotencyKey).toBe(held?.idempotencyKey);

    // Camunda recorded one completion of the (one) external task, with the answer's output.
    const completions = await h.camunda.get<Array<{ externalTaskId: string }>>('/history/external-task-log', {
      processInstanceId: started.id,
      successLog: true,
    });
    expect(completions).toHaveLength(1);
    expect(held?.idempotencyKey).toBe(idempotencyKeyOf(ENGINE, completions[0]?.externalTaskId ?? ''));
    const variables = await historicVariables(h.camunda, started.id);
    expect(variables.filter((v) => v.name === 'httpStatus' || v.name === 'orderId')).toEqual([
      { name: 'httpStatus', type: 'Integer', value: 200 },
      { name: 'orderId', type: 'String', value: 'order-1' },
    ]);
  });
});
