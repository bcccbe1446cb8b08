/**
 * A create unit killed between the answer and the completion creates one resource, not two: a `bptl worker` (a
 * child process) is killed with SIGKILL while `zgw-create-zaak` waits for the answer of its POST /zaken, which
 * the loopback ZGW server has carried out (the zaak exists) but holds unanswered. A new worker starts, Temporal
 * runs the unit again, and the unit's own look-up (GET /zaken, matched on the kenmerk `{ bron: 'BPTL', kenmerk:
 * <idempotencyKey> }` it set on the zaak) finds that zaak instead of creating a second one.
 *
 * The workers are `bptl worker` children on the configuration store, as in production: the test starts its own
 * PostgreSQL, its API writes the engine and the ZGW services (with their credentials) into it, and the children
 * read them from there. The poller runs in this process (the harness). Every wait waits on an event or polls a
 * condition; nothing asserts on a sleep.
 */
import { tmpdir } from 'node:os';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { encodeVariables } from '../../src/engine/variables.ts';
import { historicVariables, waitForProcessEnd } from '../../src/local/demo.ts';
import { openConfigStore } from '../../src/store/config-store.ts';
import { generateSecretKey } from '../../src/store/secret-cipher.ts';
import { idempotencyKeyOf } from '../../src/work-units/idempotency-key.ts';
import { KENMERK_BRON } from '../../src/work-units/library/zgw/zaken/create-zaak.ts';
import { createTestApi } from '../support/api.ts';
import { createDatabase, startPostgresServer } from '../support/postgres-server.ts';
import { engineInput } from '../support/store-inputs.ts';
import { startZgw, ZGW_CLIENT_ID, ZGW_SECRET } from '../support/zgw.ts';
import { createHarness, ENGINE, workerProcesses } from './harness.ts';

const ZAKEN = '/zaken/api/v1/zaken';

describe('a worker killed while zgw-create-zaak waits for the answer of POST /zaken', () => {
  it('finds the zaak the killed attempt created, by its kenmerk, and creates no second one', {
    timeout: 300_000,
  }, async () => {
    /** Measured figures (durations), printed at the end for the record. */
    const figures: Record<string, number> = {};
    onTestFinished(() => console.log(`zgw-kill.test.ts figures: ${JSON.stringify(figures)}`));

    // The configuration store the test's API and the worker children share.
    const postgres = await startPostgresServer();
    onTestFinished(() => postgres.stop());
    const storeEnv = {
      DATABASE_URL: await createDatabase(postgres.adminUrl, 'bptl_zgw_kill'),
      BPTL_SECRET_KEY: generateSecretKey(),
    };
    const store = await openConfigStore({
      databaseUrl: storeEnv.DATABASE_URL,
      dataDir: tmpdir(),
      env: storeEnv,
    });
    onTestFinished(() => store.close());
    const api = await createTestApi({ store });
    onTestFinished(() => api.close());

    const zgw = await startZgw();
    onTestFinished(() => zgw.close());
    const h = await createHarness('zgw-kill');
    onTestFinished(() => h.close());

    await store.engines.create(engineInput({ name: ENGINE, url: inject('camundaUrl') }), { actor: 'test' });
    for (const [name, baseUrl] of [
      ['zaken', zgw.baseUrls.zaken],
      ['catalogi', zgw.baseUrls.catalogi],
    ] as const) {
      const created = await api.request('POST', '/services', {
        body: { name, baseUrl, auth: { type: 'zgw', clientId: ZGW_CLIENT_ID, secret: ZGW_SECRET } },
      });
      expect(created.status, await created.clone().text()).toBe(201);
    }

    const topic = h.topicName('create-zaak');
    // A short heartbeat time-out, so that Temporal gives up on the dead worker's attempt soon.
    const settings = {
      lockDurationMs: 30_000,
      heartbeatTimeoutMs: 3_000,
      services: { zrc: 'zaken', ztc: 'catalogi' },
    };
    await h.deploy({ key: `${h.id}-zaak`, topic });
    const processes = await workerProcesses(h, { store: storeEnv });
    onTestFinished(() => processes.killAll());
    const held = zgw.holdAnswerNext({ method: 'POST', path: new RegExp(`^${ZAKEN}$`) });
    const first = processes.start();
    h.createPoller([h.topicConfig(topic, 'zgw-create-zaak', settings)]).start();

    const started = await h.camunda.startProcess(`${h.id}-zaak`, {
      variables: encodeVariables({
        organisatieRSIN: zgw.seed.rsin,
        catalogusDomein: zgw.seed.domein,
        zaaktypeIdentificatie: zgw.seed.zaaktypeIdentificatie,
        zaakDetails: { omschrijving: 'Aanvraag, eenmaal' },
      }),
    });
    // The child bundles the workflows at start: on two cores that can take a while.
    const arrived = await Promise.race([held.then(() => true), first.exited.then(() => false)]);
    expect(arrived, `${first.name} exited before POST /zaken arrived:\n${first.output()}`).toBe(true);
    // The server carried the POST out: the zaak exists, and the worker waits for an answer that never comes.
    const zakenWithKenmerk = () =>
      zgw.store
        .list('zaken')
        .filter(
          (z) =>
            Array.isArray(z.kenmerken) &&
            (z.kenmerken as Array<{ bron: string; kenmerk: string }>).some((k) => k.bron === KENMERK_BRON),
        );
    expect(zakenWithKenmerk()).toHaveLength(1);

    await first.kill();
    expect((await first.exited).signal).toBe('SIGKILL');
    const killedAt = Date.now();
    const second = processes.start();

    const { state } = await waitForProcessEnd(h.camunda, started.id, 180_000);
    figures.killToCompletionMs = Date.now() - killedAt;
    expect(state, second.output()).toBe('COMPLETED');

    // Camunda recorded one completion of the (one) external task.
    const completions = await h.camunda.get<Array<{ externalTaskId: string }>>('/history/external-task-log', {
      processInstanceId: started.id,
      successLog: true,
    });
    expect(completions).toHaveLength(1);
    const key = idempotencyKeyOf(ENGINE, completions[0]?.externalTaskId ?? '');

    // One zaak, with the task's kenmerk: the retry found it instead of creating another.
    const zaken = zakenWithKenmerk();
    expect(
      zaken.map((z) => z.url),
      'zaken with a BPTL kenmerk',
    ).toHaveLength(1);
    const zaak = zaken[0];
    expect(zaak?.kenmerken).toContainEqual({ bron: KENMERK_BRON, kenmerk: key });
    // What the server received: the one POST /zaken (held, never answered), a look-up per attempt, one status.
    const received = (method: string, path: string) =>
      zgw.requests.filter((r) => r.method === method && r.path === path);
    expect(received('POST', ZAKEN).map((r) => r.status)).toEqual([0]);
    expect(received('GET', ZAKEN).map((r) => r.status)).toEqual([200, 200]);
    expect(received('POST', '/zaken/api/v1/statussen').map((r) => r.status)).toEqual([201]);
    expect(zgw.store.list('statussen').filter((s) => s.zaak === zaak?.url)).toHaveLength(1);
    zgw.assertNoViolations();

    // The process variable is the one zaak's URL.
    const variables = await historicVariables(h.camunda, started.id);
    expect(variables.find((v) => v.name === 'zaakUrl')).toEqual({
      name: 'zaakUrl',
      type: 'String',
      value: zaak?.url,
    });
  });
});
