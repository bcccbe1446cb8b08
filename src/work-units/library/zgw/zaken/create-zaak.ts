/**
 * `zgw-create-zaak`: creates a zaak of the zaaktype found by catalogus (`catalogusDomein`, `catalogusRSIN`) and
 * `zaaktypeIdentificatie` (the published version valid today) or given as `zaaktype`, for `organisatieRSIN`,
 * with `zaakDetails`; sets the initial status (statustype volgnummer 1, else the lowest) and, when given, the
 * `initiator` and `behandelaar` rollen. Returns `zaakUrl`, `zaakIdentificatie` and `zaak` (as BPTL's
 * CreateZaakTask).
 *
 * Retried after a crash it creates no second zaak: the zaak carries the kenmerk `{ bron: 'BPTL', kenmerk:
 * <idempotencyKey> }`, and the unit first lists the zaken of that bronorganisatie, zaaktype and start date and
 * takes the one with that kenmerk. The status and rollen are then set only where missing.
 */
import { z } from 'zod';
import { VariableError } from '../../../../errors.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { findZaaktype, initialStatustype, roltypenOf } from './catalogi-lookups.ts';
import { DATE_PATTERN, daysBefore, today } from './dates.ts';
import { rolInputSchema } from './rol-input.ts';
import { sameUrl } from './urls.ts';
import { addRol, setStatus, type Zaak } from './zaak-steps.ts';

/** The `bron` of the kenmerk by which the unit finds the zaak it created. */
export const KENMERK_BRON = 'BPTL';

/**
 * How many days back the start date of a zaak an earlier attempt created may lie, when the process gives no
 * `startdatum` (the first attempt used its own today).
 */
export const LOOKBACK_DAYS = 31;

const rsin = z.string().regex(/^\d{9}$/, 'an RSIN has 9 digits');

export const zgwCreateZaak = defineWorkUnit({
  name: 'zgw-create-zaak',
  description:
    'Creates a zaak of zaaktype `zaaktypeIdentificatie` (published, valid today) in the catalogus of `catalogusDomein` and `catalogusRSIN` (default `organisatieRSIN`), or of `zaaktype` (URL), for `organisatieRSIN`, with `zaakDetails` and `startdatum` (default today); sets the initial status (`initialStatusRemarks`) and the rollen `initiator` and `behandelaar` when given. Returns `zaakUrl`, `zaakIdentificatie` and `zaak`. A retry finds the zaak it made by its kenmerk (bron BPTL).',
  services: ['zrc', 'ztc'],
  input: z.object({
    organisatieRSIN: rsin,
    catalogusDomein: z.string().min(1).max(5).optional(),
    catalogusRSIN: rsin.optional(),
    zaaktypeIdentificatie: z.string().min(1).optional(),
    /** A zaaktype's URL: then the catalogus is not looked up. */
    zaaktype: z.string().url().optional(),
    /** Fields of the zaak to create (omschrijving, toelichting, …), over the unit's defaults. */
    zaakDetails: z.record(z.string(), z.unknown()).default({}),
    startdatum: z.string().regex(DATE_PATTERN, 'a date YYYY-MM-DD').optional(),
    initialStatusRemarks: z.string().max(1000).optional(),
    initiator: rolInputSchema.optional(),
    behandelaar: rolInputSchema.optional(),
  }),
  output: z.object({
    zaakUrl: z.string(),
    zaakIdentificatie: z.string(),
    zaak: z.record(z.string(), z.unknown()),
  }),
  run: async ({ input, services, log, idempotencyKey }) => {
    const zgw = ZgwClient.of({ services, log });
    const date = today();
    const details = input.zaakDetails;
    // zaakDetails may override the zaaktype, as in BPTL; then the catalogus is not looked up.
    const zaaktype =
      typeof details.zaaktype === 'string'
        ? details.zaaktype
        : (input.zaaktype ?? (await zaaktypeOf(zgw, input, date)).url);
    const detailStart = typeof details.startdatum === 'string' ? details.startdatum : undefined;
    const startdatum = input.startdatum ?? detailStart;
    const bronorganisatie =
      typeof details.bronorganisatie === 'string' ? details.bronorganisatie : input.organisatieRSIN;
    const kenmerk = { bron: KENMERK_BRON, kenmerk: idempotencyKey };

    let zaak = await findOwnZaak(zgw, {
      bronorganisatie,
      zaaktype,
      startdatum,
      today: date,
      kenmerk: idempotencyKey,
    });
    if (zaak) {
      log.info('zaak found, created by an earlier attempt', { zaakUrl: zaak.url });
    } else {
      const ownKenmerken = Array.isArray(details.kenmerken) ? details.kenmerken : [];
      zaak = await zgw.post(
        { api: 'zaken', path: '/zaken' },
        {
          zaaktype,
          bronorganisatie: input.organisatieRSIN,
          verantwoordelijkeOrganisatie: input.organisatieRSIN,
          registratiedatum: date,
          startdatum: startdatum ?? date,
          ...details,
          ...(input.startdatum ? { startdatum: input.startdatum } : {}),
          kenmerken: [...ownKenmerken, kenmerk],
        },
        zaakSchema,
      );
      log.info('zaak created', { zaakUrl: zaak.url, zaakIdentificatie: zaak.identificatie });
    }

    // The initial status only on a zaak without one: a zaak found with a status keeps it.
    if (!zaak.status) {
      const initial = await initialStatustype(zgw, zaak.zaaktype);
      await setStatus(zgw, log, zaak, initial.url, input.initialStatusRemarks);
    }

    for (const [variable, omschrijvingGeneriek] of [
      ['initiator', 'initiator'],
      ['behandelaar', 'behandelaar'],
    ] as const) {
      const rol = input[variable];
      if (!rol) continue;
      const wanted =
        typeof rol.omschrijvingGeneriek === 'string' ? rol.omschrijvingGeneriek : omschrijvingGeneriek;
      const [roltype] = await roltypenOf(zgw, zaak.zaaktype, wanted);
      if (!roltype) {
        throw new VariableError(
          variable,
          `zaaktype ${zaak.zaaktype} has no roltype with omschrijvingGeneriek '${wanted}'`,
        );
      }
      await addRol(zgw, log, zaak.url, roltype.url, rol);
    }

    const current = await zgw.get(zaak.url, zaakSchema);
    return { zaakUrl: current.url, zaakIdentificatie: current.identificatie, zaak: current };
  },
});

async function zaaktypeOf(
  zgw: ZgwClient,
  input: {
    organisatieRSIN: string;
    catalogusDomein?: string | undefined;
    catalogusRSIN?: string | undefined;
    zaaktypeIdentificatie?: string | undefined;
  },
  date: string,
) {
  if (!input.catalogusDomein) throw new VariableError('catalogusDomein', 'needed unless zaaktype is given');
  if (!input.zaaktypeIdentificatie)
    throw new VariableError('zaaktypeIdentificatie', 'needed unless zaaktype is given');
  return findZaaktype(zgw, {
    catalogusDomein: input.catalogusDomein,
    catalogusRSIN: input.catalogusRSIN ?? input.organisatieRSIN,
    zaaktypeIdentificatie: input.zaaktypeIdentificatie,
    date,
  });
}

/**
 * The zaak an earlier attempt of this task created: among the zaken of the bronorganisatie and zaaktype that
 * start on `startdatum` (or, without one, in the last LOOKBACK_DAYS days), the one with the task's kenmerk. The
 * Zaken API cannot filter on a kenmerk, so it is matched here.
 */
async function findOwnZaak(
  zgw: ZgwClient,
  where: {
    bronorganisatie: string;
    zaaktype: string;
    startdatum: string | undefined;
    today: string;
    kenmerk: string;
  },
): Promise<Zaak | undefined> {
  const zaken = await zgw.list({ api: 'zaken', path: '/zaken' }, zaakSchema, {
    bronorganisatie: where.bronorganisatie,
    zaaktype: where.zaaktype,
    ...(where.startdatum
      ? { startdatum: where.startdatum }
      : { startdatum__gte: daysBefore(where.today, LOOKBACK_DAYS) }),
  });
  return zaken.find(
    (zaak) =>
      sameUrl(zaak.zaaktype, where.zaaktype) &&
      zaak.kenmerken.some((k) => k.bron === KENMERK_BRON && k.kenmerk === where.kenmerk),
  );
}
