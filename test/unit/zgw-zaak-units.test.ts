/**
 * The Zaken units against the loopback ZGW server (every request and answer checked against the official
 * OpenAPI files in ../shared/zgw-oas): a zaak's life from creation to closing, the lookups, and the retries
 * after a lost answer that must not create anything twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import type { ZgwTestServer } from '../../src/zgw/testing/index.ts';
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
const aanvrager = {
  betrokkeneType: 'natuurlijk_persoon',
  roltoelichting: 'aanvrager',
  betrokkeneIdentificatie: { inpBsn: '999999011' },
};

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

const posts = (path: string) => server.requests.filter((r) => r.method === 'POST' && r.path.endsWith(path));

describe('the Zaken units against the loopback ZGW server', () => {
  it('creates a zaak of the zaaktype found by catalogus and identificatie, with its initial status and initiator', async () => {
    const created = await createZaak('create-1', { initiator: aanvrager });
    expect(created.zaakUrl.startsWith(`${server.baseUrls.zaken}/zaken/`)).toBe(true);
    expect(created.zaakIdentificatie).not.toBe('');
    const zaak = server.store.get(created.zaakUrl);
    expect(zaak).toMatchObject({ zaaktype: server.seed.zaaktype, bronorganisatie: RSIN });
    const statussen = server.store.list('statussen').filter((s) => s.zaak === created.zaakUrl);
    expect(statussen.map((s) => s.statustype)).toEqual([server.seed.statustypen[0]]);
    const rollen = server.store.list('rollen').filter((r) => r.zaak === created.zaakUrl);
    expect(rollen.map((r) => r.roltype)).toEqual([server.seed.roltypen.initiator]);
    server.assertNoViolations();
  });

  it('a retry after the answer to POST /zaken was lost finds the zaak it made: one zaak, one status', async () => {
    server.dropAnswerNext({ method: 'POST', path: /\/zaken$/ });
    const first = await runZgw(
      server,
      zgwCreateZaak,
      {
        organisatieRSIN: RSIN,
        catalogusDomein: server.seed.domein,
        zaaktypeIdentificatie: server.seed.zaaktypeIdentificatie,
      },
      { task: { taskId: 'create-lost' } },
    );
    expect(first).toMatchObject({ outcome: 'failed', retryable: true });
    const before = server.store.list('zaken').length;
    const again = await createZaak('create-lost');
    expect(server.store.list('zaken').length).toBe(before);
    expect(posts('/zaken')).toHaveLength(1);
    expect(server.store.list('statussen').filter((s) => s.zaak === again.zaakUrl)).toHaveLength(1);
    server.assertNoViolations();
  });

  it('looks a zaak up by bronorganisatie and identificatie, and answers null for one that is not there', async () => {
    const created = await createZaak('lookup-1');
    const found = await runZgw(server, zgwLookupZaak, {
      bronorganisatie: RSIN,
      identificatie: created.zaakIdentificatie,
    });
    expect(found).toMatchObject({ outcome: 'completed', output: { zaakUrl: created.zaakUrl } });
    const missing = await runZgw(server, zgwLookupZaak, {
      bronorganisatie: RSIN,
      identificatie: 'ZAAK-NONE',
    });
    expect(missing).toMatchObject({ outcome: 'completed', output: { zaakUrl: null } });
  });

  it('sets a status by volgnummer and a rol by roltype omschrijving, once each when retried', async () => {
    const { zaakUrl } = await createZaak('status-1');
    const status = { zaakUrl, statusVolgnummer: 2, toelichting: 'in behandeling' };
    expect(await runZgw(server, zgwCreateStatus, status, { task: { taskId: 'status-2' } })).toMatchObject({
      outcome: 'completed',
    });
    await runZgw(server, zgwCreateStatus, status, { task: { taskId: 'status-2' } });
    const statussen = server.store.list('statussen').filter((s) => s.zaak === zaakUrl);
    expect(statussen.map((s) => s.statustype)).toEqual([
      server.seed.statustypen[0],
      server.seed.statustypen[1],
    ]);

    const rol = {
      zaakUrl,
      omschrijving: 'Behandelaar',
      betrokkene: { ...aanvrager, roltoelichting: 'behandelaar' },
    };
    expect(await runZgw(server, zgwCreateRol, rol, { task: { taskId: 'rol-1' } })).toMatchObject({
      outcome: 'completed',
    });
    await runZgw(server, zgwCreateRol, rol, { task: { taskId: 'rol-1' } });
    const rollen = server.store.list('rollen').filter((r) => r.zaak === zaakUrl);
    expect(rollen.map((r) => r.roltype)).toEqual([server.seed.roltypen.behandelaar]);
    server.assertNoViolations();
  });

  it('a rol whose omschrijving no roltype has fails, naming the roltypen there are', async () => {
    const { zaakUrl } = await createZaak('rol-bad');
    const result = await runZgw(server, zgwCreateRol, {
      zaakUrl,
      omschrijving: 'Astronaut',
      betrokkene: aanvrager,
    });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed') expect(result.message).toMatch(/Astronaut[\s\S]*Behandelaar/);
  });

  it('sets a resultaat by omschrijving, then closes the zaak with its eindstatus and archive dates', async () => {
    const { zaakUrl } = await createZaak('close-1');
    const resultaat = await runZgw(server, zgwCreateResultaat, { zaakUrl, omschrijving: 'toegekend' });
    expect(resultaat).toMatchObject({ outcome: 'completed' });
    const closed = await runZgw(server, zgwCloseZaak, { zaakUrl }, { task: { taskId: 'close-2' } });
    expect(closed).toMatchObject({ outcome: 'completed' });
    if (closed.outcome !== 'completed') return;
    expect(closed.output.einddatum).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(closed.output.archiefnominatie).toBe('blijvend_bewaren');
    const statussen = server.store.list('statussen').filter((s) => s.zaak === zaakUrl);
    expect(statussen.at(-1)?.statustype).toBe(server.seed.statustypen[2]);
    expect(server.store.list('resultaten').filter((r) => r.zaak === zaakUrl)).toHaveLength(1);
    server.assertNoViolations();
  });

  it('creates a zaakeigenschap, then updates it, and a name the zaaktype lacks fails naming it', async () => {
    const { zaakUrl } = await createZaak('eigenschap-1');
    const set = (waarde: string) =>
      runZgw(server, zgwSetZaakeigenschap, { zaakUrl, eigenschap: { naam: 'kenmerk', waarde } });
    expect(await set('A-1')).toMatchObject({ outcome: 'completed' });
    expect(await set('A-2')).toMatchObject({ outcome: 'completed' });
    const own = server.store.list('zaakeigenschappen').filter((e) => e.zaak === zaakUrl);
    expect(own.map((e) => e.waarde)).toEqual(['A-2']);
    const bad = await runZgw(server, zgwSetZaakeigenschap, {
      zaakUrl,
      eigenschap: { naam: 'kleur', waarde: 'x' },
    });
    expect(bad).toMatchObject({ outcome: 'failed', retryable: false });
    if (bad.outcome === 'failed') expect(bad.message).toContain('kleur');
    server.assertNoViolations();
  });

  it('relates two zaken both ways, once when retried, and fetches the relations', async () => {
    const hoofd = await createZaak('relate-a');
    const deel = await createZaak('relate-b');
    const relate = { hoofdZaakUrl: hoofd.zaakUrl, zaakUrl: deel.zaakUrl, aardRelatie: 'bijdrage' };
    expect(await runZgw(server, zgwRelateZaken, relate, { task: { taskId: 'relate' } })).toMatchObject({
      outcome: 'completed',
    });
    await runZgw(server, zgwRelateZaken, relate, { task: { taskId: 'relate' } });
    const relations = await runZgw(server, zgwGetZaakRelations, { zaakUrl: hoofd.zaakUrl });
    expect(relations).toMatchObject({
      outcome: 'completed',
      output: { zaakRelaties: [{ url: deel.zaakUrl, aardRelatie: 'bijdrage' }] },
    });
    const back = await runZgw(server, zgwGetZaakRelations, { zaakUrl: deel.zaakUrl });
    expect(back).toMatchObject({
      outcome: 'completed',
      output: { zaakRelaties: [{ url: hoofd.zaakUrl, aardRelatie: 'onderwerp' }] },
    });
    server.assertNoViolations();
  });

  it('creates a zaakobject once when retried, and fetches the zaakobjecten', async () => {
    const { zaakUrl } = await createZaak('zaakobject-1');
    const zo = {
      zaakUrl,
      objectUrl: 'https://objects.example/api/v2/objects/1',
      objectType: 'overige',
      objectTypeOverige: 'checklist',
    };
    expect(await runZgw(server, zgwCreateZaakobject, zo, { task: { taskId: 'zo' } })).toMatchObject({
      outcome: 'completed',
    });
    await runZgw(server, zgwCreateZaakobject, zo, { task: { taskId: 'zo' } });
    const listed = await runZgw(server, zgwGetZaakobjecten, { zaakUrl });
    expect(listed).toMatchObject({ outcome: 'completed' });
    if (listed.outcome === 'completed') {
      expect(listed.output.zaakObjecten.map((o) => o.object)).toEqual([zo.objectUrl]);
    }
    server.assertNoViolations();
  });
});
