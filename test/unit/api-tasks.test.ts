/**
 * GET /tasks when Temporal fails the list (unreachable, too slow, or a server without BPTL's search attributes):
 * a 503 that says so, not a 500 (found by chaos/api-fuzz.ts against a Temporal not set up for BPTL); and the
 * list runs under a deadline, so that a Temporal that does not answer cannot hang the request.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import Long from 'long';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';

let api: TestApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A gRPC error as @grpc/grpc-js throws it (a code, details and metadata). */
function grpcError(message: string): Error {
  return Object.assign(new Error(message), {
    code: 3,
    details: message.replace(/^\d+ [A-Z_]+: /, ''),
    metadata: {},
  });
}

/** A Client whose list fails as the gRPC service does, recording deadlines. */
function failingTemporal(cause: Error, deadlines: number[]): Client {
  return {
    options: { namespace: 'default' },
    connection: {
      withDeadline: (deadline: number, fn: () => Promise<unknown>) => {
        deadlines.push(deadline);
        return fn();
      },
    },
    workflowService: {
      listWorkflowExecutions: async () => {
        throw cause;
      },
    },
  } as unknown as Client;
}

describe('GET /tasks', () => {
  it('says 503 naming the cause when Temporal cannot list, under a deadline', async () => {
    const deadlines: number[] = [];
    const cause = grpcError('3 INVALID_ARGUMENT: invalid query: invalid search attribute: BptlTopic');
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

describe('GET /tasks with a row this process cannot decode', () => {
  /** A Client whose list answers two executions: one with a memo its codec cannot decode. */
  function temporalWithMemos(): Client {
    const converter = {
      payloadConverter: defaultPayloadConverter,
      failureConverter: undefined,
      payloadCodecs: [
        {
          encode: async (p: unknown[]) => p,
          decode: async (payloads: Array<{ metadata?: Record<string, Uint8Array> }>) => {
            if (
              payloads.some(
                (p) =>
                  p.metadata?.encoding && Buffer.from(p.metadata.encoding).toString() === 'binary/encrypted',
              )
            ) {
              throw new Error('no key k2 for this payload');
            }
            return payloads;
          },
        },
      ],
    };
    const execution = (id: string, memo: Record<string, unknown>) => ({
      execution: { workflowId: id, runId: `${id}-run` },
      type: { name: 'externalTask' },
      startTime: { seconds: Long.fromNumber(1_700_000_000), nanos: 0 },
      historyLength: Long.fromNumber(3),
      status: 1,
      taskQueue: 'bptl',
      memo: { fields: memo },
      searchAttributes: { indexedFields: {} },
    });
    const encrypted = { metadata: { encoding: Buffer.from('binary/encrypted') }, data: Buffer.from('x') };
    return {
      options: { namespace: 'default', loadedDataConverter: converter },
      connection: { withDeadline: (_: number, fn: () => Promise<unknown>) => fn() },
      workflowService: {
        listWorkflowExecutions: async () => ({
          executions: [
            execution('camunda/local/a', { state: defaultPayloadConverter.toPayload({ reason: 'waits' }) }),
            execution('camunda/local/b', { state: encrypted }),
          ],
        }),
      },
    } as unknown as Client;
  }

  it('lists every row, and says of the unreadable one why', async () => {
    api = await createTestApi({ temporal: temporalWithMemos() });
    const res = await api.request('GET', '/tasks', { token: VIEWER_TOKEN });
    expect(res.status, api.logLines.join('\n')).toBe(200);
    const rows = (await res.json()) as Array<{ workflowId: string; reason: string | null }>;
    expect(rows.map((r) => r.workflowId)).toEqual(['camunda/local/a', 'camunda/local/b']);
    expect(rows[0]?.reason).toBe('waits');
    expect(rows[1]?.reason).toContain('the memo cannot be decoded (no key k2 for this payload)');
  });
});
