/**
 * A rol as a process gives it (BPTL's `initiator`, `behandelaar`, `betrokkene`): the fields of a Zaken API rol
 * without `zaak` and `roltype`, which the units fill in. Other rol fields (`afwijkendeNaamBetrokkene`,
 * `contactpersoonRol`, …) are passed on as they are.
 */
import { z } from 'zod';

export const BETROKKENE_TYPES = [
  'natuurlijk_persoon',
  'niet_natuurlijk_persoon',
  'vestiging',
  'organisatorische_eenheid',
  'medewerker',
] as const;

export const rolInputSchema = z.looseObject({
  betrokkeneType: z.enum(BETROKKENE_TYPES),
  /** URL of the betrokkene in another registration (BRP, HR, …); `""` reads as absent. */
  betrokkene: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  betrokkeneIdentificatie: z.record(z.string(), z.unknown()).optional(),
  roltoelichting: z.string().max(1000).optional(),
  indicatieMachtiging: z.enum(['gemachtigde', 'machtiginggever', '']).optional(),
});

export type RolInput = z.output<typeof rolInputSchema>;

/** Fields of the input that are not the rol's own (they choose the roltype). */
export const ROL_CONTROL_FIELDS = new Set([
  'zaak',
  'roltype',
  'omschrijving',
  'omschrijvingGeneriek',
  'url',
  'uuid',
]);
