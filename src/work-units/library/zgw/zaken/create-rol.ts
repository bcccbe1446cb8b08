/**
 * `zgw-create-rol`: gives the zaak `zaakUrl` a rol of the roltype whose omschrijving is `omschrijving` in the
 * zaak's zaaktype, for the betrokkene of `betrokkene` (a Json object in the shape of a rol, as BPTL's
 * CreateRolTask) or of the flat variables `betrokkeneType`, `betrokkeneIdentificatie`, `roltoelichting`.
 * Returns `rolUrl`; an empty `omschrijving` creates nothing (`rolUrl` null), as in BPTL.
 *
 * Retried, it adds no second rol: a rol of that roltype for the same betrokkene is returned.
 */
import { z } from 'zod';
import { VariableError } from '../../../../errors.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { roltypenOf } from './catalogi-lookups.ts';
import { BETROKKENE_TYPES, type RolInput, rolInputSchema } from './rol-input.ts';
import { addRol } from './zaak-steps.ts';

export const zgwCreateRol = defineWorkUnit({
  name: 'zgw-create-rol',
  description:
    "Adds to zaak `zaakUrl` a rol of the roltype with `omschrijving`, for `betrokkene` (Json in a rol's shape) or `betrokkeneType`, `betrokkeneIdentificatie` and `roltoelichting`; returns `rolUrl` (null for an empty omschrijving). A rol of that roltype and betrokkene already there is kept.",
  services: ['zrc', 'ztc'],
  input: z.object({
    zaakUrl: z.string().url(),
    omschrijving: z.string(),
    /** A rol's fields (BPTL), or the betrokkene's URL with `betrokkeneType` flat. */
    betrokkene: z.union([rolInputSchema, z.string()]).optional(),
    betrokkeneType: z.enum(BETROKKENE_TYPES).optional(),
    betrokkeneIdentificatie: z.record(z.string(), z.unknown()).optional(),
    roltoelichting: z.string().max(1000).optional(),
  }),
  output: z.object({ rolUrl: z.string().nullable() }),
  run: async ({ input, services, log }) => {
    if (input.omschrijving === '') {
      log.info('empty omschrijving: no rol');
      return { rolUrl: null };
    }
    const rol = rolOf(input);
    const zgw = ZgwClient.of({ services, log });
    const zaak = await zgw.get(input.zaakUrl, zaakSchema);
    const roltypen = await roltypenOf(zgw, zaak.zaaktype);
    const roltype = roltypen.find((rt) => rt.omschrijving === input.omschrijving);
    if (!roltype) {
      throw new VariableError(
        'omschrijving',
        `zaaktype ${zaak.zaaktype} has no roltype '${input.omschrijving}' (it has ${roltypen.map((rt) => `'${rt.omschrijving}'`).join(', ') || 'none'})`,
      );
    }
    const made = await addRol(zgw, log, zaak.url, roltype.url, rol);
    return { rolUrl: made.resource.url };
  },
});

function rolOf(input: {
  betrokkene?: RolInput | string | undefined;
  betrokkeneType?: RolInput['betrokkeneType'] | undefined;
  betrokkeneIdentificatie?: Record<string, unknown> | undefined;
  roltoelichting?: string | undefined;
}): RolInput {
  if (input.betrokkene !== undefined && typeof input.betrokkene !== 'string') return input.betrokkene;
  if (!input.betrokkeneType) {
    throw new VariableError('betrokkene', 'give betrokkene (Json, the rol) or betrokkeneType');
  }
  return {
    betrokkeneType: input.betrokkeneType,
    betrokkene: input.betrokkene || undefined,
    ...(input.betrokkeneIdentificatie ? { betrokkeneIdentificatie: input.betrokkeneIdentificatie } : {}),
    ...(input.roltoelichting !== undefined ? { roltoelichting: input.roltoelichting } : {}),
  };
}
