/**
 * Deletes racing the writes that bind: a service deleted while a topic is created or updated to bind it, an
 * engine deleted while a topic of it is created. Whichever commits first wins, the other fails with the store's
 * typed error; never does a topic end up bound to a service (or of an engine) that no longer exists. On the
 * PostgreSQL store the two writes run on two connections of the pool, at the same time.
 */
import { beforeAll, expect, it } from 'vitest';
import { InUseError, InvalidReferenceError } from '../../src/store/errors.ts';
import { engineInput, serviceInput, topicInput, topicUpdate } from '../support/store-inputs.ts';
import { describeStores, uniqueName } from './stores.ts';

const ROUNDS = 20;

describeStores('delete racing a bind', (ctx) => {
  const engine = uniqueName('eng');

  beforeAll(async () => {
    await ctx().store.engines.create(
      engineInput({ name: engine, url: 'http://127.0.0.1:8080/engine-rest' }),
      {
        actor: 'setup',
      },
    );
  });

  /**
   * Starts the delete and the write at once, the delete first in even rounds and the write first in odd ones (so
   * that each gets to win); settles to [delete, write].
   */
  const race = async (round: number, del: () => Promise<unknown>, write: () => Promise<unknown>) => {
    if (round % 2 === 0) return Promise.allSettled([del(), write()]);
    const [written, deleted] = await Promise.allSettled([write(), del()]);
    return [deleted, written] as const;
  };

  /** The outcome of a settled write: ok, or the name of the error class it threw. */
  const outcome = (result: PromiseSettledResult<unknown>) =>
    result.status === 'fulfilled' ? 'ok' : (result.reason as Error).name;

  it('a topic bound to a missing service is an InvalidReferenceError, a bound service cannot be deleted', async () => {
    const { store } = ctx();
    const service = uniqueName('svc');
    const topic = uniqueName('t');
    const bound = topicInput({ engine, topic, workUnit: 'echo', services: { zrc: service } });
    const error = await store.topics.create(bound, { actor: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect(error).toMatchObject({ field: 'services.zrc', resourceType: 'service', resourceName: service });

    await store.services.create(serviceInput({ name: service, baseUrl: 'http://127.0.0.1:9000' }), {
      actor: 'a',
    });
    await store.topics.create(bound, { actor: 'a' });
    const inUse = await store.services.delete(service, { actor: 'a' }).catch((e: unknown) => e);
    expect(inUse).toBeInstanceOf(InUseError);
    expect(inUse).toMatchObject({ resourceType: 'service', usedBy: [`topic '${engine}/${topic}'`] });

    await store.topics.update({ engine, topic }, topicUpdate({ workUnit: 'echo' }), { actor: 'a' });
    await store.services.delete(service, { actor: 'a' });
    expect(await store.services.get(service)).toBeUndefined();
  });

  it('deleting a service while a topic is created to bind it never leaves the topic bound to nothing', async () => {
    const { store } = ctx();
    const outcomes: string[] = [];
    const violations: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const service = uniqueName('svc');
      const topic = uniqueName('t');
      await store.services.create(serviceInput({ name: service, baseUrl: 'http://127.0.0.1:9000' }), {
        actor: 'a',
      });
      const [deleted, created] = await race(
        round,
        () => store.services.delete(service, { actor: 'a' }),
        () =>
          store.topics.create(topicInput({ engine, topic, workUnit: 'echo', services: { zrc: service } }), {
            actor: 'b',
          }),
      );
      outcomes.push(`${outcome(deleted)}/${outcome(created)}`);
      const stored = await store.topics.get({ engine, topic });
      const serviceExists = (await store.services.get(service)) !== undefined;
      if (stored !== undefined && !serviceExists) violations.push(round);
    }
    expect(violations, 'rounds that left a topic bound to a deleted service').toEqual([]);
    // Exactly one of the two wins each round, the other fails with the store's typed error.
    expect(outcomes.every((o) => o === 'ok/InvalidReferenceError' || o === 'InUseError/ok')).toBe(true);
  });

  it('deleting a service while a topic is updated to bind it never leaves the topic bound to nothing', async () => {
    const { store } = ctx();
    const outcomes: string[] = [];
    const violations: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const service = uniqueName('svc');
      const topic = uniqueName('t');
      await store.services.create(serviceInput({ name: service, baseUrl: 'http://127.0.0.1:9000' }), {
        actor: 'a',
      });
      await store.topics.create(topicInput({ engine, topic, workUnit: 'echo' }), { actor: 'a' });
      const [deleted, updated] = await race(
        round,
        () => store.services.delete(service, { actor: 'a' }),
        () =>
          store.topics.update(
            { engine, topic },
            topicUpdate({ workUnit: 'echo', services: { zrc: service } }),
            { actor: 'b' },
          ),
      );
      outcomes.push(`${outcome(deleted)}/${outcome(updated)}`);
      const stored = await store.topics.get({ engine, topic });
      const serviceExists = (await store.services.get(service)) !== undefined;
      const bound = stored !== undefined && Object.values(stored.services).includes(service);
      if (bound && !serviceExists) violations.push(round);
    }
    expect(violations, 'rounds that left a topic bound to a deleted service').toEqual([]);
    expect(outcomes.every((o) => o === 'ok/InvalidReferenceError' || o === 'InUseError/ok')).toBe(true);
  });

  it('deleting an engine while a topic of it is created never leaves the topic without its engine', async () => {
    const { store } = ctx();
    const outcomes: string[] = [];
    const violations: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const name = uniqueName('eng');
      const topic = uniqueName('t');
      await store.engines.create(engineInput({ name, url: 'http://127.0.0.1:8080/engine-rest' }), {
        actor: 'a',
      });
      const [deleted, created] = await race(
        round,
        () => store.engines.delete(name, { actor: 'a' }),
        () => store.topics.create(topicInput({ engine: name, topic, workUnit: 'echo' }), { actor: 'b' }),
      );
      outcomes.push(`${outcome(deleted)}/${outcome(created)}`);
      const stored = await store.topics.get({ engine: name, topic });
      const engineExists = (await store.engines.get(name)) !== undefined;
      if (stored !== undefined && !engineExists) violations.push(round);
    }
    expect(violations, 'rounds that left a topic without its engine').toEqual([]);
    expect(outcomes.every((o) => o === 'ok/InvalidReferenceError' || o === 'InUseError/ok')).toBe(true);
  });
});
