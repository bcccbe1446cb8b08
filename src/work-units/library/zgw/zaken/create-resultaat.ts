/**
 * `zgw-create-resultaat`: gives the zaak `zaakUrl` its resultaat, of `resultaattype` (URL) or of the
 * resultaattype with `omschrijving` in its zaaktype, with `toelichting`. Returns `resultaatUrl` (as BPTL's
 * CreateResultaatTask).
 *
 * Retried, it creates no second one: a resultaat of that type on the zaak is returned. A zaak has one
 * resultaat, so one of another type fails the task (non-retryable), naming both.
 */
import { z } from 'zod';
import { VariableError } from '../../../../errors.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { resultaattypeInput, resultaattypeUrl } from './resultaattype-input.ts';
import { setResultaat } from './zaak-steps.ts';

export const zgwCreateResultaat = defineWorkUnit({
  name: 'zgw-create-resultaat',
  description:
    'Sets the resultaat of zaak `zaakUrl`: of `resultaattype` (URL) or of the resultaattype with `omschrijving`, with `toelichting`; returns `resultaatUrl`. A resultaat of that type already there is kept (a retry creates no second one).',
  services: ['zrc', 'ztc'],
  input: z.object({
    zaakUrl: z.string().url(),
    ...resultaattypeInput,
    toelichting: z.string().max(1000).optional(),
  }),
  output: z.object({ resultaatUrl: z.string() }),
  run: async ({ input, services, log }) => {
    const zgw = ZgwClient.of({ services, log });
    if (!input.resultaattype && !input.omschrijving) {
      throw new VariableError('resultaattype', 'give resultaattype (URL) or omschrijving');
    }
    const zaak = await zgw.get(input.zaakUrl, zaakSchema);
    const resultaattype = (await resultaattypeUrl(zgw, zaak.zaaktype, input)) as string;
    const resultaat = await setResultaat(zgw, log, zaak, resultaattype, input.toelichting);
    return { resultaatUrl: resultaat.resource.url };
  },
});
