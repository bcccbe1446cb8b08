/**
 * `zgw-create-zaakobject`: relates the object `objectUrl` of `objectType` (`objectTypeOverige` for `overige`)
 * to the zaak `zaakUrl` as a zaakobject, with `relatieomschrijving`. Returns `zaakObjectUrl` (as BPTL's
 * CreateZaakObject).
 *
 * Retried, it creates no second one: a zaakobject of the zaak for that object and objectType is returned.
 */
import { z } from 'zod';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakobjectSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { sameUrl } from './urls.ts';

export const zgwCreateZaakobject = defineWorkUnit({
  name: 'zgw-create-zaakobject',
  description:
    'Relates object `objectUrl` of `objectType` (`objectTypeOverige` for overige) to zaak `zaakUrl`, with `relatieomschrijving`; returns `zaakObjectUrl`. A zaakobject for that object already there is kept.',
  services: ['zrc'],
  input: z.object({
    zaakUrl: z.string().url(),
    objectUrl: z.string().url(),
    objectType: z.string().min(1),
    objectTypeOverige: z.string().max(100).optional(),
    relatieomschrijving: z.string().max(80).optional(),
  }),
  output: z.object({ zaakObjectUrl: z.string() }),
  run: async ({ input, services, log }) => {
    const zgw = ZgwClient.of({ services, log });
    const existing = await zgw.list({ api: 'zaken', path: '/zaakobjecten' }, zaakobjectSchema, {
      zaak: input.zaakUrl,
      object: input.objectUrl,
    });
    const same = existing.find(
      (zo) =>
        sameUrl(zo.zaak, input.zaakUrl) &&
        sameUrl(zo.object, input.objectUrl) &&
        zo.objectType === input.objectType &&
        (zo.objectTypeOverige ?? '') === (input.objectTypeOverige ?? ''),
    );
    if (same) {
      log.info('zaakobject there already', { zaakObjectUrl: same.url });
      return { zaakObjectUrl: same.url };
    }
    const created = await zgw.post(
      { api: 'zaken', path: '/zaakobjecten' },
      {
        zaak: input.zaakUrl,
        object: input.objectUrl,
        objectType: input.objectType,
        ...(input.objectTypeOverige ? { objectTypeOverige: input.objectTypeOverige } : {}),
        ...(input.relatieomschrijving ? { relatieomschrijving: input.relatieomschrijving } : {}),
      },
      zaakobjectSchema,
    );
    log.info('zaakobject created', { zaakObjectUrl: created.url });
    return { zaakObjectUrl: created.url };
  },
});
