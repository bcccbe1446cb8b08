/**
 * The document, Objects API and zaaktype-process units against the loopback ZGW server (every request and
 * answer checked against the official OpenAPI files in ../shared/zgw-oas), and — for the process start — a
 * small Camunda 7 REST stand-in on loopback (../support/fake-camunda-rest.ts) that records what it is asked
 * to start.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
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
import { zgwCreateZaak, zgwCreateZaakobject } from '../../src/work-units/library/zgw/zaken/index.ts';
import type { ZgwTestServer } from '../../src/zgw/testing/index.ts';
import { type FakeCamunda, startFakeCamunda } from '../support/fake-camunda-rest.ts';
import { runZgw, startZgw } from '../support/zgw.ts';

let server: ZgwTestServer;
beforeAll(async () => {
  server = await startZgw();
});
afterAll(() => server?.close());
beforeEach(() => {
  server.requests.length = 0;
});

const RSIN = '002220647';

async function createZaak(taskId: string, variables: Record<string, unknown> = {}) {
  const result = await runZgw(
    server,
    zgwCreateZaak,
    {
      organisatieRSIN: RSIN,
      catalogusDomein: server.seed.domein,
      zaaktypeIdentificatie: server.seed.zaaktypeIdentificatie,
      zaakDetails: { omschrijving: 'Aanvraag parkeervergunning' },
      ...variables,
    },
    { task: { taskId } },
  );
  if (result.outcome !== 'completed') throw new Error(`create zaak: ${JSON.stringify(result)}`);
  return result.output;
}

const requestsTo = (method: string, path: string) =>
  server.requests.filter((r) => r.method === method && r.path.endsWith(path));
const relationsOf = (zaakUrl: string) =>
  server.store.list('zaakinformatieobjecten').filter((r) => r.zaak === zaakUrl);
/** The stored document (its `locked` as the server sets it on lock and unlock). */
function documentAt(url: string): { locked: unknown; indicatieGebruiksrecht: unknown } {
  const document = server.store.get(url);
  if (!document) throw new Error(`no document ${url} in the store`);
  return { locked: document.locked, indicatieGebruiksrecht: document.indicatieGebruiksrecht };
}

async function relate(zaakUrl: string, informatieobject: string, taskId: string) {
  const result = await runZgw(server, zgwRelateDocument, { zaakUrl, informatieobject }, { task: { taskId } });
  if (result.outcome !== 'completed') throw new Error(`relate document: ${JSON.stringify(result)}`);
  return result.output;
}

/** Expects a failure before any call: an input error naming `variable`. */
function expectInputFailure(result: { outcome: string } & Record<string, unknown>, variable: string) {
  expect(result).toMatchObject({ outcome: 'failed', retryable: false });
  expect(['InputError', 'VariableError']).toContain(result.type);
  expect(String(result.message)).toContain(variable);
}

describe('the document units', () => {
  it('relates a document to a zaak once, also when the task is retried', async () => {
    const { zaakUrl } = await createZaak('doc-relate-zaak');
    const [document] = server.seed.documents;
    const first = await relate(zaakUrl, document, 'doc-relate');
    const again = await relate(zaakUrl, document, 'doc-relate');
    const relations = relationsOf(zaakUrl);
    expect(relations.map((r) => r.informatieobject)).toEqual([document]);
    expect(first.zaakinformatieobject).toBe(relations[0]?.url);
    expect(again.zaakinformatieobject).toBe(first.zaakinformatieobject);
    expect(requestsTo('POST', '/zaakinformatieobjecten')).toHaveLength(1);
    server.assertNoViolations();
  });

  it('relates a document once when the answer to its POST was lost, in that attempt and when tried again', async () => {
    const { zaakUrl } = await createZaak('doc-lost-zaak');
    const [, document] = server.seed.documents;
    server.dropAnswerNext({ method: 'POST', path: /\/zaakinformatieobjecten$/ });
    // The lost answer fails the POST; the unit then finds the relation the server did make, and uses it.
    const lost = await relate(zaakUrl, document, 'doc-lost');
    expect(requestsTo('POST', '/zaakinformatieobjecten').map((r) => r.status)).toEqual([0]);
    const relations = relationsOf(zaakUrl);
    expect(relations.map((r) => r.informatieobject)).toEqual([document]);
    expect(lost.zaakinformatieobject).toBe(relations[0]?.url);
    const again = await relate(zaakUrl, document, 'doc-lost');
    expect(again.zaakinformatieobject).toBe(lost.zaakinformatieobject);
    expect(relationsOf(zaakUrl)).toHaveLength(1);
    expect(requestsTo('POST', '/zaakinformatieobjecten')).toHaveLength(1);
    server.assertNoViolations();
  });

  it('a relation without a zaak URL fails at once, naming zaakUrl', async () => {
    const result = await runZgw(server, zgwRelateDocument, { informatieobject: server.seed.documents[0] });
    expectInputFailure(result, 'zaakUrl');
    expect(server.requests).toHaveLength(0);
  });

  it('locks a document and unlocks it with the lock id the lock gave', async () => {
    const [document] = server.seed.documents;
    const locked = await runZgw(server, zgwLockDocument, { informatieobject: document });
    expect(locked).toMatchObject({ outcome: 'completed' });
    if (locked.outcome !== 'completed') return;
    expect(locked.output.lockId).toMatch(/^[0-9a-f]{32}$/);
    expect(documentAt(document).locked).toBe(true);

    const unlocked = await runZgw(server, zgwUnlockDocument, {
      informatieobject: document,
      lockId: locked.output.lockId,
    });
    expect(unlocked).toMatchObject({ outcome: 'completed', output: {} });
    expect(documentAt(document).locked).toBe(false);
    expect(requestsTo('POST', '/unlock')[0]?.body).toEqual({ lock: locked.output.lockId });
    server.assertNoViolations();
  });

  it('unlocking with a wrong lock id fails for good, saying the lock is wrong, and the document stays locked', async () => {
    const [, document] = server.seed.documents;
    const locked = await runZgw(server, zgwLockDocument, { informatieobject: document });
    if (locked.outcome !== 'completed') throw new Error(JSON.stringify(locked));
    const wrong = await runZgw(server, zgwUnlockDocument, {
      informatieobject: document,
      lockId: 'not-the-lock',
    });
    expect(wrong).toMatchObject({ outcome: 'failed', retryable: false });
    if (wrong.outcome === 'failed') expect(wrong.message).toMatch(/lock/i);
    expect(wrong.outcome === 'failed' && wrong.message).toMatch(/Incorrect lock ID/);
    expect(documentAt(document).locked).toBe(true);
    const right = await runZgw(server, zgwUnlockDocument, {
      informatieobject: document,
      lockId: locked.output.lockId,
    });
    expect(right).toMatchObject({ outcome: 'completed' });
    expect(documentAt(document).locked).toBe(false);
    server.assertNoViolations();
  });

  it('locking a document that is locked already fails for good, saying its lock id cannot be read back', async () => {
    const [document] = server.seed.documents;
    const first = await runZgw(server, zgwLockDocument, { informatieobject: document });
    if (first.outcome !== 'completed') throw new Error(JSON.stringify(first));
    const second = await runZgw(server, zgwLockDocument, { informatieobject: document });
    expect(second).toMatchObject({ outcome: 'failed', retryable: false, type: 'NonRetryableError' });
    if (second.outcome === 'failed')
      expect(second.message).toContain(`document ${document} is locked already`);
    await runZgw(server, zgwUnlockDocument, { informatieobject: document, lockId: first.output.lockId });
    expect(documentAt(document).locked).toBe(false);
    server.assertNoViolations();
  });

  it('unlocking without a lock id fails at once, naming lockId', async () => {
    const result = await runZgw(server, zgwUnlockDocument, { informatieobject: server.seed.documents[0] });
    expectInputFailure(result, 'lockId');
  });

  it('sets indicatieGebruiksrecht on every document of the zaak and leaves each unlocked', async () => {
    const { zaakUrl } = await createZaak('gebruik-zaak');
    for (const [i, document] of server.seed.documents.entries())
      await relate(zaakUrl, document, `gebruik-${i}`);
    const result = await runZgw(server, zgwSetIndicatieGebruiksrecht, {
      zaakUrl,
      indicatieGebruiksrecht: true,
    });
    expect(result).toMatchObject({ outcome: 'completed' });
    if (result.outcome !== 'completed') return;
    expect([...result.output.updatedInformatieobjecten].sort()).toEqual([...server.seed.documents].sort());
    for (const document of server.seed.documents) {
      expect(documentAt(document)).toMatchObject({ indicatieGebruiksrecht: true, locked: false });
    }
    expect(requestsTo('PATCH', '')).toHaveLength(2);
    // Again: nothing to change, nothing locked.
    server.requests.length = 0;
    const again = await runZgw(server, zgwSetIndicatieGebruiksrecht, {
      zaakUrl,
      indicatieGebruiksrecht: true,
    });
    expect(again).toMatchObject({ outcome: 'completed', output: { updatedInformatieobjecten: [] } });
    expect(requestsTo('POST', '/lock')).toHaveLength(0);
    server.assertNoViolations();
  });

  for (const status of [500, 400]) {
    it(`a PATCH answered ${status} fails the task, and no document stays locked`, async () => {
      const { zaakUrl } = await createZaak(`gebruik-fail-${status}`);
      for (const [i, document] of server.seed.documents.entries()) {
        await relate(zaakUrl, document, `gebruik-fail-${status}-${i}`);
      }
      // The other value than the documents have now (an earlier test may have changed them).
      const current = documentAt(server.seed.documents[0]).indicatieGebruiksrecht === true;
      server.failNext({ method: 'PATCH', path: '/documenten/api/v1/enkelvoudiginformatieobjecten/', status });
      const result = await runZgw(server, zgwSetIndicatieGebruiksrecht, {
        zaakUrl,
        indicatieGebruiksrecht: !current,
      });
      expect(result).toMatchObject({ outcome: 'failed', retryable: status === 500 });
      if (result.outcome === 'failed') expect(result.message).toContain(String(status));
      expect(requestsTo('PATCH', '').map((r) => r.status)).toEqual([status]);
      for (const document of server.seed.documents) expect(documentAt(document).locked).toBe(false);
      expect(requestsTo('POST', '/unlock').map((r) => r.status)).toEqual([204]);
      server.assertNoViolations();
    });
  }

  it('a gebruiksrecht that is not a boolean fails at once, naming indicatieGebruiksrecht', async () => {
    const { zaakUrl } = await createZaak('gebruik-bad');
    const result = await runZgw(server, zgwSetIndicatieGebruiksrecht, {
      zaakUrl,
      indicatieGebruiksrecht: 'ja',
    });
    expectInputFailure(result, 'indicatieGebruiksrecht');
  });
});

describe('zgw-start-zaaktype-process', () => {
  let camunda: FakeCamunda;
  beforeAll(async () => {
    camunda = await startFakeCamunda();
  });
  afterAll(() => camunda?.close());
  beforeEach(() => {
    camunda.starts.length = 0;
  });

  const start = (variables: Record<string, unknown>, taskId: string) =>
    runZgw(server, zgwStartZaaktypeProcess, variables, {
      task: { taskId },
      camunda: new CamundaClient({ baseUrl: camunda.baseUrl }),
    });

  it("starts the process the Objects API maps the zaak's zaaktype to, with the zaak as typed variables", async () => {
    const created = await createZaak('process-zaak');
    const result = await start(
      {
        zaakUrl: created.zaakUrl,
        zaaktypeProcessObjecttype: server.seed.objecttypes.zaaktypeProcess,
        initiator: 'user:ada',
      },
      'process-start',
    );
    expect(result).toMatchObject({
      outcome: 'completed',
      output: {
        startedProcessInstanceId: 'instance-1',
        startedProcessDefinitionKey: server.seed.processDefinitionKey,
      },
    });
    expect(camunda.starts).toHaveLength(1);
    const [started] = camunda.starts;
    expect(started?.key).toBe('bptl-zaak-aanvraag');
    expect(started?.body.businessKey).toBe(created.zaakIdentificatie);
    const variables = started?.body.variables ?? {};
    expect(variables.zaakUrl).toEqual({ type: 'String', value: created.zaakUrl });
    expect(variables.zaakIdentificatie).toEqual({ type: 'String', value: created.zaakIdentificatie });
    expect(variables.initiator).toEqual({ type: 'String', value: 'user:ada' });
    expect(variables.zaakDetails).toMatchObject({ type: 'Json' });
    expect(JSON.parse(String((variables.zaakDetails as { value: unknown }).value))).toEqual({
      omschrijving: 'Aanvraag parkeervergunning',
      zaaktypeOmschrijving: 'Aanvraag',
    });
    expect(variables.bptlIdempotencyKey).toMatchObject({ type: 'String' });
    const search = requestsTo('GET', '/objects/api/v2/objects')[0];
    expect(search?.query).toMatchObject({
      type: server.seed.objecttypes.zaaktypeProcess,
      data_attr: `zaaktypeIdentificaties__icontains__${server.seed.zaaktypeIdentificatie}`,
    });

    // The same task again finds the instance it started: no second start.
    const again = await start(
      {
        zaakUrl: created.zaakUrl,
        zaaktypeProcessObjecttype: server.seed.objecttypes.zaaktypeProcess,
        initiator: 'user:ada',
      },
      'process-start',
    );
    expect(again).toMatchObject({ outcome: 'completed', output: { startedProcessInstanceId: 'instance-1' } });
    expect(camunda.starts).toHaveLength(1);
    server.assertNoViolations();
  });

  it("without an initiator variable, sends the identificatie of the zaak's initiator rol (as ZAC does)", async () => {
    const created = await createZaak('process-initiator', {
      initiator: {
        betrokkeneType: 'medewerker',
        roltoelichting: 'aanvrager',
        betrokkeneIdentificatie: { identificatie: 'ada', achternaam: 'Lovelace' },
      },
    });
    const result = await start(
      { zaakUrl: created.zaakUrl, zaaktypeProcessObjecttype: server.seed.objecttypes.zaaktypeProcess },
      'process-initiator',
    );
    expect(result).toMatchObject({
      outcome: 'completed',
      output: { startedProcessDefinitionKey: server.seed.processDefinitionKey },
    });
    expect(camunda.starts.map((s) => s.body.variables?.initiator)).toEqual([
      { type: 'String', value: 'ada' },
    ]);
    expect(requestsTo('GET', '/rollen').at(-1)?.query).toMatchObject({
      zaak: created.zaakUrl,
      omschrijvingGeneriek: 'initiator',
    });
    server.assertNoViolations();
  });

  it('a zaaktype no object maps to a process fails for good, naming the zaaktype', async () => {
    const { zaakUrl } = await createZaak('process-none');
    const result = await start(
      { zaakUrl, zaaktypeProcessObjecttype: server.seed.objecttypes.checklist },
      'process-none',
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'NonRetryableError' });
    if (result.outcome === 'failed') {
      expect(result.message).toContain(`no process for zaaktype '${server.seed.zaaktypeIdentificatie}'`);
    }
    expect(camunda.starts).toHaveLength(0);
    server.assertNoViolations();
  });

  it('a zaakUrl that is no URL fails at once, naming zaakUrl', async () => {
    const result = await start({ zaakUrl: 'zaak-1' }, 'process-bad');
    expectInputFailure(result, 'zaakUrl');
    expect(camunda.starts).toHaveLength(0);
  });
});

describe('the Objects API units', () => {
  it('searches objects by objecttype and data attributes', async () => {
    const { objecttypes, zaaktypeProcessObject, zaaktypeIdentificatie, processDefinitionKey } = server.seed;
    const found = await runZgw(server, objectsSearch, {
      objecttype: objecttypes.zaaktypeProcess,
      dataAttrs: { camundaProcessDefinitionKey: processDefinitionKey },
    });
    expect(found).toMatchObject({ outcome: 'completed' });
    if (found.outcome !== 'completed') return;
    expect(found.output.objects.map((o) => o.url)).toEqual([zaaktypeProcessObject]);
    expect(found.output.objects[0]).toMatchObject({
      type: objecttypes.zaaktypeProcess,
      record: { data: { camundaProcessDefinitionKey: processDefinitionKey } },
    });
    const list = await runZgw(server, objectsSearch, {
      objecttype: objecttypes.zaaktypeProcess,
      dataAttrs: [
        `zaaktypeIdentificaties__icontains__${zaaktypeIdentificatie}`,
        'zaaktypeCatalogus__exact__BPTL',
      ],
    });
    expect(list).toMatchObject({ outcome: 'completed' });
    if (list.outcome === 'completed')
      expect(list.output.objects.map((o) => o.url)).toEqual([zaaktypeProcessObject]);
    const none = await runZgw(server, objectsSearch, {
      objecttype: objecttypes.zaaktypeProcess,
      dataAttrs: { camundaProcessDefinitionKey: 'other' },
    });
    expect(none).toMatchObject({ outcome: 'completed', output: { objects: [] } });
    server.assertNoViolations();
  });

  it('a filter not of the form key__operator__value fails, naming dataAttrs', async () => {
    const result = await runZgw(server, objectsSearch, {
      objecttype: server.seed.objecttypes.zaaktypeProcess,
      dataAttrs: ['camundaProcessDefinitionKey=x'],
    });
    expectInputFailure(result, 'dataAttrs');
  });

  it('creates the checklist of a zaak once, also when retried, and relates it to the zaak', async () => {
    const { zaakUrl } = await createZaak('checklist-zaak');
    const init = () => runZgw(server, objectsInitChecklist, { zaakUrl }, { task: { taskId: 'checklist' } });
    const first = await init();
    expect(first).toMatchObject({ outcome: 'completed', output: { initializedChecklist: true } });
    if (first.outcome !== 'completed') return;
    const checklists = () =>
      server.store
        .list('objects')
        .filter(
          (o) =>
            o.type === server.seed.objecttypes.checklist &&
            (o.record as { data: { zaak?: string } }).data.zaak === zaakUrl,
        );
    expect(checklists().map((o) => o.url)).toEqual([first.output.checklistUrl]);
    expect(checklists()[0]?.record).toMatchObject({
      typeVersion: 1,
      data: { answers: [], zaak: zaakUrl, lockedBy: null },
    });
    const zaakobjecten = () => server.store.list('zaakobjecten').filter((z) => z.zaak === zaakUrl);
    expect(zaakobjecten()).toHaveLength(1);
    expect(zaakobjecten()[0]).toMatchObject({
      object: first.output.checklistUrl,
      objectType: 'overige',
      objectTypeOverige: 'checklist',
      relatieomschrijving: 'Checklist van Zaak',
    });

    const again = await init();
    expect(again).toMatchObject({
      outcome: 'completed',
      output: { checklistUrl: first.output.checklistUrl, initializedChecklist: false },
    });
    expect(checklists()).toHaveLength(1);
    expect(zaakobjecten()).toHaveLength(1);
    server.assertNoViolations();
  });

  it('filters the zaakobjecten of a zaak by the label of their objecttype', async () => {
    const { zaakUrl } = await createZaak('filter-zaak');
    const init = await runZgw(
      server,
      objectsInitChecklist,
      { zaakUrl },
      { task: { taskId: 'filter-checklist' } },
    );
    if (init.outcome !== 'completed') throw new Error(JSON.stringify(init));
    // Another zaakobject: the process mapping object, and one not on the Objects API.
    for (const [taskId, objectUrl] of [
      ['filter-zo-1', server.seed.zaaktypeProcessObject],
      ['filter-zo-2', 'https://bag.example/api/panden/1'],
    ] as const) {
      const zo = await runZgw(
        server,
        zgwCreateZaakobject,
        { zaakUrl, objectUrl, objectType: 'overige', objectTypeOverige: 'other' },
        { task: { taskId } },
      );
      expect(zo).toMatchObject({ outcome: 'completed' });
    }
    const filtered = await runZgw(server, objectsFilterZaakobjecten, {
      zaakUrl,
      objecttypeLabel: 'Checklist',
    });
    expect(filtered).toMatchObject({
      outcome: 'completed',
      output: { filteredObjects: [init.output.checklistUrl] },
    });
    if (filtered.outcome === 'completed') {
      expect(filtered.output.filteredZaakobjecten).toHaveLength(1);
      expect(filtered.output.filteredZaakobjecten[0]).toMatchObject({
        zaak: zaakUrl,
        object: init.output.checklistUrl,
        objectRecord: { url: init.output.checklistUrl, type: server.seed.objecttypes.checklist },
      });
    }
    const mapping = await runZgw(server, objectsFilterZaakobjecten, {
      zaakUrl,
      objecttypeLabel: 'zaaktype-procesdefinitie',
    });
    expect(mapping).toMatchObject({
      outcome: 'completed',
      output: { filteredObjects: [server.seed.zaaktypeProcessObject] },
    });
    server.assertNoViolations();
  });

  it('a filter without a label fails at once, naming objecttypeLabel', async () => {
    const { zaakUrl } = await createZaak('filter-bad');
    const result = await runZgw(server, objectsFilterZaakobjecten, { zaakUrl });
    expectInputFailure(result, 'objecttypeLabel');
  });
});
