/** The test of the example unit: runs it through BPTL's real runner, without servers. */
import { describe, expect, it } from 'vitest';
import { runWorkUnit } from '../../src/work-units/testing.ts';
import { greet } from './greet.ts';

describe('greet', () => {
  it('greets in the language asked for', async () => {
    const result = await runWorkUnit(greet, { name: 'Ada', language: 'nl' });
    expect(result).toMatchObject({ outcome: 'completed', output: { greeting: 'Hallo, Ada' } });
    if (result.outcome === 'completed') expect(result.output.greetedAt).toBeInstanceOf(Date);
  });

  it('raises the BPMN error NO_NAME for an empty name', async () => {
    const result = await runWorkUnit(greet, { name: '' });
    expect(result).toMatchObject({ outcome: 'bpmn-error', errorCode: 'NO_NAME' });
  });

  it('is retried when flaky, and fails at once on input that does not fit', async () => {
    expect(await runWorkUnit(greet, { name: 'flaky' })).toMatchObject({ outcome: 'failed', retryable: true });
    expect(await runWorkUnit(greet, { name: 'flaky' }, { attempt: 2 })).toMatchObject({
      outcome: 'completed',
    });
    const bad = await runWorkUnit(greet, { name: 'Ada', language: 'fr' });
    expect(bad).toMatchObject({ outcome: 'failed', retryable: false, type: 'InputError' });
    if (bad.outcome === 'failed') expect(bad.message).toContain('language');
  });
});
