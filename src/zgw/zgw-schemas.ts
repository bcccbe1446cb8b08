/**
 * Lenient schemas of the ZGW resources the units read (Zaken 1.5.1, Catalogi 1.3.1, Documenten 1.4.3, Objects
 * 2.7.0): the fields the units use, everything else kept as it came (`looseObject`). Lenient where real servers
 * deviate from the spec (seen on Open Zaak 1.30): `""` in an optional `uri` or `email` field reads as absent,
 * `gezetdoor: null` is accepted, and a zaaktype's `zaakobjecttypen` is read where 1.3.1 says `zaakobjecttype`.
 */
import { z } from 'zod';

/** An optional URL: `""` and null read as undefined (Open Zaak sends `""` for an empty optional uri). */
export const optionalUrl = z
  .union([z.string(), z.null()])
  .optional()
  .transform((value) => (value === '' || value === null ? undefined : value));

/** Catalogi: a catalogus. */
export const catalogusSchema = z.looseObject({
  url: z.string(),
  domein: z.string(),
  rsin: z.string(),
});

/** Catalogi: a zaaktype. */
export const zaaktypeSchema = z.looseObject({
  url: z.string(),
  identificatie: z.string(),
  omschrijving: z.string().optional(),
  catalogus: z.string(),
  statustypen: z.array(z.string()).default([]),
  resultaattypen: z.array(z.string()).default([]),
  roltypen: z.array(z.string()).default([]),
  eigenschappen: z.array(z.string()).default([]),
  concept: z.boolean().optional(),
});

/** Catalogi: a statustype. */
export const statustypeSchema = z.looseObject({
  url: z.string(),
  omschrijving: z.string(),
  zaaktype: z.string(),
  volgnummer: z.number().int(),
  isEindstatus: z.boolean().optional(),
});

/** Catalogi: a resultaattype. */
export const resultaattypeSchema = z.looseObject({
  url: z.string(),
  zaaktype: z.string(),
  omschrijving: z.string(),
});

/** Catalogi: a roltype. */
export const roltypeSchema = z.looseObject({
  url: z.string(),
  zaaktype: z.string(),
  omschrijving: z.string(),
  omschrijvingGeneriek: z.string(),
});

/** Catalogi: an eigenschap. */
export const eigenschapSchema = z.looseObject({
  url: z.string(),
  zaaktype: z.string(),
  naam: z.string(),
});

/** Zaken: a zaak. */
export const zaakSchema = z.looseObject({
  url: z.string(),
  uuid: z.string().optional(),
  identificatie: z.string(),
  bronorganisatie: z.string(),
  zaaktype: z.string(),
  startdatum: z.string(),
  einddatum: z.string().nullish(),
  status: optionalUrl,
  resultaat: optionalUrl,
  archiefnominatie: z.string().nullish(),
  archiefactiedatum: z.string().nullish(),
  relevanteAndereZaken: z.array(z.looseObject({ url: z.string(), aardRelatie: z.string() })).default([]),
  kenmerken: z.array(z.looseObject({ kenmerk: z.string(), bron: z.string() })).default([]),
});

/** Zaken: a status. */
export const statusSchema = z.looseObject({
  url: z.string(),
  zaak: z.string(),
  statustype: z.string(),
  datumStatusGezet: z.string(),
  gezetdoor: optionalUrl,
});

/** Zaken: a resultaat. */
export const resultaatSchema = z.looseObject({
  url: z.string(),
  zaak: z.string(),
  resultaattype: z.string(),
});

/** Zaken: a rol. */
export const rolSchema = z.looseObject({
  url: z.string(),
  zaak: z.string(),
  roltype: z.string(),
  betrokkeneType: z.string(),
  betrokkene: optionalUrl,
  omschrijving: z.string().optional(),
  omschrijvingGeneriek: z.string().optional(),
});

/** Zaken: a zaakeigenschap. */
export const zaakeigenschapSchema = z.looseObject({
  url: z.string(),
  zaak: z.string(),
  eigenschap: z.string(),
  waarde: z.string(),
});

/** Zaken: a zaakinformatieobject (a document related to a zaak). */
export const zaakInformatieObjectSchema = z.looseObject({
  url: z.string(),
  zaak: z.string(),
  informatieobject: z.string(),
});

/** Zaken: a zaakobject. */
export const zaakobjectSchema = z.looseObject({
  url: z.string(),
  zaak: z.string(),
  object: optionalUrl,
  objectType: z.string(),
  objectTypeOverige: z.string().optional(),
});

/** Documenten: an enkelvoudiginformatieobject. */
export const enkelvoudigInformatieObjectSchema = z.looseObject({
  url: z.string(),
  identificatie: z.string().optional(),
  bronorganisatie: z.string().optional(),
  titel: z.string().optional(),
  locked: z.boolean().optional(),
  indicatieGebruiksrecht: z.boolean().nullish(),
});

/** Objects API: an object with its current record. */
export const objectRecordSchema = z.looseObject({
  url: z.string(),
  uuid: z.string().optional(),
  type: z.string(),
  record: z.looseObject({
    typeVersion: z.number().int(),
    data: z.record(z.string(), z.unknown()),
    startAt: z.string().optional(),
  }),
});
