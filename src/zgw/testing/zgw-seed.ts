/**
 * The seeded resources of the loopback ZGW server: catalogus BPTL (rsin 002220647) with the published zaaktype
 * ZT-BPTL-AANVRAAG (statustypen 1–3, 3 the eindstatus; resultaattypen Toegekend and Geweigerd; roltypen initiator
 * and behandelaar; eigenschap `kenmerk`; an informatieobjecttype; a zaakobjecttype), a concept zaaktype, two
 * documents, and the objecttypes "zaaktype-procesdefinitie" (one object naming the zaaktype's process) and
 * "checklist".
 */
import { randomUUID } from 'node:crypto';
import type { ZgwBaseUrls } from './zgw-handler.ts';
import type { ZgwResource, ZgwStore } from './zgw-store.ts';

/** The URLs of the seeded resources. */
export interface ZgwSeed {
  rsin: string;
  domein: string;
  catalogus: string;
  zaaktype: string;
  zaaktypeIdentificatie: string;
  unpublishedZaaktype: string;
  statustypen: [string, string, string];
  resultaattypen: { toegekend: string; geweigerd: string };
  roltypen: { initiator: string; behandelaar: string };
  eigenschap: string;
  informatieobjecttype: string;
  zaakobjecttype: string;
  documents: [string, string];
  objecttypes: { zaaktypeProcess: string; checklist: string };
  zaaktypeProcessObject: string;
  processDefinitionKey: string;
}

const SEED_DATE = '2026-01-01';

export function seedZgwStore(store: ZgwStore, base: ZgwBaseUrls): ZgwSeed {
  const at = (api: keyof ZgwBaseUrls, collection: string) => {
    const uuid = randomUUID();
    return { uuid, url: `${base[api]}/${collection}/${uuid}` };
  };
  const add = (collection: string, resource: ZgwResource) => store.add(collection, resource).url;
  const rsin = '002220647';
  const domein = 'BPTL';
  const identificatie = 'ZT-BPTL-AANVRAAG';
  const catalogus = at('catalogi', 'catalogussen').url;
  const zaaktype = at('catalogi', 'zaaktypen').url;
  const concept = at('catalogi', 'zaaktypen').url;
  const informatieobjecttype = at('catalogi', 'informatieobjecttypen').url;
  const zaakobjecttype = at('catalogi', 'zaakobjecttypen').url;
  const geldig = {
    beginGeldigheid: SEED_DATE,
    eindeGeldigheid: null,
    beginObject: SEED_DATE,
    eindeObject: null,
  };

  const statustypen = [1, 2, 3].map((volgnummer) =>
    add('statustypen', {
      url: at('catalogi', 'statustypen').url,
      omschrijving: ['Ontvangen', 'In behandeling', 'Afgerond'][volgnummer - 1]!,
      omschrijvingGeneriek: '',
      statustekst: '',
      zaaktype,
      catalogus,
      zaaktypeIdentificatie: identificatie,
      volgnummer,
      isEindstatus: volgnummer === 3,
      informeren: false,
      doorlooptijd: null,
      toelichting: null,
      checklistitemStatustype: [],
      eigenschappen: [],
      zaakobjecttype,
      ...geldig,
    }),
  ) as [string, string, string];
  const resultaattype = (omschrijving: string, archiefnominatie: string, archiefactietermijn: string) =>
    add('resultaattypen', {
      url: at('catalogi', 'resultaattypen').url,
      zaaktype,
      zaaktypeIdentificatie: identificatie,
      omschrijving,
      resultaattypeomschrijving:
        'https://selectielijst.openzaak.nl/api/v1/resultaattypeomschrijvingen/fb65d251-1518-4185-865f-b8bdcfad07b1',
      omschrijvingGeneriek: omschrijving,
      selectielijstklasse:
        'https://selectielijst.openzaak.nl/api/v1/resultaten/afa30940-855b-4a7e-aa21-9e15a8078814',
      toelichting: '',
      archiefnominatie,
      archiefactietermijn,
      brondatumArchiefprocedure: {
        afleidingswijze: 'afgehandeld',
        datumkenmerk: '',
        einddatumBekend: false,
        objecttype: '',
        registratie: '',
        procestermijn: null,
      },
      catalogus,
      besluittypen: [],
      besluittypeOmschrijving: [],
      informatieobjecttypen: [],
      informatieobjecttypeOmschrijving: [],
      zaakobjecttypen: [],
      ...geldig,
    });
  const resultaattypen = {
    toegekend: resultaattype('Toegekend', 'blijvend_bewaren', 'P20Y'),
    geweigerd: resultaattype('Geweigerd', 'vernietigen', 'P1Y'),
  };
  const roltype = (omschrijving: string, omschrijvingGeneriek: string) =>
    add('roltypen', {
      url: at('catalogi', 'roltypen').url,
      zaaktype,
      zaaktypeIdentificatie: identificatie,
      omschrijving,
      omschrijvingGeneriek,
      catalogus,
      ...geldig,
    });
  const roltypen = {
    initiator: roltype('Aanvrager', 'initiator'),
    behandelaar: roltype('Behandelaar', 'behandelaar'),
  };
  const eigenschap = add('eigenschappen', {
    url: at('catalogi', 'eigenschappen').url,
    naam: 'kenmerk',
    catalogus,
    definitie: 'Een kenmerk van de aanvraag',
    specificatie: { groep: '', formaat: 'tekst', lengte: '100', kardinaliteit: '1', waardenverzameling: [] },
    toelichting: '',
    zaaktype,
    zaaktypeIdentificatie: identificatie,
    statustype: null,
    ...geldig,
  });
  add('informatieobjecttypen', {
    url: informatieobjecttype,
    catalogus,
    omschrijving: 'Bijlage',
    vertrouwelijkheidaanduiding: 'openbaar',
    ...geldig,
    concept: false,
    zaaktypen: [zaaktype],
    besluittypen: [],
    informatieobjectcategorie: 'bijlage',
    trefwoord: [],
    omschrijvingGeneriek: {
      informatieobjecttypeOmschrijvingGeneriek: '',
      definitieInformatieobjecttypeOmschrijvingGeneriek: '',
      herkomstInformatieobjecttypeOmschrijvingGeneriek: '',
      hierarchieInformatieobjecttypeOmschrijvingGeneriek: '',
      opmerkingInformatieobjecttypeOmschrijvingGeneriek: '',
    },
  });
  add('zaakobjecttypen', {
    url: zaakobjecttype,
    anderObjecttype: false,
    ...geldig,
    objecttype: `${base.objecttypes}/objecttypes/${randomUUID()}`,
    relatieOmschrijving: 'Procesdefinitie',
    zaaktype,
    zaaktypeIdentificatie: identificatie,
    resultaattypen: [],
    statustypen: [],
    catalogus,
  });
  const zaaktypeResource = (url: string, zaaktypeIdentificatie: string, isConcept: boolean) => ({
    url,
    identificatie: zaaktypeIdentificatie,
    omschrijving: isConcept ? 'Concept-aanvraag' : 'Aanvraag',
    omschrijvingGeneriek: '',
    vertrouwelijkheidaanduiding: 'openbaar',
    doel: 'Een aanvraag behandelen',
    aanleiding: 'Een aanvraag van een burger',
    toelichting: '',
    indicatieInternOfExtern: 'extern',
    handelingInitiator: 'Aanvragen',
    onderwerp: 'Aanvraag',
    handelingBehandelaar: 'Behandelen',
    doorlooptijd: 'P30D',
    servicenorm: null,
    opschortingEnAanhoudingMogelijk: false,
    verlengingMogelijk: false,
    verlengingstermijn: null,
    trefwoorden: [],
    publicatieIndicatie: false,
    publicatietekst: '',
    verantwoordingsrelatie: [],
    productenOfDiensten: [],
    selectielijstProcestype:
      'https://selectielijst.openzaak.nl/api/v1/procestypen/aa8aa2fd-b9c6-4e34-9a6c-58a677f60ea0',
    referentieproces: { naam: 'Aanvraag', link: '' },
    verantwoordelijke: rsin,
    zaakobjecttypen: isConcept ? [] : [zaakobjecttype],
    broncatalogus: null,
    bronzaaktype: null,
    catalogus,
    statustypen: isConcept ? [] : statustypen,
    resultaattypen: isConcept ? [] : Object.values(resultaattypen),
    eigenschappen: isConcept ? [] : [eigenschap],
    informatieobjecttypen: isConcept ? [] : [informatieobjecttype],
    roltypen: isConcept ? [] : Object.values(roltypen),
    besluittypen: [],
    deelzaaktypen: [],
    gerelateerdeZaaktypen: [],
    ...geldig,
    versiedatum: SEED_DATE,
    concept: isConcept,
  });
  add('zaaktypen', zaaktypeResource(zaaktype, identificatie, false));
  add('zaaktypen', zaaktypeResource(concept, 'ZT-BPTL-CONCEPT', true));
  add('catalogussen', {
    url: catalogus,
    domein,
    rsin,
    contactpersoonBeheerNaam: 'BPTL',
    contactpersoonBeheerTelefoonnummer: '',
    zaaktypen: [zaaktype, concept],
    besluittypen: [],
    informatieobjecttypen: [informatieobjecttype],
    naam: 'BPTL',
    versie: '1',
    begindatumVersie: SEED_DATE,
  });

  const document = (titel: string, inhoud: string) => {
    const { uuid, url } = at('documenten', 'enkelvoudiginformatieobjecten');
    return add('enkelvoudiginformatieobjecten', {
      url,
      identificatie: `DOCUMENT-SEED-${titel}`,
      bronorganisatie: rsin,
      creatiedatum: SEED_DATE,
      titel,
      vertrouwelijkheidaanduiding: 'openbaar',
      auteur: 'BPTL',
      status: 'definitief',
      formaat: 'text/plain',
      taal: 'nld',
      versie: 1,
      beginRegistratie: `${SEED_DATE}T00:00:00Z`,
      bestandsnaam: `${titel}.txt`,
      inhoud: `${base.documenten}/enkelvoudiginformatieobjecten/${uuid}/download?versie=1`,
      bestandsomvang: Buffer.byteLength(inhoud),
      beschrijving: '',
      indicatieGebruiksrecht: false,
      locked: false,
      bestandsdelen: [],
      informatieobjecttype,
      trefwoorden: [],
    });
  };
  const documents: [string, string] = [
    document('aanvraag', 'de aanvraag'),
    document('besluit', 'het besluit'),
  ];

  const objecttype = (name: string, namePlural: string, jsonSchema: Record<string, unknown>) => {
    const { uuid, url } = at('objecttypes', 'objecttypes');
    const version = `${url}/versions/1`;
    store.add('objecttypeversions', {
      url: version,
      version: 1,
      objectType: url,
      status: 'published',
      jsonSchema,
      createdAt: SEED_DATE,
      modifiedAt: SEED_DATE,
      publishedAt: SEED_DATE,
    });
    return add('objecttypes', {
      url,
      uuid,
      name,
      namePlural,
      description: '',
      dataClassification: 'open',
      maintainerOrganization: 'BPTL',
      maintainerDepartment: '',
      contactPerson: '',
      contactEmail: '',
      source: '',
      updateFrequency: 'unknown',
      providerOrganization: '',
      labels: {},
      createdAt: SEED_DATE,
      modifiedAt: SEED_DATE,
      allowGeometry: false,
      versions: [version],
    });
  };
  const processDefinitionKey = 'bptl-zaak-aanvraag';
  const zaaktypeProcess = objecttype('zaaktype-procesdefinitie', 'zaaktype-procesdefinities', {
    type: 'object',
    required: ['zaaktype', 'processDefinitionKey'],
    properties: { zaaktype: { type: 'string' }, processDefinitionKey: { type: 'string' } },
  });
  const checklist = objecttype('checklist', 'checklists', {
    type: 'object',
    properties: { zaak: { type: 'string' }, answers: { type: 'array' } },
  });
  const object = at('objects', 'objects');
  const zaaktypeProcessObject = add('objects', {
    url: object.url,
    uuid: object.uuid,
    type: zaaktypeProcess,
    record: {
      index: 1,
      typeVersion: 1,
      // Both shapes: this project's fields, and those of BPTL's StartCamundaProcessForm (searched by
      // zaaktypeIdentificaties__icontains and zaaktypeCatalogus__exact).
      data: {
        zaaktype,
        catalogus,
        identificatie,
        processDefinitionKey,
        zaaktypeIdentificaties: [identificatie],
        zaaktypeCatalogus: domein,
        camundaProcessDefinitionKey: processDefinitionKey,
      },
      geometry: null,
      references: [],
      startAt: SEED_DATE,
      endAt: null,
      registrationAt: SEED_DATE,
      correctionFor: null,
    },
  });

  return {
    rsin,
    domein,
    catalogus,
    zaaktype,
    zaaktypeIdentificatie: identificatie,
    unpublishedZaaktype: concept,
    statustypen,
    resultaattypen,
    roltypen,
    eigenschap,
    informatieobjecttype,
    zaakobjecttype,
    documents,
    objecttypes: { zaaktypeProcess, checklist },
    zaaktypeProcessObject,
    processDefinitionKey,
  };
}
