/**
 * What the zaak units look up in the Catalogi API: the zaaktype of a catalogus by identificatie (the published
 * version valid on a date), and a zaaktype's statustypen, resultaattypen, roltypen and eigenschappen. Each list
 * is also filtered here on the zaaktype, so that a server that ignores a query parameter cannot hand back
 * another zaaktype's types.
 */
import { z } from 'zod';
import { NonRetryableError, VariableError } from '../../../../errors.ts';
import type { ZgwClient } from '../../../../zgw/zgw-client.ts';
import {
  catalogusSchema,
  eigenschapSchema,
  resultaattypeSchema,
  roltypeSchema,
  statustypeSchema,
  zaaktypeSchema,
} from '../../../../zgw/zgw-schemas.ts';
import { sameUrl } from './urls.ts';

/** A zaaktype with the fields of its validity. */
const zaaktypeWithValidity = zaaktypeSchema.extend({
  beginGeldigheid: z.string().nullish(),
  eindeGeldigheid: z.string().nullish(),
});

export type Zaaktype = z.output<typeof zaaktypeWithValidity>;
export type Statustype = z.output<typeof statustypeSchema>;
export type Resultaattype = z.output<typeof resultaattypeSchema>;
export type Roltype = z.output<typeof roltypeSchema>;
export type Eigenschap = z.output<typeof eigenschapSchema>;

/** Where a zaaktype is looked up: a catalogus (domein, RSIN) and the zaaktype's identificatie. */
export interface ZaaktypeQuery {
  catalogusDomein: string;
  catalogusRSIN: string;
  zaaktypeIdentificatie: string;
  /** The date the version must be valid on (`YYYY-MM-DD`). */
  date: string;
}

/**
 * The published (not concept) version of a zaaktype valid on `date`: `beginGeldigheid <= date <=
 * eindeGeldigheid`. When two are valid (the old one ends the day the new one begins), the one without an end,
 * else the one that ends last. None, or no catalogus: a VariableError naming the variable.
 */
export async function findZaaktype(zgw: ZgwClient, query: ZaaktypeQuery): Promise<Zaaktype> {
  const catalogussen = await zgw.list({ api: 'catalogi', path: '/catalogussen' }, catalogusSchema, {
    domein: query.catalogusDomein,
    rsin: query.catalogusRSIN,
  });
  const catalogus = catalogussen.find(
    (c) => c.domein === query.catalogusDomein && c.rsin === query.catalogusRSIN,
  );
  if (!catalogus) {
    throw new VariableError(
      'catalogusDomein',
      `no catalogus with domein '${query.catalogusDomein}' and RSIN '${query.catalogusRSIN}'`,
    );
  }
  const zaaktypen = await zgw.list({ api: 'catalogi', path: '/zaaktypen' }, zaaktypeWithValidity, {
    catalogus: catalogus.url,
    identificatie: query.zaaktypeIdentificatie,
    status: 'definitief',
    datumGeldigheid: query.date,
  });
  const valid = zaaktypen.filter(
    (zt) =>
      zt.identificatie === query.zaaktypeIdentificatie &&
      sameUrl(zt.catalogus, catalogus.url) &&
      zt.concept !== true &&
      (!zt.beginGeldigheid || zt.beginGeldigheid <= query.date) &&
      (!zt.eindeGeldigheid || query.date <= zt.eindeGeldigheid),
  );
  const open = valid.filter((zt) => !zt.eindeGeldigheid);
  const lastEnd = latest(valid.map((zt) => zt.eindeGeldigheid ?? ''));
  const chosen = open.length > 0 ? open : valid.filter((zt) => zt.eindeGeldigheid === lastEnd);
  const [zaaktype] = chosen;
  if (!zaaktype || chosen.length > 1) {
    throw new VariableError(
      'zaaktypeIdentificatie',
      `${chosen.length > 1 ? 'more than one' : 'no'} published zaaktype '${query.zaaktypeIdentificatie}' valid on ${query.date} in catalogus ${catalogus.url}`,
    );
  }
  return zaaktype;
}

function latest(dates: string[]): string {
  return [...dates].sort().at(-1) ?? '';
}

/** The zaaktype's statustypen, by volgnummer (lowest first). */
export async function statustypenOf(zgw: ZgwClient, zaaktype: string): Promise<Statustype[]> {
  const all = await zgw.list({ api: 'catalogi', path: '/statustypen' }, statustypeSchema, {
    zaaktype,
    status: 'alles',
  });
  return all.filter((st) => sameUrl(st.zaaktype, zaaktype)).sort((a, b) => a.volgnummer - b.volgnummer);
}

/** The statustype a zaak starts with: volgnummer 1, else the lowest. */
export async function initialStatustype(zgw: ZgwClient, zaaktype: string): Promise<Statustype> {
  const [first] = await statustypenOf(zgw, zaaktype);
  if (!first) throw new NonRetryableError(`zaaktype ${zaaktype} has no statustypen`);
  return first;
}

/** The statustype that closes a zaak: the one marked `isEindstatus`, else the highest volgnummer. */
export async function finalStatustype(zgw: ZgwClient, zaaktype: string): Promise<Statustype> {
  const statustypen = await statustypenOf(zgw, zaaktype);
  const last = statustypen.find((st) => st.isEindstatus === true) ?? statustypen.at(-1);
  if (!last) throw new NonRetryableError(`zaaktype ${zaaktype} has no statustypen`);
  return last;
}

/** The statustype of a zaaktype with a volgnummer; none: a VariableError naming `statusVolgnummer`. */
export async function statustypeByVolgnummer(
  zgw: ZgwClient,
  zaaktype: string,
  volgnummer: number,
): Promise<Statustype> {
  const statustypen = await statustypenOf(zgw, zaaktype);
  const found = statustypen.find((st) => st.volgnummer === volgnummer);
  if (!found) {
    throw new VariableError(
      'statusVolgnummer',
      `zaaktype ${zaaktype} has no statustype with volgnummer ${volgnummer} (it has ${statustypen.map((st) => st.volgnummer).join(', ') || 'none'})`,
    );
  }
  return found;
}

/**
 * The resultaattype of a zaaktype whose omschrijving is `omschrijving` (case aside); none or more than one: a
 * VariableError naming `omschrijving`.
 */
export async function resultaattypeByOmschrijving(
  zgw: ZgwClient,
  zaaktype: string,
  omschrijving: string,
): Promise<Resultaattype> {
  const all = await zgw.list({ api: 'catalogi', path: '/resultaattypen' }, resultaattypeSchema, {
    zaaktype,
    status: 'alles',
  });
  const ofZaaktype = all.filter((rt) => sameUrl(rt.zaaktype, zaaktype));
  const matches = ofZaaktype.filter((rt) => rt.omschrijving.toLowerCase() === omschrijving.toLowerCase());
  const [found] = matches;
  if (!found || matches.length > 1) {
    throw new VariableError(
      'omschrijving',
      `${matches.length > 1 ? 'more than one' : 'no'} resultaattype '${omschrijving}' in zaaktype ${zaaktype} (it has ${ofZaaktype.map((rt) => `'${rt.omschrijving}'`).join(', ') || 'none'})`,
    );
  }
  return found;
}

/** The roltypen of a zaaktype, optionally only those of one omschrijvingGeneriek. */
export async function roltypenOf(
  zgw: ZgwClient,
  zaaktype: string,
  omschrijvingGeneriek?: string,
): Promise<Roltype[]> {
  const all = await zgw.list({ api: 'catalogi', path: '/roltypen' }, roltypeSchema, {
    zaaktype,
    omschrijvingGeneriek,
    status: 'alles',
  });
  return all.filter(
    (rt) =>
      sameUrl(rt.zaaktype, zaaktype) &&
      (omschrijvingGeneriek === undefined || rt.omschrijvingGeneriek === omschrijvingGeneriek),
  );
}

/** The eigenschappen of a zaaktype (every page). */
export async function eigenschappenOf(zgw: ZgwClient, zaaktype: string): Promise<Eigenschap[]> {
  const all = await zgw.list({ api: 'catalogi', path: '/eigenschappen' }, eigenschapSchema, {
    zaaktype,
    status: 'alles',
  });
  return all.filter((e) => sameUrl(e.zaaktype, zaaktype));
}
