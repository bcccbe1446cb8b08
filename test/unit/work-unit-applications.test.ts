/**
 * A task's `bptlAppId` picks its application's credentials for each bound service. An application the service
 * has no credentials of is a non-retryable failure (never the service's default in its place); a topic's
 * `applications` lists the ids its tasks may name; a task without a `bptlAppId` uses the default credentials.
 */

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { storeServiceResolver } from '../../src/cli/run-worker.ts';
import { NonRetryableError } from '../../src/errors.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { type ConfigStore, createConfigStore } from '../../src/store/config-store.ts';
import { openPglite } from '../../src/store/database.ts';
import { createSecretCipher } from '../../src/store/secret-cipher.ts';
import { defineWorkUnit } from '../../src/work-units/define-work-unit.ts';
import { serviceClientsFor } from '../../src/work-units/service-clients.ts';
import { type RunWorkUnitOptions, runWorkUnit } from '../../src/work-units/testing.ts';

let baseUrl: string;
const server = createServer((req, res) => {
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Answers the Authorization header the bound service `zrc` was called with. */
const whoAmI = defineWorkUnit({
  name: 'who-am-i',
  description: 'calls zrc and answers the authorization it sent',
  services: ['zrc'],
  input: z.object({}),
  output: z.object({ authorization: z.string().nullable() }),
  run: async ({ services }) => (await services.zrc!.get<{ authorization: string | null }>('/me')).data,
});

function options(extra: Partial<RunWorkUnitOptions> = {}): RunWorkUnitOptions {
  return {
    task: { topic: 'zaak-aanmaken' },
    services: { zrc: { baseUrl, auth: { type: 'bearer', token: 'default-token' } } },
    credentials: { zrc: { 'app-1': { type: 'bearer', token: 'app-1-token' } } },
    ...extra,
  };
}

describe("a task's bptlAppId", () => {
  it("uses the application's credentials when the service has them", async () => {
    expect(await runWorkUnit(whoAmI, { bptlAppId: 'app-1' }, options())).toMatchObject({
      outcome: 'completed',
      output: { authorization: 'Bearer app-1-token' },
    });
  });

  it("uses the service's default credentials without a bptlAppId (or an empty one)", async () => {
    for (const variables of [{}, { bptlAppId: '' }, { bptlAppId: null }]) {
      expect(await runWorkUnit(whoAmI, variables, options({ applications: ['app-1'] }))).toMatchObject({
        outcome: 'completed',
        output: { authorization: 'Bearer default-token' },
      });
    }
  });

  it('fails non-retryably for an application the service has no credentials of, never using the default', async () => {
    const result = await runWorkUnit(whoAmI, { bptlAppId: 'app-9' }, options());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    expect(result.outcome === 'failed' && result.message).toBe(
      "service 'zrc' (alias 'zrc') has no credentials of application 'app-9' (the task's bptlAppId): add them to the service, or leave bptlAppId out to use the service's default credentials",
    );
  });

  it("fails non-retryably for an application the topic's applications do not list, naming topic, id and setting", async () => {
    const result = await runWorkUnit(whoAmI, { bptlAppId: 'app-1' }, options({ applications: ['app-2'] }));
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'InputError' });
    expect(result.outcome === 'failed' && result.message).toBe(
      "topic 'zaak-aanmaken' does not allow application 'app-1' (the task's bptlAppId): its setting applications lists 'app-2'",
    );
    const none = await runWorkUnit(whoAmI, { bptlAppId: 'app-1' }, options({ applications: [] }));
    expect(none.outcome === 'failed' && none.message).toMatch(/its setting applications lists none$/);
  });

  it('fails non-retryably for a bptlAppId that is not text', async () => {
    const result = await runWorkUnit(whoAmI, { bptlAppId: 42 }, options());
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'InputError' });
    expect(result.outcome === 'failed' && result.message).toMatch(/bptlAppId must be text/);
  });
});

describe("the worker's resolver on the configuration store", () => {
  let store: ConfigStore;
  beforeAll(async () => {
    store = createConfigStore(await openPglite(), createSecretCipher(randomBytes(32)));
    await store.services.create(
      { name: 'zaken', baseUrl, kind: 'zrc', auth: { type: 'bearer', token: 'default-token' } },
      { actor: 'test' },
    );
    await store.credentials.create(
      'zaken',
      { applicationId: 'app-1', auth: { type: 'bearer', token: 'app-1-token' } },
      { actor: 'test' },
    );
  });
  afterAll(() => store?.close());

  const clients = (applicationId: string | undefined) =>
    serviceClientsFor(
      ['zrc'],
      { zrc: 'zaken' },
      applicationId,
      storeServiceResolver(store),
      createLogger('t', { level: 'error' }),
      { workUnit: 'who-am-i', topic: 'zaak-aanmaken' },
    );

  it("refuses an application without credentials, and gives the default's without one", async () => {
    await expect(clients('app-9')).rejects.toThrow(NonRetryableError);
    await expect(clients('app-9')).rejects.toThrow(/has no credentials of application 'app-9'/);
    const own = await clients('app-1');
    expect((await own.zrc!.get('/me')).data).toEqual({ authorization: 'Bearer app-1-token' });
    const fallback = await clients(undefined);
    expect((await fallback.zrc!.get('/me')).data).toEqual({ authorization: 'Bearer default-token' });
  });
});
