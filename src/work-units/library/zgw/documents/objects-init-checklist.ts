/**
 * `objects-init-checklist`: creates the empty checklist object of a zaak on the Objects API (latest version of
 * the checklist objecttype; `{ answers: [], zaak, lockedBy: null }`, as BPTL does) and relates it to the zaak
 * as a zaakobject — unless the zaak has a checklist already. A retry finds what an earlier attempt created: the
 * checklist by its `zaak`, the zaakobject by the zaak and the object.
 */
import { z } from 'zod';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { objectRecordSchema, zaakobjectSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { today } from '../zaken/dates.ts';
import {
  latestVersion,
  OBJECTTYPES_ALIAS,
  objecttypeNamed,
  objecttypeSchema,
  searchObjects,
} from './objects-api.ts';

/** The objecttype looked for by name when the process names none (BPTL's checklist objecttype). */
export const DEFAULT_CHECKLIST_OBJECTTYPE_NAME = 'Checklist';

export const objectsInitChecklist = defineWorkUnit({
  name: 'objects-init-checklist',
  description:
    "Creates an empty checklist object for the zaak `zaakUrl` (objecttype `checklistObjecttype`, URL; default the objecttype named 'Checklist') and relates it to the zaak, unless the zaak has one; returns its URL as `checklistUrl` and whether it was created now as `initializedChecklist`.",
  input: z.object({ zaakUrl: z.url(), checklistObjecttype: z.url().optional() }),
  output: z.object({ checklistUrl: z.string(), initializedChecklist: z.boolean() }),
  services: ['zrc', 'objects', OBJECTTYPES_ALIAS],
  run: async (context) => {
    const { zaakUrl } = context.input;
    const zgw = ZgwClient.of(context);
    const objecttype = context.input.checklistObjecttype
      ? await zgw.get(context.input.checklistObjecttype, objecttypeSchema)
      : await objecttypeNamed(zgw, context, DEFAULT_CHECKLIST_OBJECTTYPE_NAME, 'checklistObjecttype');

    const filters = [`zaak__exact__${zaakUrl}`];
    const existing = (await searchObjects(zgw, objecttype.url, filters, 'zaakUrl')).find(
      (object) => object.record.data.zaak === zaakUrl,
    );
    let checklistUrl = existing?.url;
    if (!checklistUrl) {
      const version = await latestVersion(zgw, objecttype);
      const created = await zgw.post(
        { api: 'objects', path: '/objects' },
        {
          type: objecttype.url,
          record: {
            typeVersion: version.version,
            data: { answers: [], zaak: zaakUrl, lockedBy: null },
            startAt: today(),
          },
        },
        objectRecordSchema,
      );
      checklistUrl = created.url;
    }

    const zaakobjecten = { api: 'zaken', path: '/zaakobjecten' } as const;
    const related = await zgw.list(zaakobjecten, zaakobjectSchema, { zaak: zaakUrl, object: checklistUrl });
    if (!related.some((zaakobject) => zaakobject.object === checklistUrl)) {
      await zgw.post(
        zaakobjecten,
        {
          zaak: zaakUrl,
          object: checklistUrl,
          objectType: 'overige',
          objectTypeOverige: 'checklist',
          relatieomschrijving: 'Checklist van Zaak',
        },
        zaakobjectSchema,
      );
    }
    context.log.info(existing ? 'checklist exists' : 'checklist created', { zaakUrl, checklistUrl });
    return { checklistUrl, initializedChecklist: !existing };
  },
});
