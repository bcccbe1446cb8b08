/**
 * `zgw-close-zaak`: closes the zaak `zaakUrl` by setting its eindstatus (the statustype marked `isEindstatus`,
 * else the highest volgnummer), after its resultaat when one is given (`resultaattype` URL or `omschrijving`).
 * Returns what the Zaken API derived: `einddatum`, `archiefnominatie` and `archiefactiedatum` (as BPTL's
 * CloseZaakTask).
 *
 * Retried, it sets neither twice: a resultaat of that type, or an eindstatus already set, is kept.
 */
import { z } from 'zod';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { finalStatustype } from './catalogi-lookups.ts';
import { resultaattypeInput, resultaattypeUrl } from './resultaattype-input.ts';
import { setResultaat, setStatus } from './zaak-steps.ts';

export const zgwCloseZaak = defineWorkUnit({
  name: 'zgw-close-zaak',
  description:
    'Closes zaak `zaakUrl`: sets its resultaat (`resultaattype` URL or `omschrijving`, `toelichting`) when given, then its eindstatus (`statustoelichting`). Returns `einddatum`, `archiefnominatie` and `archiefactiedatum`. A retry sets neither twice.',
  services: ['zrc', 'ztc'],
  input: z.object({
    zaakUrl: z.string().url(),
    ...resultaattypeInput,
    /** The resultaat's toelichting. */
    toelichting: z.string().max(1000).optional(),
    statustoelichting: z.string().max(1000).optional(),
  }),
  output: z.object({
    einddatum: z.string().nullable(),
    archiefnominatie: z.string().nullable(),
    archiefactiedatum: z.string().nullable(),
  }),
  run: async ({ input, services, log }) => {
    const zgw = ZgwClient.of({ services, log });
    const zaak = await zgw.get(input.zaakUrl, zaakSchema);
    const resultaattype = await resultaattypeUrl(zgw, zaak.zaaktype, input);
    if (resultaattype) await setResultaat(zgw, log, zaak, resultaattype, input.toelichting);
    const eind = await finalStatustype(zgw, zaak.zaaktype);
    await setStatus(zgw, log, zaak, eind.url, input.statustoelichting);
    const closed = await zgw.get(input.zaakUrl, zaakSchema);
    log.info('zaak closed', { zaakUrl: closed.url, einddatum: closed.einddatum });
    return {
      einddatum: closed.einddatum ?? null,
      archiefnominatie: closed.archiefnominatie || null,
      archiefactiedatum: closed.archiefactiedatum ?? null,
    };
  },
});
