/**
 * What an engine error means for the call that got it (EngineError.kind): the workflow retries the transient
 * ones, waits on a suspended instance, raises an incident after a few refusals, and gives up on a lost task.
 * The bodies are Camunda 7.24's own (see shared/REFERENCE.md and test/integration/failure-paths.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/engine-error.ts';

const op = 'POST /external-task/t1/complete';
const answer = (status: number | undefined, message: string, engineType?: string, engineCode?: number) =>
  new EngineError(op, message, {
    ...(status !== undefined ? { status } : {}),
    ...(engineType ? { engineType } : {}),
    ...(engineCode !== undefined ? { engineCode } : {}),
  });

describe('EngineError.kind', () => {
  it.each([
    ['no answer', answer(undefined, 'the engine did not answer (ECONNREFUSED)'), 'unavailable'],
    ['502', answer(502, 'Bad Gateway'), 'unavailable'],
    ['503', answer(503, 'Service Unavailable'), 'unavailable'],
    ['429', answer(429, 'Too Many Requests'), 'unavailable'],
    [
      'optimistic locking',
      answer(500, 'ENGINE-03005 Execution of UPDATE … failed', 'OptimisticLockingException', 1),
      'unavailable',
    ],
    ['a deadlock', answer(500, 'deadlock detected', 'ProcessEngineException', 10_000), 'unavailable'],
    [
      'the server shutting down',
      answer(500, 'Request rejected due to shutdown of application server.', 'RestException'),
      'unavailable',
    ],
    [
      'the task gone',
      answer(404, 'External task with id t1 does not exist', 'InvalidRequestException'),
      'gone',
    ],
    [
      'another worker',
      answer(
        400,
        "External Task t1 cannot be completed by worker 'a'. It is locked by worker 'b'.",
        'RestException',
      ),
      'lost',
    ],
    [
      'a suspended instance (7.24: 400)',
      answer(400, "ENGINE-03043 ExternalTask with id 't1' is suspended.", 'RestException', 0),
      'suspended',
    ],
    [
      'a suspended instance (500)',
      answer(500, 'is suspended', 'SuspendedEntityInteractionException'),
      'suspended',
    ],
    [
      'a value the engine cannot convert',
      answer(
        400,
        "Cannot convert value 'x' of type 'Date' to java type java.util.Date",
        'InvalidRequestException',
      ),
      'rejected',
    ],
    [
      'the next step failing',
      answer(
        500,
        "Unknown property used in expression: ${reviewer}. Cause: Cannot resolve identifier 'reviewer'",
        'ProcessEngineException',
        0,
      ),
      'refused',
    ],
  ])('%s → %s', (_what, error, kind) => {
    expect(error.kind).toBe(kind);
    expect(error.isRetryable).toBe(kind === 'unavailable');
  });
});
