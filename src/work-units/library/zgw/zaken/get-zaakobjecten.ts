/**
 * `zgw-get-zaakobjecten`: every zaakobject of the zaak `zaakUrl` (or `hoofdZaakUrl`, BPTL's name in
 * FetchZaakObjects), all pages: `zaakObjecten`, the zaakobjecten as the Zaken API gives them.
 */
import { z } from 'zod';
import { VariableError } from '../../../../errors.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakobjectSchema, zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { sameUrl } from './urls.ts';

export const zgwGetZaakobjecten = defineWorkUnit({
  name: 'zgw-get-zaakobjecten',
  description: 'Returns `zaakObjecten`: every zaakobject of zaak `zaakUrl` (or `hoofdZaakUrl`), all pages.',
  services: ['zrc'],
  input: z.object({ zaakUrl: z.string().url().optional(), hoofdZaakUrl: z.string().url().optional() }),
  output: z.object({ zaakObjecten: z.array(z.record(z.string(), z.unknown())) }),
  run: async ({ input, services, log }) => {
    const url = input.zaakUrl ?? input.hoofdZaakUrl;
    if (!url) throw new VariableError('zaakUrl', 'give zaakUrl (or hoofdZaakUrl)');
    const zgw = ZgwClient.of({ services, log });
    // A zaak that is not there fails naming its URL (a list filtered on it would be empty: a silent no-op).
    await zgw.get(url, zaakSchema);
    const all = await zgw.list({ api: 'zaken', path: '/zaakobjecten' }, zaakobjectSchema, {
      zaak: url,
    });
    return { zaakObjecten: all.filter((zo) => sameUrl(zo.zaak, url)) };
  },
});
