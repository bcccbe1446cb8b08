/**
 * `zgw-relate-document`: relates a document (an informatieobject of a Documenten API) to a zaak, as a
 * zaakinformatieobject on the Zaken API. A document related already gives the existing relation.
 */
import { z } from 'zod';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakInformatieObjectSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';

const target = { api: 'zaken', path: '/zaakinformatieobjecten' } as const;

export const zgwRelateDocument = defineWorkUnit({
  name: 'zgw-relate-document',
  description:
    'Relates the document `informatieobject` (URL) to the zaak `zaakUrl`; returns the zaakinformatieobject URL as `zaakinformatieobject` (the existing one when it was related already).',
  input: z.object({ zaakUrl: z.url(), informatieobject: z.url() }),
  output: z.object({ zaakinformatieobject: z.string() }),
  services: ['zrc'],
  run: async (context) => {
    const { zaakUrl, informatieobject } = context.input;
    const zgw = ZgwClient.of(context);
    const existing = async () =>
      (await zgw.list(target, zaakInformatieObjectSchema, { zaak: zaakUrl, informatieobject })).find(
        (relation) => relation.zaak === zaakUrl && relation.informatieobject === informatieobject,
      );
    const earlier = await existing();
    if (earlier) {
      context.log.info('document related already', { zaakinformatieobject: earlier.url });
      return { zaakinformatieobject: earlier.url };
    }
    try {
      const created = await zgw.post(target, { zaak: zaakUrl, informatieobject }, zaakInformatieObjectSchema);
      context.log.info('document related', { zaakinformatieobject: created.url });
      return { zaakinformatieobject: created.url };
    } catch (error) {
      // An overlapping attempt may have related it meanwhile (the API refuses a second relation): use that one.
      const meanwhile = await existing().catch(() => undefined);
      if (meanwhile) return { zaakinformatieobject: meanwhile.url };
      throw error;
    }
  },
});
