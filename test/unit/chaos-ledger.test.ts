/**
 * The chaos ledger, on its own: an idempotent API (a repeated key applies nothing and gets the first answer),
 * and the counts the checker relies on — so that a duplicated side effect is seen when there is one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Ledger, startLedger } from '../../chaos/ledger.ts';

let ledger: Ledger | undefined;
afterEach(async () => {
  await ledger?.close();
  ledger = undefined;
});

async function call(seq: string, key?: string): Promise<{ status: number; id: string; replay: boolean }> {
  const response = await fetch(`${ledger?.url}/effects/${seq}`, {
    method: 'POST',
    headers: key ? { 'Idempotency-Key': key } : {},
    body: '{}',
  });
  return { status: response.status, ...((await response.json()) as { id: string; replay: boolean }) };
}

describe('the chaos ledger', () => {
  it('applies a key once and answers its repeats with the first answer', async () => {
    ledger = await startLedger();
    const first = await call('1', 'key-a');
    const again = await call('1', 'key-a');
    expect(first).toMatchObject({ status: 201, replay: false });
    expect(again).toEqual({ status: 200, id: first.id, replay: true });
    const summary = ledger.summary();
    expect(summary).toMatchObject({ calls: 2, applied: 1, duplicatedEffects: [] });
    expect(summary.callsBySeq.get('1')).toBe(2);
  });

  it('counts a task whose effect was applied under two keys, or twice without a key, as duplicated', async () => {
    ledger = await startLedger();
    await call('1', 'key-a');
    await call('1', 'key-b');
    await call('2');
    await call('2');
    await call('3', 'key-c');
    const summary = ledger.summary();
    expect(summary.duplicatedEffects.sort()).toEqual(['1', '2']);
    expect(summary).toMatchObject({ calls: 5, applied: 5 });
    expect(ledger.summary(['3'])).toMatchObject({ calls: 1, applied: 1, duplicatedEffects: [] });
  });

  it('holds an answer until released; a concurrent repeat of the key waits for it and applies nothing', async () => {
    ledger = await startLedger();
    const held = ledger.hold();
    const first = call('7', 'key-h');
    const h = await held;
    expect(h).toMatchObject({ seq: '7', key: 'key-h' });
    const repeat = call('7', 'key-h');
    let answered = false;
    void repeat.then(() => {
      answered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    h.release();
    const [a, b] = await Promise.all([first, repeat]);
    expect(b.id).toBe(a.id);
    expect(ledger.summary()).toMatchObject({ calls: 2, applied: 1 });
  });
});
