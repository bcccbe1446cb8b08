/**
 * `objects-search`: the objects of an objecttype on the Objects API whose data pass the given filters, every
 * page; returns them as `objects`.
 */
import { z } from 'zod';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { searchObjects } from './objects-api.ts';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const objectsSearch = defineWorkUnit({
  name: 'objects-search',
  description:
    'Searches the Objects API for objects of `objecttype` (URL) whose data match `dataAttrs`: a Json object `{attribute: value}` (exact matches; nested with `a__b`) or a list of `key__operator__value` filters. Returns the objects (url, type, record) as `objects`.',
  input: z.object({
    objecttype: z.url(),
    dataAttrs: z.union([z.record(z.string().min(1), scalar), z.array(z.string().min(1))]).default([]),
  }),
  output: z.object({ objects: z.array(z.record(z.string(), z.unknown())) }),
  services: ['objects'],
  run: async (context) => {
    const { objecttype, dataAttrs } = context.input;
    const filters = Array.isArray(dataAttrs)
      ? dataAttrs
      : Object.entries(dataAttrs).map(([key, value]) => `${key}__exact__${String(value)}`);
    const objects = await searchObjects(ZgwClient.of(context), objecttype, filters, 'dataAttrs');
    context.log.info('objects found', { objecttype, count: objects.length });
    return { objects };
  },
});
