/**
 * The Zaken API 1.5.1 of the loopback ZGW server: zaken (and `_zoek`), statussen, resultaten, rollen,
 * zaakeigenschappen, zaakinformatieobjecten and zaakobjecten, with the rules Open Zaak applies that the units
 * rely on (published zaaktype, one initiator, one resultaat, an eindstatus closes the zaak and needs a resultaat).
 */
import type { ZgwHandlers, ZgwRequestContext } from '../zgw-handler.ts';
import { filterExact, getSelf, isOwnUrl, paginate, reference, today } from '../zgw-handler.ts';
import { invalid } from '../zgw-problem.ts';
import type { ZgwResource } from '../zgw-store.ts';
import { crud } from './generic.ts';

const ZAAK_READ_ONLY = {
  einddatum: null,
  betalingsindicatieWeergave: '',
  deelzaken: [],
  eigenschappen: [],
  rollen: [],
  status: null,
  zaakinformatieobjecten: [],
  zaakobjecten: [],
  resultaat: null,
};

function zaakOf(context: ZgwRequestContext, url: unknown, field = 'zaak'): ZgwResource {
  return reference(context, field, url, 'zaken') as ZgwResource;
}

function push(resource: ZgwResource, field: string, url: string): void {
  const list = Array.isArray(resource[field]) ? (resource[field] as string[]) : [];
  resource[field] = [...list, url];
}

/** `date` + an ISO 8601 duration of years, months, weeks and days (`P10Y`, `P1Y6M`, `P14D`). */
export function addDuration(date: string, duration: string): string {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(duration);
  if (!match) return date;
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + Number(match[1] ?? 0), d.getUTCMonth() + Number(match[2] ?? 0));
  d.setUTCDate(d.getUTCDate() + 7 * Number(match[3] ?? 0) + Number(match[4] ?? 0));
  return d.toISOString().slice(0, 10);
}

function filterZaken(items: ZgwResource[], source: URLSearchParams): ZgwResource[] {
  let out = filterExact(items, source, {
    bronorganisatie: (z) => z.bronorganisatie,
    identificatie: (z) => z.identificatie,
    zaaktype: (z) => z.zaaktype,
    archiefnominatie: (z) => z.archiefnominatie,
    archiefstatus: (z) => z.archiefstatus,
    startdatum: (z) => z.startdatum,
  });
  const compare: [string, (a: string, b: string) => boolean][] = [
    ['startdatum__gt', (a, b) => a > b],
    ['startdatum__gte', (a, b) => a >= b],
    ['startdatum__lt', (a, b) => a < b],
    ['startdatum__lte', (a, b) => a <= b],
  ];
  for (const [name, test] of compare) {
    const wanted = source.get(name);
    if (wanted) out = out.filter((z) => test(String(z.startdatum), wanted));
  }
  for (const name of ['bronorganisatie__in', 'zaaktype__in', 'uuid__in']) {
    const wanted = source.get(name);
    if (wanted) {
      const values = wanted.split(',');
      const field = name.replace('__in', '');
      out = out.filter((z) => values.includes(String(z[field])));
    }
  }
  return out;
}

function createZaak(zaak: ZgwResource, context: ZgwRequestContext): void {
  const { state } = context;
  const zaaktype = reference(context, 'zaaktype', zaak.zaaktype, 'zaaktypen');
  if (zaaktype?.concept !== false)
    throw invalid('zaaktype', 'Het ZAAKTYPE is nog niet gepubliceerd (concept).', 'not-published');
  if (zaak.identificatie === undefined || zaak.identificatie === '') {
    state.zaakNumber += 1;
    zaak.identificatie = `ZAAK-${new Date().getUTCFullYear()}-${String(state.zaakNumber).padStart(10, '0')}`;
  }
  const duplicate = state.store
    .list('zaken')
    .some((z) => z.identificatie === zaak.identificatie && z.bronorganisatie === zaak.bronorganisatie);
  if (duplicate)
    throw invalid(
      'identificatie',
      'Deze identificatie bestaat al binnen de bronorganisatie.',
      'identificatie-niet-uniek',
    );
  Object.assign(zaak, ZAAK_READ_ONLY, {
    registratiedatum: zaak.registratiedatum ?? today(),
    archiefnominatie: zaak.archiefnominatie ?? null,
    archiefstatus: zaak.archiefstatus ?? 'nog_te_archiveren',
    archiefactiedatum: zaak.archiefactiedatum ?? null,
  });
}

function updateZaak(zaak: ZgwResource, previous: ZgwResource, context: ZgwRequestContext): void {
  if (zaak.zaaktype !== previous.zaaktype)
    throw invalid('zaaktype', 'Het zaaktype mag niet gewijzigd worden.', 'wijzigen-niet-toegelaten');
  if (zaak.identificatie !== previous.identificatie && zaak.identificatie !== undefined) {
    throw invalid('identificatie', 'De identificatie mag niet gewijzigd worden.', 'wijzigen-niet-toegelaten');
  }
  // The fields the server keeps stay as they were.
  for (const key of Object.keys(ZAAK_READ_ONLY)) zaak[key] = previous[key];
  zaak.identificatie = previous.identificatie;
  void context;
}

function createStatus(status: ZgwResource, context: ZgwRequestContext): void {
  const zaak = zaakOf(context, status.zaak);
  const statustype = reference(context, 'statustype', status.statustype, 'statustypen') as ZgwResource;
  if (statustype.zaaktype !== zaak.zaaktype)
    throw invalid(
      'statustype',
      'Het statustype hoort niet bij het zaaktype van de zaak.',
      'zaaktype-mismatch',
    );
  if (statustype.isEindstatus === true) {
    const resultaat =
      typeof zaak.resultaat === 'string' ? context.state.store.get(zaak.resultaat) : undefined;
    if (!resultaat)
      throw invalid(
        'nonFieldErrors',
        'De zaak heeft geen resultaat: een eindstatus kan niet gezet worden.',
        'resultaat-does-not-exist',
      );
    const resultaattype = context.state.store.get(String(resultaat.resultaattype));
    const einddatum = String(status.datumStatusGezet).slice(0, 10);
    zaak.einddatum = einddatum;
    zaak.archiefnominatie = resultaattype?.archiefnominatie ?? zaak.archiefnominatie ?? null;
    const termijn = resultaattype?.archiefactietermijn;
    if (zaak.archiefactiedatum === null && typeof termijn === 'string')
      zaak.archiefactiedatum = addDuration(einddatum, termijn);
  }
  for (const other of context.state.store.list('statussen')) {
    if (other.zaak === zaak.url) other.indicatieLaatstGezetteStatus = false;
  }
  status.indicatieLaatstGezetteStatus = true;
  status.zaakinformatieobjecten = [];
  zaak.status = status.url;
}

function createRol(rol: ZgwResource, context: ZgwRequestContext): void {
  const zaak = zaakOf(context, rol.zaak);
  const roltype = reference(context, 'roltype', rol.roltype, 'roltypen') as ZgwResource;
  if (roltype.zaaktype !== zaak.zaaktype)
    throw invalid('roltype', 'Het roltype hoort niet bij het zaaktype van de zaak.', 'zaaktype-mismatch');
  if (roltype.omschrijvingGeneriek === 'initiator') {
    const initiator = context.state.store
      .list('rollen')
      .some((other) => other.zaak === zaak.url && other.omschrijvingGeneriek === 'initiator');
    if (initiator) throw invalid('roltype', 'De zaak heeft al een initiator.', 'max-1-initiator');
  }
  rol.omschrijving = roltype.omschrijving;
  rol.omschrijvingGeneriek = roltype.omschrijvingGeneriek;
  rol.registratiedatum = new Date().toISOString();
  rol.statussen = [];
  rol.roltoelichting = rol.roltoelichting ?? '';
  push(zaak, 'rollen', rol.url);
}

function createResultaat(resultaat: ZgwResource, context: ZgwRequestContext): void {
  const zaak = zaakOf(context, resultaat.zaak);
  const resultaattype = reference(
    context,
    'resultaattype',
    resultaat.resultaattype,
    'resultaattypen',
  ) as ZgwResource;
  if (resultaattype.zaaktype !== zaak.zaaktype)
    throw invalid(
      'resultaattype',
      'Het resultaattype hoort niet bij het zaaktype van de zaak.',
      'zaaktype-mismatch',
    );
  if (context.state.store.list('resultaten').some((other) => other.zaak === zaak.url)) {
    throw invalid('zaak', 'De zaak heeft al een resultaat.', 'unique');
  }
  zaak.resultaat = resultaat.url;
}

function createZaakeigenschap(eigenschap: ZgwResource, context: ZgwRequestContext): void {
  const zaak = getZaakOfPath(context);
  if (eigenschap.zaak !== zaak.url) throw invalid('zaak', 'De zaak hoort niet bij het pad.', 'invalid');
  const type = reference(context, 'eigenschap', eigenschap.eigenschap, 'eigenschappen') as ZgwResource;
  eigenschap.naam = type.naam;
  push(zaak, 'eigenschappen', eigenschap.url);
}

function getZaakOfPath(context: ZgwRequestContext): ZgwResource {
  const url = `${context.state.baseUrls.zaken}/zaken/${context.params.zaak_uuid}`;
  const zaak = context.state.store.get(url, 'zaken');
  if (!zaak) throw invalid('zaak', `De zaak ${url} bestaat niet.`, 'bad-url');
  return zaak;
}

function createZio(zio: ZgwResource, context: ZgwRequestContext): void {
  const zaak = zaakOf(context, zio.zaak);
  reference(context, 'informatieobject', zio.informatieobject, 'enkelvoudiginformatieobjecten', {
    external: true,
  });
  const duplicate = context.state.store
    .list('zaakinformatieobjecten')
    .some((other) => other.zaak === zaak.url && other.informatieobject === zio.informatieobject);
  if (duplicate) throw invalid('nonFieldErrors', 'Dit informatieobject hoort al bij de zaak.', 'unique');
  zio.aardRelatieWeergave = 'Hoort bij, omgekeerd: kent';
  zio.registratiedatum = new Date().toISOString();
  push(zaak, 'zaakinformatieobjecten', zio.url);
}

function createZaakobject(zaakobject: ZgwResource, context: ZgwRequestContext): void {
  const zaak = zaakOf(context, zaakobject.zaak);
  const object = zaakobject.object;
  if (
    typeof object === 'string' &&
    object !== '' &&
    isOwnUrl(context.state, object) &&
    !context.state.store.get(object)
  ) {
    throw invalid('object', `De URL ${object} bestaat niet.`, 'bad-url');
  }
  push(zaak, 'zaakobjecten', zaakobject.url);
}

const byZaak =
  (extra: Record<string, (item: ZgwResource) => unknown> = {}) =>
  (items: ZgwResource[], context: ZgwRequestContext) =>
    filterExact(items, context.query, { zaak: (item) => item.zaak, ...extra });

export const zakenHandlers: ZgwHandlers = {
  ...crud('zaak', {
    collection: 'zaken',
    filter: (items, c) => filterZaken(items, c.query),
    create: createZaak,
    update: updateZaak,
  }),
  zaak__zoek: (context) => {
    const source = new URLSearchParams();
    for (const [key, value] of Object.entries((context.body ?? {}) as Record<string, unknown>)) {
      if (value !== undefined && value !== null)
        source.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    return paginate(context, filterZaken(context.state.store.list('zaken'), source), 100);
  },
  ...crud('status', {
    collection: 'statussen',
    filter: byZaak({ statustype: (s) => s.statustype }),
    create: createStatus,
  }),
  ...crud('resultaat', {
    collection: 'resultaten',
    filter: byZaak({ resultaattype: (r) => r.resultaattype }),
    create: createResultaat,
  }),
  ...crud('rol', {
    collection: 'rollen',
    filter: byZaak({
      roltype: (r) => r.roltype,
      omschrijvingGeneriek: (r) => r.omschrijvingGeneriek,
      betrokkeneType: (r) => r.betrokkeneType,
      betrokkene: (r) => r.betrokkene,
    }),
    create: createRol,
  }),
  ...crud('zaakeigenschap', {
    collection: 'zaakeigenschappen',
    urlOf: (context, uuid) =>
      `${context.state.baseUrls.zaken}/zaken/${context.params.zaak_uuid}/zaakeigenschappen/${uuid}`,
    filter: (items, context) => {
      const zaak = getZaakOfPath(context);
      return items.filter((item) => item.zaak === zaak.url);
    },
    create: createZaakeigenschap,
    update: (next, previous) => {
      next.naam = previous.naam;
      next.zaak = previous.zaak;
      next.eigenschap = previous.eigenschap;
    },
  }),
  ...crud('zaakinformatieobject', {
    collection: 'zaakinformatieobjecten',
    filter: byZaak({ informatieobject: (z) => z.informatieobject }),
    create: createZio,
  }),
  ...crud('zaakobject', {
    collection: 'zaakobjecten',
    filter: byZaak({ object: (z) => z.object, objectType: (z) => z.objectType }),
    create: createZaakobject,
  }),
};
// zaakeigenschap retrieve checks the path's zaak too.
zakenHandlers.zaakeigenschap_retrieve = (context) => {
  getZaakOfPath(context);
  return { status: 200, body: getSelf(context, 'zaakeigenschappen') };
};
