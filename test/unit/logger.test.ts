/**
 * An error in a log line keeps what an operator needs to find the fault — its name, message, stack and the
 * chain of causes — in both formats, and nothing else of it: an error's own properties (an HTTP client's
 * config with its Authorization header, say) never reach the log.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.ts';

function capture(json: boolean) {
  const lines: string[] = [];
  const log = createLogger('t', { level: 'debug', json, write: (line) => lines.push(line) });
  return { log, lines };
}

/** An error thrown two calls deep, so that its stack has frames with these functions' names. */
function connectToTheEngine(): never {
  throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' });
}
function completeTheTask(): never {
  try {
    connectToTheEngine();
  } catch (error) {
    throw new Error('POST /external-task/t-1/complete: the engine did not answer', { cause: error });
  }
}
function failure(): Error {
  try {
    completeTheTask();
  } catch (error) {
    return error as Error;
  }
}

type Serialized = { name: string; message: string; stack: string; cause?: Serialized | string };

describe('logger: JSON lines', () => {
  it('write an error as a nested object with its stack and its cause chain', () => {
    const { log, lines } = capture(true);
    const error = failure();
    log.error('completing the task failed', { taskId: 't-1', error });
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as { message: string; taskId: string; error: Serialized };
    expect(record).toMatchObject({ level: 'error', message: 'completing the task failed', taskId: 't-1' });
    expect(record.error).toMatchObject({
      name: 'Error',
      message: 'POST /external-task/t-1/complete: the engine did not answer',
      cause: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:8080' },
    });
    expect(record.error.stack).toBe(error.stack);
    expect(record.error.stack).toMatch(/at completeTheTask .*logger\.test\.ts/);
    const cause = record.error.cause as Serialized;
    expect(cause.stack).toMatch(/at connectToTheEngine .*logger\.test\.ts/);
  });

  it('never write an error’s own properties, also of an error inside another field', () => {
    const { log, lines } = capture(true);
    const leaky = Object.assign(new Error('Request failed with status code 500'), {
      config: { headers: { Authorization: 'Bearer tok-123' } },
      toJSON: () => ({ config: { headers: { Authorization: 'Bearer tok-123' } } }),
    });
    log.warn('call failed', { error: leaky, context: { attempts: [1, 2], last: leaky } });
    expect(lines[0]).not.toContain('tok-123');
    expect(lines[0]).not.toMatch(/authorization/i);
    const record = JSON.parse(lines[0]!) as { error: Serialized; context: { last: Serialized } };
    expect(Object.keys(record.error).sort()).toEqual(['message', 'name', 'stack']);
    expect(record.context.last.message).toBe('Request failed with status code 500');
  });

  it('stop at a cycle and after five causes', () => {
    const { log, lines } = capture(true);
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    let deep = new Error('level 0');
    for (let i = 1; i <= 10; i++) deep = new Error(`level ${i}`, { cause: deep });
    log.error('cycle', { error: a });
    log.error('deep', { error: deep });
    const cycle = (JSON.parse(lines[0]!) as { error: Serialized }).error;
    expect(cycle.message).toBe('a');
    expect((cycle.cause as Serialized).message).toBe('b');
    expect((cycle.cause as Serialized).cause).toBe('[circular]');
    const chain: string[] = [];
    let current: Serialized | string | undefined = (JSON.parse(lines[1]!) as { error: Serialized }).error;
    while (typeof current === 'object') {
      chain.push(current.message);
      current = current.cause;
    }
    expect(chain).toEqual(['level 10', 'level 9', 'level 8', 'level 7', 'level 6', 'level 5']);
    expect(current).toBe('[more causes not shown]');
  });

  it('write the errors of an AggregateError', () => {
    const { log, lines } = capture(true);
    const error = new AggregateError([new Error('first'), new TypeError('second')], 'both failed');
    log.error('aggregate', { error });
    const record = JSON.parse(lines[0]!) as { error: Serialized & { errors: Serialized[] } };
    expect(record.error.name).toBe('AggregateError');
    expect(record.error.errors.map((e) => `${e.name}: ${e.message}`)).toEqual([
      'Error: first',
      'TypeError: second',
    ]);
    expect(record.error.errors[1]!.stack).toMatch(/logger\.test\.ts/);
  });

  it('write an error met twice once, and not mistake it for a cycle', () => {
    const { log, lines } = capture(true);
    const shared = new Error('the engine is down');
    log.error('aggregate', { error: new AggregateError([shared, new Error('other', { cause: shared })]) });
    const record = JSON.parse(lines[0]!) as { error: { errors: Array<Serialized | string> } };
    expect(record.error.errors[0]).toMatchObject({ message: 'the engine is down' });
    expect(record.error.errors[1]).toMatchObject({ message: 'other', cause: '[shown above]' });
  });
});

describe('logger: text', () => {
  it('write the message on the line, then the stack and each cause on indented lines', () => {
    const { log, lines } = capture(false);
    const error = failure();
    log.error('completing the task failed', { taskId: 't-1', error });
    expect(lines).toHaveLength(1);
    const [first, ...rest] = lines[0]!.split('\n');
    expect(first).toMatch(
      /^\S+ ERROR \[t\] completing the task failed taskId=t-1 error="POST \/external-task\/t-1\/complete: the engine did not answer"$/,
    );
    // A line-oriented reader (journald, a log shipper with multi-line joining) sees one event: every
    // following line is indented.
    for (const line of rest) expect(line).toMatch(/^\s+\S/);
    const text = rest.join('\n');
    expect(text).toContain('Error: POST /external-task/t-1/complete: the engine did not answer');
    expect(text).toMatch(/^\s+at completeTheTask .*logger\.test\.ts/m);
    expect(text).toMatch(/^\s+caused by: Error: connect ECONNREFUSED 127\.0\.0\.1:8080$/m);
    expect(text).toMatch(/^\s+at connectToTheEngine .*logger\.test\.ts/m);
    expect(text.indexOf('at completeTheTask')).toBeLessThan(text.indexOf('caused by:'));
  });

  it('keep a line without errors on one line, and never write an error’s own properties', () => {
    const { log, lines } = capture(false);
    log.info('polling', { topics: 2, engine: 'camunda' });
    const leaky = Object.assign(new Error('Request failed with status code 500'), {
      config: { auth: { username: 'bptl', password: 'S3cret-p4ss' } },
    });
    log.warn('call failed', { error: leaky });
    expect(lines[0]).toMatch(/^\S+ INFO {2}\[t\] polling topics=2 engine=camunda$/);
    expect(lines[1]).toContain('Error: Request failed with status code 500');
    expect(lines[1]).not.toContain('S3cret-p4ss');
  });

  it('write the errors of an AggregateError and mark a cycle', () => {
    const { log, lines } = capture(false);
    const a = new Error('a');
    a.cause = a;
    log.error('aggregate', { error: new AggregateError([new Error('first'), a], 'both failed') });
    const text = lines[0]!;
    expect(text).toMatch(/^\s+AggregateError: both failed$/m);
    expect(text).toMatch(/^\s+error \[0\]: Error: first$/m);
    expect(text).toMatch(/^\s+error \[1\]: Error: a$/m);
    expect(text).toMatch(/^\s+caused by: \[circular\]$/m);
  });
});
