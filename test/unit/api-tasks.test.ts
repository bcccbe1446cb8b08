/**
 * GET /tasks when Temporal fails the list (unreachable, too slow, or a server without BPTL's search attributes):
 * a 503 that says so, not a 500 (found by chaos/api-fuzz.ts against a Temporal not set up for BPTL); and the
 * list runs under a deadline, so that a Temporal that does not answer cannot hang the request.
 */
import { type Client, ServiceError } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';

let api: TestApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A Client whose list fails as the SDK does (a ServiceError around the gRPC error), recording deadlines. */
function failingTemporal(cause: Error, deadlines: number[]): Client {
  return {
    connection: {
      withDeadline: (deadline: number, fn: () => Promise<unknown>) => {
        deadlines.push(deadline);
        return fn();
      },
    },
    workflow: {
      list: () => ({
        // biome-ignore lint/correctness/useYield: it fails before the first workflow, as the SDK's does
        async *[Symbol.asyncIterator]() {
          throw new ServiceError('Failed to list workflows', { cause });
        },
      }),
    },
  } as unknown as Client;
}

describe('GET /tasks', () => {
  it('says 503 naming the cause when Temporal cannot list, under a deadline', async () => {
    const deadlines: number[] = [];
    const cause = new Error('3 INVALID_ARGUMENT: invalid query: invalid search attribute: BptlTopic');
    api = await createTestApi({ temporal: failingTemporal(cause, deadlines) });
    const before = Date.now();
    const res = await api.request('GET', '/tasks?state=unit-running', { token: VIEWER_TOKEN });
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect({ status: res.status, body: await res.json() }).toMatchObject({
      status: 503,
      body: {
        status: 503,
        detail:
          'Temporal could not list the workflows: 3 INVALID_ARGUMENT: invalid query: invalid search attribute: BptlTopic',
      },
    });
    expect(deadlines).toHaveLength(1);
    expect(deadlines[0]! - before).toBeGreaterThanOrEqual(1000);
    expect(deadlines[0]! - before).toBeLessThanOrEqual(30_000);
  });
});
