/**
 * Every Zaken unit's, and the document, Objects and zaaktype-process units', failure paths against the loopback
 * ZGW server, one table: a 503 on the unit's first ZGW request is retried and the retry completes, doing its work
 * once (one resource created, one lock taken and its id the server's, the document unlocked, one process started
 * for the zaak); a 400 problem fails for good naming the field from `invalidParams`; a wrong secret (401/403)
 * fails for good naming the service and the client id; a resource that is not there (the zaak, the zaaktype,
 * the document) fails for good naming its URL; with Open Zaak 1.30's deviations switched on each unit still
 * completes. No result, and no recorded request, carries the secret or a token.
 *
 * Lock and unlock get a fresh document for every run (created through the Documenten API; unlock's is locked
 * first by the lock unit). The process start runs against a Camunda REST stand-in (../support/fake-camunda-rest.ts);
 * its first request is the zaak's GET, so the 503 lands on the ZGW server, before any request to the engine.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
import type { WorkUnit } from '../../src/work-units/define-work-unit.ts';
import {
  objectsFilterZaakobjecten,
  objectsInitChecklist,
  objectsSearch,
  zgwLockDocument,
  zgwRelateDocument,
  zgwSetIndicatieGebruiksrecht,
  zgwStartZaaktypeProcess,
  zgwUnlockDocument,
} from '../../src/work-units/library/zgw/documents/index.ts';
import {
  zgwCloseZaak,
  zgwCreateResultaat,
  zgwCreateRol,
  zgwCreateStatus,
  zgwCreateZaak,
  zgwCreateZaakobject,
  zgwGetZaakobjecten,
  zgwGetZaakRelations,
  zgwLookupZaak,
  zgwRelateZaken,
  zgwSetZaakeigenschap,
} from '../../src/work-units/library/zgw/zaken/index.ts';
import type { RunWorkUnitOptions } from '../../src/work-units/testing.ts';
import { NO_DEVIATIONS, signZgwJwt, type ZgwTestServer } from '../../src/zgw/testing/index.ts';
import { type FakeCamunda, startFakeCamunda } from '../support/fake-camunda-rest.ts';
import { runZgw, startZgw, ZGW_CLIENT_ID, ZGW_SECRET, zgwServices } from '../support/zgw.ts';

let server: ZgwTestServer;
let camunda: FakeCamunda;
beforeAll(async () => {
  server = await startZgw();
  camunda = await startFakeCamunda();
});
afterAll(async () => {
  await server?.close();
  await camunda?.close();
});
beforeEach(() => {
  server.setDeviations(NO_DEVIATIONS);
});

const RSIN = '002220647';
const person = { betrokkeneType: 'natuurlijk_persoon', betrokkeneIdentificatie: { inpBsn: '999999011' } };

function createZaakVariables(): Record<string, unknown> {
  return {
    organisatieRSIN: RSIN,
    catalogusDomein: server.seed.domein,
    zaaktypeIdentificatie: server.seed.zaaktypeIdentificatie,
    zaakDetails: { omschrijving: 'Aanvraag' },
  };
}

async function newZaak(): Promise<{ zaakUrl: string; zaakIdentificatie: string }> {
  const result = await runZgw(server, zgwCreateZaak, createZaakVariables(), {
    task: { taskId: randomUUID() },
  });
  if (result.outcome !== 'completed') throw new Error(`create zaak: ${JSON.stringify(result)}`);
  return result.output;
}

/**
 * A fresh, unlocked document, created through the Documenten API (POST enkelvoudiginformatieobjecten, checked
 * against the spec like the units' requests): the seed has two, and a locked document cannot be locked again.
 */
async function newDocument(): Promise<string> {
  const response = await fetch(`${server.baseUrls.documenten}/enkelvoudiginformatieobjecten`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${signZgwJwt(ZGW_CLIENT_ID, ZGW_SECRET)}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      bronorganisatie: RSIN,
      creatiedatum: '2026-01-15',
      titel: `bijlage-${randomUUID()}`,
      auteur: 'BPTL',
      taal: 'nld',
      vertrouwelijkheidaanduiding: 'openbaar',
      formaat: 'text/plain',
      bestandsnaam: 'bijlage.txt',
      inhoud: Buffer.from('een bijlage').toString('base64'),
      informatieobjecttype: server.seed.informatieobjecttype,
    }),
  });
  const body = (await response.json()) as { url?: string };
  if (response.status !== 201 || !body.url) {
    throw new Error(`create document: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.url;
}

/** Locks a document with the lock unit (a run of its own task); resolves to the lock id. */
async function lockedDocument(informatieobject: string): Promise<string> {
  const locked = await runZgw(
    server,
    zgwLockDocument,
    { informatieobject },
    { task: { taskId: randomUUID() } },
  );
  if (locked.outcome !== 'completed') throw new Error(`lock document: ${JSON.stringify(locked)}`);
  return locked.output.lockId;
}

/** The stored document at `url`. */
function documentAt(url: string): Record<string, unknown> {
  const document = server.store.get(url);
  if (!document) throw new Error(`no document ${url} in the store`);
  return document;
}

/** The requests to an action (`lock`, `unlock`) of a document, by the status the server answered. */
const actionStatuses = (documentUrl: string, action: 'lock' | 'unlock') => {
  const path = `${new URL(documentUrl).pathname}/${action}`;
  return server.requests.filter((r) => r.method === 'POST' && r.path === path).map((r) => r.status);
};

const missingZaak = () => `${server.baseUrls.zaken}/zaken/${randomUUID()}`;

type Variables = Record<string, unknown>;

interface Case {
  // biome-ignore lint/suspicious/noExplicitAny: a table of units of different input and output
  unit: WorkUnit<any, any>;
  /** Valid variables for a fresh run (a fresh zaak, or document, where the unit needs one). */
  variables(): Promise<Variables>;
  /** Run options over runZgw's, for every run of the unit (e.g. the engine a unit starts processes in). */
  options?(): RunWorkUnitOptions;
  /**
   * The variables with the resource the unit reads first not there, and that resource's URL (which the
   * failure must name); absent where the unit has none to miss.
   */
  missing?(variables: Variables): { variables: Variables; url: string };
  /**
   * After a 503 and the retry that completed: expects that the unit's work was done once (one resource
   * created, one lock taken, one process started), given the variables and the retry's output.
   */
  once?(variables: Variables, output: Record<string, unknown>): void | Promise<void>;
}

/** `once` of a unit that creates a resource: exactly one of this run's in `collection`. */
const createsOne =
  (collection: string, of: (variables: Variables) => (r: Record<string, unknown>) => boolean) =>
  (variables: Variables) => {
    expect(server.store.list(collection).filter(of(variables))).toHaveLength(1);
  };

const ofZaak = (variables: Variables) => (r: Record<string, unknown>) => r.zaak === variables.zaakUrl;
const withZaak =
  (extra: Variables = {}) =>
  async () => ({ zaakUrl: (await newZaak()).zaakUrl, ...extra });
const zaakMissing = (variables: Variables) => {
  const url = missingZaak();
  return { variables: { ...variables, zaakUrl: url }, url };
};
const documentMissing = (variables: Variables) => {
  const url = `${server.baseUrls.documenten}/enkelvoudiginformatieobjecten/${randomUUID()}`;
  return { variables: { ...variables, informatieobject: url }, url };
};

const cases: Case[] = [
  {
    unit: zgwCreateZaak,
    variables: async () => ({ ...createZaakVariables(), zaakDetails: { omschrijving: randomUUID() } }),
    missing: (v) => {
      const url = `${server.baseUrls.catalogi}/zaaktypen/${randomUUID()}`;
      return { variables: { ...v, zaaktype: url }, url };
    },
    once: createsOne(
      'zaken',
      (v) => (r) => (r.omschrijving as string) === (v.zaakDetails as { omschrijving: string }).omschrijving,
    ),
  },
  {
    unit: zgwCloseZaak,
    variables: withZaak({ omschrijving: 'Toegekend' }),
    missing: zaakMissing,
    once: createsOne('resultaten', ofZaak),
  },
  {
    unit: zgwLookupZaak,
    variables: async () => ({ bronorganisatie: RSIN, identificatie: (await newZaak()).zaakIdentificatie }),
  },
  {
    unit: zgwCreateStatus,
    variables: withZaak({ statusVolgnummer: 2 }),
    missing: zaakMissing,
    once: createsOne(
      'statussen',
      (v) => (r) => r.zaak === v.zaakUrl && r.statustype === server.seed.statustypen[1],
    ),
  },
  {
    unit: zgwCreateResultaat,
    variables: withZaak({ omschrijving: 'Geweigerd' }),
    missing: zaakMissing,
    once: createsOne('resultaten', ofZaak),
  },
  {
    unit: zgwCreateRol,
    variables: withZaak({ omschrijving: 'Behandelaar', betrokkene: person }),
    missing: zaakMissing,
    once: createsOne(
      'rollen',
      (v) => (r) => r.zaak === v.zaakUrl && r.roltype === server.seed.roltypen.behandelaar,
    ),
  },
  {
    unit: zgwSetZaakeigenschap,
    variables: withZaak({ eigenschap: { naam: 'kenmerk', waarde: 'K-1' } }),
    missing: zaakMissing,
    once: createsOne('zaakeigenschappen', ofZaak),
  },
  {
    unit: zgwRelateZaken,
    variables: async () => ({
      hoofdZaakUrl: (await newZaak()).zaakUrl,
      zaakUrl: (await newZaak()).zaakUrl,
      aardRelatie: 'vervolg',
    }),
    missing: zaakMissing,
  },
  { unit: zgwGetZaakRelations, variables: withZaak(), missing: zaakMissing },
  { unit: zgwGetZaakobjecten, variables: withZaak(), missing: zaakMissing },
  {
    unit: zgwCreateZaakobject,
    variables: async () => ({
      zaakUrl: (await newZaak()).zaakUrl,
      objectUrl: server.seed.zaaktypeProcessObject,
      objectType: 'overige',
      objectTypeOverige: 'checklist',
    }),
    missing: zaakMissing,
    once: createsOne('zaakobjecten', ofZaak),
  },
  {
    unit: zgwRelateDocument,
    variables: async () => ({
      zaakUrl: (await newZaak()).zaakUrl,
      informatieobject: server.seed.documents[0],
    }),
    missing: zaakMissing,
    once: createsOne('zaakinformatieobjecten', ofZaak),
  },
  {
    unit: zgwSetIndicatieGebruiksrecht,
    variables: async () => {
      const { zaakUrl } = await newZaak();
      for (const informatieobject of server.seed.documents) {
        const related = await runZgw(
          server,
          zgwRelateDocument,
          { zaakUrl, informatieobject },
          { task: { taskId: randomUUID() } },
        );
        if (related.outcome !== 'completed') throw new Error(`relate document: ${JSON.stringify(related)}`);
      }
      return { zaakUrl, indicatieGebruiksrecht: true };
    },
    missing: zaakMissing,
  },
  {
    unit: objectsSearch,
    variables: async () => ({
      objecttype: server.seed.objecttypes.zaaktypeProcess,
      dataAttrs: { camundaProcessDefinitionKey: server.seed.processDefinitionKey },
    }),
  },
  {
    unit: objectsInitChecklist,
    variables: withZaak(),
    missing: zaakMissing,
    once: createsOne('zaakobjecten', ofZaak),
  },
  {
    unit: objectsFilterZaakobjecten,
    variables: withZaak({ objecttypeLabel: 'Checklist' }),
    missing: zaakMissing,
  },
  {
    unit: zgwLockDocument,
    variables: async () => ({ informatieobject: await newDocument() }),
    missing: documentMissing,
    // Locked once: one lock request answered 200 (after the 503), and the lock id the retry returned is the
    // server's lock: the server accepts it to unlock (it refuses any other, see zgw-document-units.test.ts).
    once: async (v, output) => {
      const informatieobject = v.informatieobject as string;
      expect(documentAt(informatieobject).locked).toBe(true);
      expect(actionStatuses(informatieobject, 'lock')).toEqual([503, 200]);
      const unlocked = await runZgw(server, zgwUnlockDocument, { informatieobject, lockId: output.lockId });
      expect(unlocked, JSON.stringify(unlocked)).toMatchObject({ outcome: 'completed' });
      expect(actionStatuses(informatieobject, 'unlock')).toEqual([204]);
      expect(documentAt(informatieobject).locked).toBe(false);
    },
  },
  {
    unit: zgwUnlockDocument,
    variables: async () => {
      const informatieobject = await newDocument();
      return { informatieobject, lockId: await lockedDocument(informatieobject) };
    },
    missing: documentMissing,
    once: (v) => {
      const document = v.informatieobject as string;
      expect(documentAt(document).locked).toBe(false);
      expect(actionStatuses(document, 'unlock')).toEqual([503, 204]);
    },
  },
  {
    unit: zgwStartZaaktypeProcess,
    variables: async () => ({
      zaakUrl: (await newZaak()).zaakUrl,
      zaaktypeProcessObjecttype: server.seed.objecttypes.zaaktypeProcess,
    }),
    options: () => ({ camunda: new CamundaClient({ baseUrl: camunda.baseUrl }) }),
    // The zaak is read first (the 503 lands on it, before any request to the engine).
    missing: zaakMissing,
    // One process started for the zaak (business key: its identificatie), and it is the instance returned.
    once: (v, output) => {
      const zaak = server.store.get(v.zaakUrl as string);
      const started = camunda.starts.filter((s) => s.body.businessKey === zaak?.identificatie);
      expect(started.map((s) => s.key)).toEqual([server.seed.processDefinitionKey]);
      expect(started[0]?.body.variables?.zaakUrl).toEqual({ type: 'String', value: v.zaakUrl });
      expect(output).toEqual({
        startedProcessInstanceId: started[0]?.id,
        startedProcessDefinitionKey: server.seed.processDefinitionKey,
      });
    },
  },
];

/** The result as JSON, and the request log, hold neither the secret nor a token (a JWT starts with eyJ). */
function expectNoSecrets(result: unknown) {
  const text = JSON.stringify(result);
  expect(text).not.toContain(ZGW_SECRET);
  expect(text).not.toMatch(/eyJ[\w-]+\./);
  expect(JSON.stringify(server.requests)).not.toContain(ZGW_SECRET);
}

/** The first request a run made (from its index in the log), as a fault pattern: any resource's UUID matches. */
function firstRequestOf(from: number): { method: string; path: RegExp } {
  const first = server.requests[from];
  if (!first) throw new Error('the unit made no request');
  const escaped = first.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    method: first.method,
    path: new RegExp(`^${escaped.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '[0-9a-f-]{36}')}$`),
  };
}

describe.each(cases.map((c) => [c.unit.name, c] as const))(
  '%s against the loopback ZGW server',
  (_name, c) => {
    /** Runs the case's unit with its own options (over the defaults), then `options`. */
    const run = (variables: Variables, options: RunWorkUnitOptions = {}) =>
      runZgw(server, c.unit, variables, { ...c.options?.(), ...options });

    it('a 503 is retried, and the retry completes, doing its work once', async () => {
      const variables = await c.variables();
      const taskId = randomUUID();
      // The unit's first request, learnt from a run of the same unit on other variables.
      const other = await c.variables();
      const probe = server.requests.length;
      await run(other, { task: { taskId: randomUUID() } });
      const first = firstRequestOf(probe);
      server.failNext({ method: first.method, path: first.path, status: 503 });
      const failed = await run(variables, { task: { taskId } });
      expect(failed).toMatchObject({ outcome: 'failed', retryable: true });
      expectNoSecrets(failed);
      const retried = await run(variables, { task: { taskId } });
      expect(retried, JSON.stringify(retried)).toMatchObject({ outcome: 'completed' });
      expectNoSecrets(retried);
      if (c.once && retried.outcome === 'completed') await c.once(variables, retried.output);
      server.assertNoViolations();
    });

    it('a 400 problem fails for good, naming the field from invalidParams', async () => {
      const variables = await c.variables();
      const other = await c.variables();
      const probe = server.requests.length;
      await run(other, { task: { taskId: randomUUID() } });
      const first = firstRequestOf(probe);
      server.failNext({
        method: first.method,
        path: first.path,
        status: 400,
        body: {
          type: 'https://zgw.example/ref/fouten/ValidationError/',
          code: 'invalid',
          title: 'Invalid input.',
          status: 400,
          detail: '',
          instance: `urn:uuid:${randomUUID()}`,
          invalidParams: [
            {
              name: 'toelichting',
              code: 'max_length',
              reason: 'Zorg dat dit veld niet meer dan 1000 karakters bevat.',
            },
          ],
        },
      });
      const failed = await run(variables, { task: { taskId: randomUUID() } });
      expect(failed).toMatchObject({ outcome: 'failed', retryable: false });
      if (failed.outcome === 'failed') expect(failed.message).toContain('toelichting');
      expectNoSecrets(failed);
    });

    it('a wrong secret fails for good, naming the service and the client id, never the secret', async () => {
      const variables = await c.variables();
      const wrong = 'not-the-secret-0815';
      const failed = await run(variables, {
        services: zgwServices(server, { type: 'zgw', clientId: ZGW_CLIENT_ID, secret: wrong }),
      });
      expect(failed).toMatchObject({ outcome: 'failed', retryable: false });
      if (failed.outcome === 'failed') {
        expect(failed.message).toMatch(/\b(zrc|ztc|drc|objects|objecttypes)\b/);
        expect(failed.message).toContain(ZGW_CLIENT_ID);
      }
      expect(JSON.stringify(failed)).not.toContain(wrong);
      expectNoSecrets(failed);
    });

    it.runIf(c.missing !== undefined)(
      'a resource that is not there fails for good, naming its URL',
      async () => {
        const missing = c.missing?.(await c.variables());
        if (!missing) throw new Error('runIf: the case has a missing resource');
        const failed = await run(missing.variables);
        expect(failed).toMatchObject({ outcome: 'failed', retryable: false });
        if (failed.outcome === 'failed') expect(failed.message).toContain(missing.url);
        expectNoSecrets(failed);
      },
    );

    it("completes with Open Zaak 1.30's deviations switched on", async () => {
      server.setDeviations({
        emptyStringUris: true,
        gezetdoorNull: true,
        zaakobjecttypen: true,
        problemAsJson: true,
      });
      const result = await run(await c.variables());
      expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'completed' });
      expectNoSecrets(result);
      server.assertNoViolations();
    });
  },
);
