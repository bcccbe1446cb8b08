/**
 * `objects-filter-zaakobjecten`: the zaakobjecten of a zaak whose object (on the Objects API) has an objecttype
 * with a given name or label — e.g. the zaak's checklist, or its review requests.
 */
import { z } from 'zod';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { objectRecordSchema, zaakobjectSchema, zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { OBJECTTYPES_ALIAS, objecttypeSchema, serviceBaseUrl } from './objects-api.ts';

/** Whether an objecttype is called `label`: its name, or a key or value of its `labels` (case-insensitive). */
function hasLabel(objecttype: z.output<typeof objecttypeSchema>, label: string): boolean {
  const wanted = label.toLowerCase();
  const words = [
    objecttype.name,
    ...Object.entries(objecttype.labels ?? {}).flatMap(([key, value]) => [
      key,
      typeof value === 'string' ? value : '',
    ]),
  ];
  return words.some((word) => word?.toLowerCase() === wanted);
}

export const objectsFilterZaakobjecten = defineWorkUnit({
  name: 'objects-filter-zaakobjecten',
  description:
    "Lists the zaakobjecten of the zaak `zaakUrl` whose object on the Objects API has an objecttype named or labelled `objecttypeLabel`; returns them as `filteredZaakobjecten` (each with the object as `objectRecord`) and the objects' URLs as `filteredObjects`.",
  input: z.object({ zaakUrl: z.url(), objecttypeLabel: z.string().min(1) }),
  output: z.object({
    filteredZaakobjecten: z.array(z.record(z.string(), z.unknown())),
    filteredObjects: z.array(z.string()),
  }),
  services: ['zrc', 'objects', OBJECTTYPES_ALIAS],
  run: async (context) => {
    const { zaakUrl, objecttypeLabel } = context.input;
    const zgw = ZgwClient.of(context);
    const objectsBase = `${serviceBaseUrl(context, 'objects')}/`;
    // A zaak that is not there fails naming its URL (a list filtered on it would be empty: a silent no-op).
    await zgw.get(zaakUrl, zaakSchema);
    const zaakobjecten = await zgw.list({ api: 'zaken', path: '/zaakobjecten' }, zaakobjectSchema, {
      zaak: zaakUrl,
    });
    // Only objects of the bound Objects API have an objecttype to look at (a BAG pand, say, has none).
    const onObjectsApi = zaakobjecten.filter((zaakobject) => zaakobject.object?.startsWith(objectsBase));
    const objecttypes = new Map<string, Promise<z.output<typeof objecttypeSchema>>>();
    const filtered: Array<Record<string, unknown>> = [];
    for (const zaakobject of onObjectsApi) {
      const object = await zgw.get(zaakobject.object as string, objectRecordSchema);
      let objecttype = objecttypes.get(object.type);
      if (!objecttype) {
        objecttype = zgw.get(object.type, objecttypeSchema);
        objecttypes.set(object.type, objecttype);
      }
      if (hasLabel(await objecttype, objecttypeLabel)) filtered.push({ ...zaakobject, objectRecord: object });
    }
    context.log.info('zaakobjecten filtered', { zaakUrl, objecttypeLabel, found: filtered.length });
    return {
      filteredZaakobjecten: filtered,
      filteredObjects: filtered.map((zaakobject) => (zaakobject.objectRecord as { url: string }).url),
    };
  },
});
