/**
 * The chaos checker against the real engine: each fate it tells (completed, incident, gone, lost) and a
 * duplicated side effect, from tasks put into those states by hand — so that a lost or duplicated task is
 * reported when there is one, and the table's zeros mean something.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { check } from '../../chaos/check.ts';
import { startLedger } from '../../chaos/ledger.ts';
import type { StreamInstance } from '../../chaos/stream.ts';
import { createHarness } from './harness.ts';

describe('the chaos checker', () => {
  it('tells completed, incident, gone and lost apart, and counts a side effect applied twice', async () => {
    const h = await createHarness('chaos-checker');
    onTestFinished(() => h.close());
    const ledger = await startLedger();
    onTestFinished(() => ledger.close());
    const topic = h.topicName('fates');
    const key = `${h.id}-fates`;
    await h.deploy({ key, topic });
    const instances: StreamInstance[] = [];
    for (const seq of ['completed', 'open', 'incident', 'removed', 'vanished']) {
      const { id } = await h.camunda.startProcess(key, { businessKey: `${key}-${seq}` });
      instances.push({ seq, businessKey: `${key}-${seq}`, processInstanceId: id, createdAt: Date.now() });
    }
    const pid = (seq: string) => instances.find((i) => i.seq === seq)?.processInstanceId ?? '';
    const workerId = `checker-${randomUUID().slice(0, 6)}`;
    const fetched = await h.camunda.fetchAndLock({
      workerId,
      maxTasks: 10,
      topics: [{ topicName: topic, lockDuration: 60_000 }],
    });
    const taskOf = (seq: string) => {
      const found = fetched.find((f) => f.ok && f.task.processInstanceId === pid(seq));
      if (!found?.ok) throw new Error(`no task fetched for ${seq}`);
      return found.task.id;
    };
    await h.camunda.complete(taskOf('completed'), { workerId });
    await h.camunda.failure(taskOf('incident'), {
      workerId,
      errorMessage: 'the unit failed: boom',
      retries: 0,
      retryTimeout: 0,
    });
    await h.camunda.unlock(taskOf('open')); // still there, nobody works on it: lost
    await h.camunda.delete(`/process-instance/${pid('removed')}`);
    await h.camunda.delete(`/process-instance/${pid('vanished')}`); // not by the scenario: lost

    // The completed task's effect applied under two keys: a duplicated side effect.
    for (const k of ['key-1', 'key-2'])
      await fetch(`${ledger.url}/effects/completed`, { method: 'POST', headers: { 'Idempotency-Key': k } });
    await fetch(`${ledger.url}/effects/incident`, {
      method: 'POST',
      headers: { 'Idempotency-Key': 'key-3' },
    });

    const verdict = await check({
      camunda: h.camunda,
      temporal: h.client,
      topic,
      processKey: key,
      instances,
      removed: new Map([['removed', Date.now()]]),
      ledger: ledger.summary(),
    });
    const fates = Object.fromEntries(verdict.instances.map((v) => [v.seq, v.fate]));
    expect(fates).toEqual({
      completed: 'completed',
      open: 'lost',
      incident: 'incident',
      removed: 'gone',
      vanished: 'lost',
    });
    expect(verdict).toMatchObject({
      tasks: 5,
      completed: 1,
      incidents: 1,
      gone: 1,
      lost: 2,
      duplicated: 1,
      effectsApplied: 3,
      calls: 3,
      workflowsOpen: 0,
    });
    expect(verdict.instances.find((v) => v.seq === 'incident')?.incidentMessage).toBe(
      'the unit failed: boom',
    );
    expect(verdict.instances.find((v) => v.seq === 'open')?.why).toMatch(/still open/);
  });
});
