/**
 * `zgw-lookup-zaak`: the zaak with `identificatie` (the zaaknummer) of `bronorganisatie`, which identify a zaak
 * together: `zaakUrl`, or null when there is none (as BPTL's LookupZaak).
 */
import { z } from 'zod';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';

export const zgwLookupZaak = defineWorkUnit({
  name: 'zgw-lookup-zaak',
  description:
    'Looks up the zaak with `identificatie` of `bronorganisatie`; returns `zaakUrl`, null when there is none.',
  services: ['zrc'],
  input: z.object({
    identificatie: z.string().min(1).max(40),
    bronorganisatie: z.string().regex(/^\d{9}$/, 'an RSIN has 9 digits'),
  }),
  output: z.object({ zaakUrl: z.string().nullable() }),
  run: async ({ input, services, log }) => {
    const zgw = ZgwClient.of({ services, log });
    const zaken = await zgw.list({ api: 'zaken', path: '/zaken' }, zaakSchema, {
      bronorganisatie: input.bronorganisatie,
      identificatie: input.identificatie,
    });
    const found = zaken.find(
      (zaak) => zaak.identificatie === input.identificatie && zaak.bronorganisatie === input.bronorganisatie,
    );
    log.info(found ? 'zaak found' : 'no such zaak', { identificatie: input.identificatie });
    return { zaakUrl: found?.url ?? null };
  },
});
