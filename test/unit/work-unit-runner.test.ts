/** The work-unit runner activity, in Temporal's MockActivityEnvironment: how each kind of failure travels. */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunWorkUnitInput } from '../../src/activities/types.ts';
import { createWorkUnitActivities } from '../../src/activities/work-unit-activities.ts';
import { BpmnError, NonRetryableError, RetryableError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { createRegistry } from '../../src/work-units/registry.ts';

const behaviour: { fn: (input: { name: string }) => Promise<Record<string, unknown>> } = {
  fn: async ({ name }) => ({ greeting: `Hello, ${name}`, at: new Date('2024-01-01T00:00:00Z') }),
};
const greet = defineWorkUnit({
  name: 'greet',
  description: 'greets',
  input: z.object({ name: z.string() }),
  output: z.record(z.string(), z.unknown()),
  run: ({ input }) => behaviour.fn(input),
});
const activities = createWorkUnitActivities(
  createRegistry([greet]),
  createLogger('test', { level: 'error' }),
);

function runInput(variables: RunWorkUnitInput['variables'], workUnit = 'greet'): RunWorkUnitInput {
  return { workUnit, engine: 'e', task: { id: 't1', topicName: 'greetings' }, variables };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

const run = (variables: RunWorkUnitInput['variables'], workUnit?: string) =>
  new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR', () => {}) }).run(
    activities.runWorkUnit,
    runInput(variables, workUnit),
  );

describe('runWorkUnit', () => {
  it('decodes the input, runs the unit and encodes its output', async () => {
    behaviour.fn = async ({ name }) => ({ greeting: `Hello, ${name}`, at: new Date('2024-01-01T00:00:00Z') });
    await expect(run({ name: { type: 'String', value: 'Ada' } })).resolves.toEqual({
      outcome: 'completed',
      variables: {
        greeting: { type: 'String', value: 'Hello, Ada' },
        at: { type: 'Date', value: '2024-01-01T00:00:00.000+0000' },
      },
    });
  });

  it('fails non-retryably when a variable does not fit the input, naming it', async () => {
    const failure = await failureOf(run({ name: { type: 'Integer', value: 5 } }));
    expect(failure.type).toBe('InputError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('name');
    expect(failure.message).toContain("work unit 'greet'");
  });

  it('fails non-retryably when a variable cannot be read, naming it', async () => {
    const failure = await failureOf(run({ name: { type: 'Json', value: '{oops' } }));
    expect(failure.type).toBe('VariableError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^variable 'name': Json value does not parse/);
  });

  it('fails non-retryably when the output cannot be encoded, naming the variable', async () => {
    behaviour.fn = async () => ({ total: Number.NaN });
    const failure = await failureOf(run({ name: { type: 'String', value: 'x' } }));
    expect(failure.type).toBe('VariableError');
    expect(failure.message).toContain("variable 'total'");
  });

  it('passes a RetryableError on as retryable, with its delay', async () => {
    behaviour.fn = async () => {
      throw new RetryableError('rate limited', { retryDelayMs: 5_000 });
    };
    const failure = await failureOf(run({ name: { type: 'String', value: 'x' } }));
    expect(failure.type).toBe('RetryableError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(5_000);
  });

  it('passes a NonRetryableError on as non-retryable', async () => {
    behaviour.fn = async () => {
      throw new NonRetryableError('no such case');
    };
    const failure = await failureOf(run({ name: { type: 'String', value: 'x' } }));
    expect(failure).toMatchObject({ type: 'NonRetryableError', nonRetryable: true, message: 'no such case' });
  });

  it('lets any other error be retried', async () => {
    behaviour.fn = async () => {
      throw new TypeError('boom');
    };
    const failure = await failureOf(run({ name: { type: 'String', value: 'x' } }));
    expect(failure).toMatchObject({ type: 'TypeError', nonRetryable: false, message: 'boom' });
  });

  it('returns a BPMN error as a result with encoded variables', async () => {
    behaviour.fn = async () => {
      throw new BpmnError('NOT_FOUND', 'no such zaak', { zaakUrl: null, tries: 2 });
    };
    await expect(run({ name: { type: 'String', value: 'x' } })).resolves.toEqual({
      outcome: 'bpmn-error',
      errorCode: 'NOT_FOUND',
      errorMessage: 'no such zaak',
      variables: { zaakUrl: { type: 'Null', value: null }, tries: { type: 'Integer', value: 2 } },
    });
  });

  it("keeps the unit's own error: its stack, its type and its cause chain", async () => {
    behaviour.fn = async function createZaak() {
      throw new NonRetryableError('cannot create the zaak', {
        cause: new Error('connect ECONNREFUSED 127.0.0.1:9'),
      });
    };
    const failure = await failureOf(run({ name: { type: 'String', value: 'Ada' } }));
    expect(failure).toMatchObject({
      type: 'NonRetryableError',
      nonRetryable: true,
      message: 'cannot create the zaak',
    });
    expect(failure.stack).toMatch(/at .*createZaak .*work-unit-runner\.test\.ts/);
    expect(failure.cause?.message).toBe('connect ECONNREFUSED 127.0.0.1:9');
    expect(failure.details).toEqual([{ attempt: 1 }]);
  });

  it('fails non-retryably when the output is larger than one Temporal payload, naming its size and the limit', async () => {
    // The SDK would fail the attempt retryably ("[TMPRL1103] … exceeded the error limit."), without sizes:
    // the unit would run again for an output that can never fit.
    behaviour.fn = async () => ({ big: 'x'.repeat(3 * 1024 * 1024) });
    const failure = await failureOf(run({ name: { type: 'String', value: 'x' } }));
    expect(failure).toMatchObject({ type: 'PayloadTooLargeError', nonRetryable: true });
    expect(failure.message).toMatch(
      /^the work unit's output is larger than Temporal accepts \(3145\d{3} bytes; limit 2097152 bytes\)/,
    );
  });

  it('fails non-retryably when the variables of a BPMN error are larger than one Temporal payload', async () => {
    behaviour.fn = async () => {
      throw new BpmnError('TOO_MUCH', 'too much', { big: 'x'.repeat(3 * 1024 * 1024) });
    };
    const failure = await failureOf(run({ name: { type: 'String', value: 'x' } }));
    expect(failure).toMatchObject({ type: 'PayloadTooLargeError', nonRetryable: true });
    expect(failure.message).toContain('limit 2097152 bytes');
  });

  it('fails retryably on a work unit that is not registered (another worker may have it; the workflow bounds it)', async () => {
    const failure = await failureOf(run({}, 'nope'));
    expect(failure).toMatchObject({ type: 'UnknownWorkUnit', nonRetryable: false });
    expect(failure.message).toMatch(/^work unit 'nope' is not registered on this worker \(it has: /);
  });

  it('heartbeats from its first moment: a repeated attempt whose lock check is slow is not a silent one', async () => {
    behaviour.fn = async ({ name }) => ({ greeting: `Hello, ${name}` });
    const events: string[] = [];
    // An engine that takes its time to extend the lock (a loaded Camunda): the repeated attempt's first step.
    const slowEngine = {
      async extendLock() {
        events.push('extendLock asked');
        await new Promise((resolve) => setTimeout(resolve, 300));
        events.push('extendLock answered');
      },
    };
    const withEngine = createWorkUnitActivities(
      createRegistry([greet]),
      createLogger('test', { level: 'error' }),
      { engines: new Map([['e', slowEngine as never]]) },
    );
    const env = new MockActivityEnvironment(
      { heartbeatTimeoutMs: 5_000 },
      { logger: new DefaultLogger('ERROR', () => {}) },
    );
    env.on('heartbeat', () => events.push('heartbeat'));
    const result = await env.run(withEngine.runWorkUnit, {
      ...runInput({ name: { type: 'String', value: 'Ada' } }),
      attempt: 2,
      lock: { workerId: 'w', lockDurationMs: 60_000, expiresAtMs: Date.now() + 30_000 },
    });
    expect(result).toMatchObject({ outcome: 'completed' });
    expect(events.indexOf('heartbeat'), events.join(', ')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('heartbeat')).toBeLessThan(events.indexOf('extendLock answered'));
  });
});
