/**
 * `zgw-get-zaak-relations`: the zaken related to the zaak `zaakUrl` (or `hoofdZaakUrl`, BPTL's name in
 * FetchZaakRelaties): `zaakRelaties`, a list of `{ url, aardRelatie }`.
 */
import { z } from 'zod';
import { VariableError } from '../../../../errors.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';

export const zgwGetZaakRelations = defineWorkUnit({
  name: 'zgw-get-zaak-relations',
  description:
    'Returns `zaakRelaties`: the relevanteAndereZaken (`{ url, aardRelatie }`) of zaak `zaakUrl` (or `hoofdZaakUrl`).',
  services: ['zrc'],
  input: z.object({ zaakUrl: z.string().url().optional(), hoofdZaakUrl: z.string().url().optional() }),
  output: z.object({ zaakRelaties: z.array(z.object({ url: z.string(), aardRelatie: z.string() })) }),
  run: async ({ input, services, log }) => {
    const url = input.zaakUrl ?? input.hoofdZaakUrl;
    if (!url) throw new VariableError('zaakUrl', 'give zaakUrl (or hoofdZaakUrl)');
    const zaak = await ZgwClient.of({ services, log }).get(url, zaakSchema);
    return {
      zaakRelaties: zaak.relevanteAndereZaken.map((r) => ({ url: r.url, aardRelatie: r.aardRelatie })),
    };
  },
});
