/**
 * The Catalogi API 1.3.1 of the loopback ZGW server: lists with their filters and single resources of
 * catalogussen, zaaktypen, statustypen, resultaattypen, roltypen, eigenschappen, informatieobjecttypen and
 * zaakobjecttypen (the seed fills them; tests may add more through `server.store`).
 */
import type { ZgwHandlers, ZgwRequestContext } from '../zgw-handler.ts';
import { filterExact } from '../zgw-handler.ts';
import type { ZgwResource } from '../zgw-store.ts';
import { listHandler, retrieveHandler } from './generic.ts';

function byStatus(items: ZgwResource[], context: ZgwRequestContext): ZgwResource[] {
  const status = context.query.get('status') ?? 'definitief';
  if (status === 'alles') return items;
  return items.filter((item) => (status === 'concept' ? item.concept === true : item.concept !== true));
}

function readOnly(
  prefix: string,
  collection: string,
  filter: Record<string, (item: ZgwResource) => unknown>,
  withStatus = false,
) {
  const options = {
    collection,
    filter: (items: ZgwResource[], context: ZgwRequestContext) => {
      const filtered = filterExact(items, context.query, filter);
      return withStatus ? byStatus(filtered, context) : filtered;
    },
  };
  return { [`${prefix}_list`]: listHandler(options), [`${prefix}_retrieve`]: retrieveHandler(options) };
}

const zaaktypeOf = { zaaktype: (item: ZgwResource) => item.zaaktype };

export const catalogiHandlers: ZgwHandlers = {
  ...readOnly('catalogus', 'catalogussen', { domein: (c) => c.domein, rsin: (c) => c.rsin }),
  ...readOnly(
    'zaaktype',
    'zaaktypen',
    { catalogus: (z) => z.catalogus, identificatie: (z) => z.identificatie },
    true,
  ),
  ...readOnly('statustype', 'statustypen', zaaktypeOf),
  ...readOnly('resultaattype', 'resultaattypen', zaaktypeOf),
  ...readOnly('roltype', 'roltypen', { ...zaaktypeOf, omschrijvingGeneriek: (r) => r.omschrijvingGeneriek }),
  ...readOnly('eigenschap', 'eigenschappen', zaaktypeOf),
  ...readOnly('informatieobjecttype', 'informatieobjecttypen', { catalogus: (i) => i.catalogus }),
  ...readOnly('zaakobjecttype', 'zaakobjecttypen', zaaktypeOf),
};
