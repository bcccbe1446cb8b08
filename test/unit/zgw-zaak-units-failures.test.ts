/**
 * Every Zaken unit's, and the document and Objects units', failure paths against the loopback ZGW server, one table: a 5xx is retried and the retry
 * completes, creating nothing twice; a 400 problem fails for good naming the field from `invalidParams`; a wrong
 * secret (401) fails for good naming the service and the client id; a zaak that is not there (404) fails for
 * good naming its URL; with Open Zaak 1.30's deviations switched on each unit still completes. No result, and
 * no recorded request, carries the secret or a token.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorkUnit } from '../../src/work-units/define-work-unit.ts';
import {
  objectsFilterZaakobjecten,
  objectsInitChecklist,
  objectsSearch,
  zgwRelateDocument,
  zgwSetIndicatieGebruiksrecht,
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
import { NO_DEVIATIONS, type ZgwTestServer } from '../../src/zgw/testing/index.ts';
import { runZgw, startZgw, ZGW_CLIENT_ID, ZGW_SECRET, zgwServices } from '../support/zgw.ts';

let server: ZgwTestServer;
beforeAll(async () => {
  server = await startZgw();
});
afterAll(() => server?.close());
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

const missingZaak = () => `${server.baseUrls.zaken}/zaken/${randomUUID()}`;

interface Case {
  // biome-ignore lint/suspicious/noExplicitAny: a table of units of different input and output
  unit: WorkUnit<any, any>;
  /** Valid variables for a fresh run (a fresh zaak where the unit needs one). */
  variables(): Promise<Record<string, unknown>>;
  /** The variables with a zaak (or zaaktype) that is not there; absent where the unit has none to miss. */
  missing?(variables: Record<string, unknown>): Record<string, unknown>;
  /** The collection the unit creates in, and how to count this run's resources there. */
  creates?: {
    collection: string;
    of(variables: Record<string, unknown>): (r: Record<string, unknown>) => boolean;
  };
}

const ofZaak = (variables: Record<string, unknown>) => (r: Record<string, unknown>) =>
  r.zaak === variables.zaakUrl;
const withZaak =
  (extra: Record<string, unknown> = {}) =>
  async () => ({ zaakUrl: (await newZaak()).zaakUrl, ...extra });
const zaakMissing = (variables: Record<string, unknown>) => ({ ...variables, zaakUrl: missingZaak() });

const cases: Case[] = [
  {
    unit: zgwCreateZaak,
    variables: async () => ({ ...createZaakVariables(), zaakDetails: { omschrijving: randomUUID() } }),
    missing: (v) => ({ ...v, zaaktype: `${server.baseUrls.catalogi}/zaaktypen/${randomUUID()}` }),
    creates: {
      collection: 'zaken',
      of: (v) => (r) =>
        (r.omschrijving as string) === (v.zaakDetails as { omschrijving: string }).omschrijving,
    },
  },
  {
    unit: zgwCloseZaak,
    variables: withZaak({ omschrijving: 'Toegekend' }),
    missing: zaakMissing,
    creates: { collection: 'resultaten', of: ofZaak },
  },
  {
    unit: zgwLookupZaak,
    variables: async () => ({ bronorganisatie: RSIN, identificatie: (await newZaak()).zaakIdentificatie }),
  },
  {
    unit: zgwCreateStatus,
    variables: withZaak({ statusVolgnummer: 2 }),
    missing: zaakMissing,
    creates: {
      collection: 'statussen',
      of: (v) => (r) => r.zaak === v.zaakUrl && r.statustype === server.seed.statustypen[1],
    },
  },
  {
    unit: zgwCreateResultaat,
    variables: withZaak({ omschrijving: 'Geweigerd' }),
    missing: zaakMissing,
    creates: { collection: 'resultaten', of: ofZaak },
  },
  {
    unit: zgwCreateRol,
    variables: withZaak({ omschrijving: 'Behandelaar', betrokkene: person }),
    missing: zaakMissing,
    creates: {
      collection: 'rollen',
      of: (v) => (r) => r.zaak === v.zaakUrl && r.roltype === server.seed.roltypen.behandelaar,
    },
  },
  {
    unit: zgwSetZaakeigenschap,
    variables: withZaak({ eigenschap: { naam: 'kenmerk', waarde: 'K-1' } }),
    missing: zaakMissing,
    creates: { collection: 'zaakeigenschappen', of: ofZaak },
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
    creates: { collection: 'zaakobjecten', of: ofZaak },
  },
  {
    unit: zgwRelateDocument,
    variables: async () => ({
      zaakUrl: (await newZaak()).zaakUrl,
      informatieobject: server.seed.documents[0],
    }),
    missing: zaakMissing,
    creates: { collection: 'zaakinformatieobjecten', of: ofZaak },
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
    creates: { collection: 'zaakobjecten', of: ofZaak },
  },
  {
    unit: objectsFilterZaakobjecten,
    variables: withZaak({ objecttypeLabel: 'Checklist' }),
    missing: zaakMissing,
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
    it('a 503 is retried, and the retry completes, creating one resource', async () => {
      const variables = await c.variables();
      const taskId = randomUUID();
      // The unit's first request, learnt from a run of the same unit on other variables.
      const other = await c.variables();
      const probe = server.requests.length;
      await runZgw(server, c.unit, other, { task: { taskId: randomUUID() } });
      const first = firstRequestOf(probe);
      server.failNext({ method: first.method, path: first.path, status: 503 });
      const failed = await runZgw(server, c.unit, variables, { task: { taskId } });
      expect(failed).toMatchObject({ outcome: 'failed', retryable: true });
      expectNoSecrets(failed);
      const retried = await runZgw(server, c.unit, variables, { task: { taskId } });
      expect(retried, JSON.stringify(retried)).toMatchObject({ outcome: 'completed' });
      expectNoSecrets(retried);
      if (c.creates) {
        const { collection, of } = c.creates;
        expect(server.store.list(collection).filter(of(variables))).toHaveLength(1);
      }
      server.assertNoViolations();
    });

    it('a 400 problem fails for good, naming the field from invalidParams', async () => {
      const variables = await c.variables();
      const other = await c.variables();
      const probe = server.requests.length;
      await runZgw(server, c.unit, other, { task: { taskId: randomUUID() } });
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
      const failed = await runZgw(server, c.unit, variables, { task: { taskId: randomUUID() } });
      expect(failed).toMatchObject({ outcome: 'failed', retryable: false });
      if (failed.outcome === 'failed') expect(failed.message).toContain('toelichting');
      expectNoSecrets(failed);
    });

    it('a wrong secret fails for good, naming the service and the client id, never the secret', async () => {
      const variables = await c.variables();
      const wrong = 'not-the-secret-0815';
      const failed = await runZgw(server, c.unit, variables, {
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

    it.runIf(c.missing !== undefined)('a zaak that is not there fails for good, naming its URL', async () => {
      const variables = c.missing?.(await c.variables()) ?? {};
      const failed = await runZgw(server, c.unit, variables);
      expect(failed).toMatchObject({ outcome: 'failed', retryable: false });
      const missingUrl = (variables.zaaktype as string | undefined) ?? (variables.zaakUrl as string);
      if (failed.outcome === 'failed') expect(failed.message).toContain(missingUrl);
      expectNoSecrets(failed);
    });

    it("completes with Open Zaak 1.30's deviations switched on", async () => {
      server.setDeviations({
        emptyStringUris: true,
        gezetdoorNull: true,
        zaakobjecttypen: true,
        problemAsJson: true,
      });
      const result = await runZgw(server, c.unit, await c.variables());
      expect(result, JSON.stringify(result)).toMatchObject({ outcome: 'completed' });
      expectNoSecrets(result);
      server.assertNoViolations();
    });
  },
);
