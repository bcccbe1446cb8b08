/** How a process names a resultaattype: by URL (`resultaattype`) or by its omschrijving in the zaak's zaaktype. */
import { z } from 'zod';
import type { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { resultaattypeByOmschrijving } from './catalogi-lookups.ts';

export const resultaattypeInput = {
  /** URL of the resultaattype; wins over `omschrijving`. */
  resultaattype: z.string().url().optional(),
  /** Omschrijving of a resultaattype of the zaak's zaaktype (case aside). */
  omschrijving: z.string().min(1).optional(),
};

/** The resultaattype's URL: the one given, else the one of `omschrijving`; undefined when neither is given. */
export async function resultaattypeUrl(
  zgw: ZgwClient,
  zaaktype: string,
  input: { resultaattype?: string | undefined; omschrijving?: string | undefined },
): Promise<string | undefined> {
  if (input.resultaattype) return input.resultaattype;
  if (input.omschrijving) return (await resultaattypeByOmschrijving(zgw, zaaktype, input.omschrijving)).url;
  return undefined;
}
