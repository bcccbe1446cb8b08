/**
 * `zgw-relate-zaken`: relates zaak `zaakUrl` to the zaak `hoofdZaakUrl` (BPTL's RelateerZaak): adds `{ url:
 * zaakUrl, aardRelatie }` to the hoofdzaak's `relevanteAndereZaken`, and, unless `aardRelatie` is `onderwerp` or
 * `aardRelatieOmgekeerdeRichting` is empty, `{ url: hoofdZaakUrl, aardRelatie: aardRelatieOmgekeerdeRichting }`
 * (default `onderwerp`) to the other zaak's. Existing relations are kept.
 *
 * Retried, it adds no relation twice: a relation already in the list (same URL and aard) is not added again.
 */
import { z } from 'zod';
import type { Logger } from '../../../../logging/logger.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { sameUrl } from './urls.ts';

const AARD = z.enum(['vervolg', 'onderwerp', 'bijdrage']);

export const zgwRelateZaken = defineWorkUnit({
  name: 'zgw-relate-zaken',
  description:
    'Relates zaak `zaakUrl` to `hoofdZaakUrl` with `aardRelatie` (vervolg, onderwerp, bijdrage), and back with `aardRelatieOmgekeerdeRichting` (default onderwerp; empty: none; never for onderwerp). A relation already there is not added twice.',
  services: ['zrc'],
  input: z.object({
    hoofdZaakUrl: z.string().url(),
    zaakUrl: z.string().url(),
    aardRelatie: AARD,
    aardRelatieOmgekeerdeRichting: z.union([AARD, z.literal('')]).default('onderwerp'),
  }),
  output: z.object({}),
  run: async ({ input, services, log }) => {
    const zgw = ZgwClient.of({ services, log });
    await addRelation(zgw, log, input.hoofdZaakUrl, input.zaakUrl, input.aardRelatie);
    if (input.aardRelatie !== 'onderwerp' && input.aardRelatieOmgekeerdeRichting !== '') {
      await addRelation(zgw, log, input.zaakUrl, input.hoofdZaakUrl, input.aardRelatieOmgekeerdeRichting);
    }
    return {};
  },
});

async function addRelation(zgw: ZgwClient, log: Logger, zaakUrl: string, other: string, aardRelatie: string) {
  const zaak = await zgw.get(zaakUrl, zaakSchema);
  const relations = zaak.relevanteAndereZaken;
  if (relations.some((r) => sameUrl(r.url, other) && r.aardRelatie === aardRelatie)) {
    log.info('zaken related already', { zaakUrl, other, aardRelatie });
    return;
  }
  await zgw.patch(
    zaakUrl,
    {
      relevanteAndereZaken: [
        ...relations, // as they came, with any other field of theirs
        { url: other, aardRelatie },
      ],
    },
    zaakSchema,
  );
  log.info('zaken related', { zaakUrl, other, aardRelatie });
}
