/**
 * `zgw-create-status`: gives the zaak `zaakUrl` a status of `statustype` (URL) or of the statustype with
 * `statusVolgnummer` in its zaaktype, with `toelichting`. Returns `statusUrl` (as BPTL's CreateStatusTask).
 *
 * Retried, it sets no second status: when the zaak's current status is of that statustype already, that status
 * is returned.
 */
import { z } from 'zod';
import { VariableError } from '../../../../errors.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { statustypeByVolgnummer } from './catalogi-lookups.ts';
import { setStatus } from './zaak-steps.ts';

export const zgwCreateStatus = defineWorkUnit({
  name: 'zgw-create-status',
  description:
    'Sets the status of zaak `zaakUrl` to `statustype` (URL) or to the statustype with `statusVolgnummer`, with `toelichting`; returns `statusUrl`. A zaak whose current status is of that statustype keeps it (a retry sets no second one).',
  services: ['zrc', 'ztc'],
  input: z.object({
    zaakUrl: z.string().url(),
    statustype: z.string().url().optional(),
    statusVolgnummer: z.coerce.number().int().positive().optional(),
    toelichting: z.string().max(1000).optional(),
  }),
  output: z.object({ statusUrl: z.string() }),
  run: async ({ input, services, log }) => {
    const zgw = ZgwClient.of({ services, log });
    if (!input.statustype && input.statusVolgnummer === undefined) {
      throw new VariableError('statustype', 'give statustype (URL) or statusVolgnummer');
    }
    const zaak = await zgw.get(input.zaakUrl, zaakSchema);
    const statustype =
      input.statustype ??
      (await statustypeByVolgnummer(zgw, zaak.zaaktype, input.statusVolgnummer as number)).url;
    const status = await setStatus(zgw, log, zaak, statustype, input.toelichting);
    return { statusUrl: status.resource.url };
  },
});
