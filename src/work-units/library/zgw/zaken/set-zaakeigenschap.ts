/**
 * `zgw-set-zaakeigenschap`: sets the eigenschap named `eigenschap.naam` (as in the zaaktype) of the zaak
 * `zaakUrl` to `eigenschap.waarde` (BPTL's CreateEigenschap), or `eigenschapNaam` and `eigenschapWaarde`: creates
 * the zaakeigenschap, or updates the one there. An empty waarde sets nothing (as in BPTL). Returns
 * `zaakeigenschapUrl`.
 *
 * Retried, it creates no second one: the zaak's zaakeigenschap of that eigenschap is updated (or kept when it
 * has the value already).
 */
import { z } from 'zod';
import { VariableError } from '../../../../errors.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakeigenschapSchema, zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { eigenschappenOf } from './catalogi-lookups.ts';
import { sameUrl } from './urls.ts';

export const zgwSetZaakeigenschap = defineWorkUnit({
  name: 'zgw-set-zaakeigenschap',
  description:
    'Sets eigenschap `eigenschap.naam` of zaak `zaakUrl` to `eigenschap.waarde` (or `eigenschapNaam`, `eigenschapWaarde`): creates the zaakeigenschap or updates it. Returns `zaakeigenschapUrl` (null for an empty waarde).',
  services: ['zrc', 'ztc'],
  input: z.object({
    zaakUrl: z.string().url(),
    eigenschap: z.object({ naam: z.string().min(1), waarde: z.coerce.string() }).optional(),
    eigenschapNaam: z.string().min(1).optional(),
    eigenschapWaarde: z.coerce.string().optional(),
    /** The zaak's zaaktype (URL), to save reading the zaak. */
    zaaktype: z.string().url().optional(),
  }),
  output: z.object({ zaakeigenschapUrl: z.string().nullable() }),
  run: async ({ input, services, log }) => {
    const naam = input.eigenschap?.naam ?? input.eigenschapNaam;
    const waarde = input.eigenschap?.waarde ?? input.eigenschapWaarde;
    if (!naam) throw new VariableError('eigenschap', 'give eigenschap ({ naam, waarde }) or eigenschapNaam');
    if (!waarde) {
      log.info('empty waarde: nothing set', { naam });
      return { zaakeigenschapUrl: null };
    }
    const zgw = ZgwClient.of({ services, log });
    const zaaktype = input.zaaktype ?? (await zgw.get(input.zaakUrl, zaakSchema)).zaaktype;
    const eigenschappen = await eigenschappenOf(zgw, zaaktype);
    const eigenschap = eigenschappen.find((e) => e.naam === naam);
    if (!eigenschap) {
      throw new VariableError(
        'eigenschap',
        `zaaktype ${zaaktype} has no eigenschap '${naam}' (it has ${eigenschappen.map((e) => `'${e.naam}'`).join(', ') || 'none'})`,
      );
    }
    const collection = `${input.zaakUrl.replace(/\/+$/, '')}/zaakeigenschappen`;
    const existing = (await zgw.list(collection, zaakeigenschapSchema)).find((zei) =>
      sameUrl(zei.eigenschap, eigenschap.url),
    );
    if (existing) {
      if (existing.waarde === waarde) {
        log.info('zaakeigenschap has that value already', { zaakeigenschapUrl: existing.url });
        return { zaakeigenschapUrl: existing.url };
      }
      const updated = await zgw.patch(existing.url, { waarde }, zaakeigenschapSchema);
      log.info('zaakeigenschap updated', { zaakeigenschapUrl: updated.url });
      return { zaakeigenschapUrl: updated.url };
    }
    const created = await zgw.post(
      collection,
      { zaak: input.zaakUrl, eigenschap: eigenschap.url, waarde },
      zaakeigenschapSchema,
    );
    log.info('zaakeigenschap created', { zaakeigenschapUrl: created.url });
    return { zaakeigenschapUrl: created.url };
  },
});
