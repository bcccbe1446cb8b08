/** The start-error classifier: which failed workflow starts can never succeed, and what the operator reads. */
import { ServiceError } from '@temporalio/client';
import { PayloadConverterError, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { truncateErrorMessage } from '../../src/engine/error-message.ts';
import {
  classifyStartError,
  deterministicStartMessage,
  startErrorDetails,
  transientStartMessage,
} from '../../src/poller/start-error.ts';

const STATUS = {
  DEADLINE_EXCEEDED: 4,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
} as const;

/** A gRPC error as @grpc/grpc-js throws it (the message is "<code> <NAME>: <details>"). */
function grpc(name: keyof typeof STATUS, details: string): Error {
  return Object.assign(new Error(`${STATUS[name]} ${name}: ${details}`), {
    code: STATUS[name],
    details,
    metadata: {},
  });
}

/** Wrapped as the Temporal client wraps it. */
function service(cause: Error, message = 'Failed to start Workflow'): ServiceError {
  return new ServiceError(message, { cause });
}

describe('classifyStartError', () => {
  it('calls a payload over the blob size limit deterministic, too large', () => {
    // As the dev server answers a start whose argument is 2.5 MB (see test/integration/poller-starts.test.ts).
    expect(classifyStartError(service(grpc('INVALID_ARGUMENT', 'Blob data size exceeds limit.')))).toEqual({
      kind: 'deterministic',
      status: 'INVALID_ARGUMENT',
      detail: 'Blob data size exceeds limit.',
      tooLarge: {},
    });
  });

  it('reads the size and the limit from a gRPC message that is too large, server- or client-side', () => {
    const server = grpc('RESOURCE_EXHAUSTED', 'grpc: received message larger than max (5243032 vs. 4194304)');
    expect(classifyStartError(service(server))).toMatchObject({
      kind: 'deterministic',
      status: 'RESOURCE_EXHAUSTED',
      tooLarge: { sizeBytes: 5_243_032, limitBytes: 4_194_304 },
    });
    const client = grpc('RESOURCE_EXHAUSTED', 'Sent message larger than max (6000000 vs. 4194304)');
    expect(classifyStartError(client)).toMatchObject({
      kind: 'deterministic',
      tooLarge: { sizeBytes: 6_000_000, limitBytes: 4_194_304 },
    });
  });

  it('finds a size error in other shapes: memo, search attributes, BlobSizeLimitError', () => {
    for (const error of [
      service(grpc('INVALID_ARGUMENT', 'Memo size exceeds limit.')),
      service(
        grpc('INVALID_ARGUMENT', 'search attribute BptlBusinessKey value size 3000 exceeds size limit 2048'),
      ),
      new Error('WorkflowTaskFailed: BlobSizeLimitError'),
    ]) {
      expect(classifyStartError(error)).toMatchObject({ kind: 'deterministic', tooLarge: {} });
    }
  });

  it('calls INVALID_ARGUMENT, FAILED_PRECONDITION and converter errors deterministic', () => {
    const invalid = classifyStartError(
      service(grpc('INVALID_ARGUMENT', 'WorkflowId is not set on request.')),
    );
    expect(invalid).toEqual({
      kind: 'deterministic',
      status: 'INVALID_ARGUMENT',
      detail: 'WorkflowId is not set on request.',
    });
    expect(
      classifyStartError(service(grpc('FAILED_PRECONDITION', 'Namespace default is not active'))).kind,
    ).toBe('deterministic');
    expect(classifyStartError(new PayloadConverterError('Unable to convert [object Object]')).kind).toBe(
      'deterministic',
    );
  });

  it('calls unavailable, deadlines, rate limits, "already started" and anything unknown transient', () => {
    for (const error of [
      service(
        grpc('UNAVAILABLE', 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1.'),
      ),
      service(grpc('DEADLINE_EXCEEDED', 'Deadline exceeded')),
      service(grpc('RESOURCE_EXHAUSTED', 'namespace rate limit exceeded')),
      service(grpc('FAILED_PRECONDITION', 'Workflow execution already started')),
      new WorkflowExecutionAlreadyStartedError(
        'Workflow execution already started',
        'camunda/e/t',
        'externalTask',
      ),
      new Error('socket hang up'),
      'a string',
      undefined,
    ]) {
      expect(classifyStartError(error).kind).toBe('transient');
    }
    expect(classifyStartError(service(grpc('UNAVAILABLE', 'No connection established.')))).toEqual({
      kind: 'transient',
      status: 'UNAVAILABLE',
      detail: 'No connection established.',
    });
  });
});

describe('the messages', () => {
  it('says how large the input is and what the limit is', () => {
    const blob = classifyStartError(service(grpc('INVALID_ARGUMENT', 'Blob data size exceeds limit.')));
    const message = deterministicStartMessage(blob, 2_621_790);
    expect(message).toMatch(
      /^BPTL cannot start a workflow for this task: the task's input is larger than Temporal accepts \(2621790 bytes; limit 2097152 bytes by default, Temporal's blob size limit\)\. Temporal said: INVALID_ARGUMENT: Blob data size exceeds limit\. Fetch only/,
    );
    expect(message.length).toBeLessThanOrEqual(666);
    const grpcMessage = classifyStartError(
      grpc('RESOURCE_EXHAUSTED', 'grpc: received message larger than max (5243032 vs. 4194304)'),
    );
    expect(deterministicStartMessage(grpcMessage, 1)).toContain(
      '(5243032 bytes; limit 4194304 bytes per gRPC message)',
    );
  });

  it("quotes the server's words for another refusal", () => {
    const refused = classifyStartError(
      service(grpc('INVALID_ARGUMENT', 'WorkflowId is not set on request.')),
    );
    expect(deterministicStartMessage(refused, 10)).toBe(
      'BPTL cannot start a workflow for this task: Temporal refused it: INVALID_ARGUMENT: WorkflowId is not set ' +
        'on request. Retrying will not help until that is fixed.',
    );
  });

  it('says when Camunda offers the task again, and when it will not', () => {
    const down = classifyStartError(service(grpc('UNAVAILABLE', 'No connection established.')));
    expect(transientStartMessage(down, 5, 60_000, 2)).toBe(
      'BPTL could not start a workflow for this task (5 tries): Temporal: UNAVAILABLE: No connection ' +
        'established. Camunda offers it again in 60 s (2 retries left).',
    );
    expect(transientStartMessage(down, 5, 60_000, 0)).toMatch(
      /established\. No retries left: retry the incident/,
    );
    const dangling = classifyStartError(
      grpc('UNAVAILABLE', 'Last error: connect ECONNREFUSED. Resolution note: '),
    );
    expect(transientStartMessage(dangling, 2, 1_000, 1)).toContain('ECONNREFUSED. Resolution note. Camunda');
    const noStatus = classifyStartError(new Error('socket hang up'));
    expect(transientStartMessage(noStatus, 1, 1_000, 1)).toBe(
      'BPTL could not start a workflow for this task (1 try): Temporal: socket hang up. Camunda offers it ' +
        'again in 1 s (1 retry left).',
    );
  });

  it('keeps a long server message within Camunda’s 666 characters', () => {
    const long = classifyStartError(service(grpc('INVALID_ARGUMENT', 'x'.repeat(2_000))));
    const message = truncateErrorMessage(deterministicStartMessage(long, 1));
    expect(message).toHaveLength(666);
    expect(message.endsWith('…')).toBe(true);
  });

  it('puts the workflow id and the whole chain with stacks in the details', () => {
    const details = startErrorDetails(
      service(grpc('INVALID_ARGUMENT', 'Blob data size exceeds limit.')),
      'camunda/e/t-1',
    );
    expect(details).toMatch(/^workflow id: camunda\/e\/t-1\nServiceError: Failed to start Workflow\n\s+at /);
    expect(details).toContain('Caused by: Error: 3 INVALID_ARGUMENT: Blob data size exceeds limit.\n');
    expect(startErrorDetails('a string', 'w')).toBe('workflow id: w\na string');
  });
});
