/**
 * The steps the zaak units share, each safe to repeat: it first looks for what an earlier attempt of the same
 * task made (the zaak's current status of that statustype, its resultaat of that type, a rol of that roltype
 * and betrokkene) and makes it only when it is not there. See docs/zgw-work-units.md, "Retries create nothing
 * twice".
 */

import type { z } from 'zod';
import { NonRetryableError } from '../../../../errors.ts';
import type { Logger } from '../../../../logging/logger.ts';
import type { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { resultaatSchema, rolSchema, statusSchema, type zaakSchema } from '../../../../zgw/zgw-schemas.ts';
import { ROL_CONTROL_FIELDS, type RolInput } from './rol-input.ts';
import { sameUrl } from './urls.ts';

export type Zaak = z.output<typeof zaakSchema>;
export type Status = z.output<typeof statusSchema>;
export type Resultaat = z.output<typeof resultaatSchema>;
export type Rol = z.output<typeof rolSchema>;

/** What a step did: made the resource, or found the one made before. */
export interface Made<T> {
  resource: T;
  created: boolean;
}

/**
 * Gives the zaak a status of `statustype`, unless its current status already is of that statustype (an earlier
 * attempt set it, or the zaak is there already).
 */
export async function setStatus(
  zgw: ZgwClient,
  log: Logger,
  zaak: Zaak,
  statustype: string,
  statustoelichting?: string,
): Promise<Made<Status>> {
  if (zaak.status) {
    const current = await zgw.get(zaak.status, statusSchema);
    if (sameUrl(current.statustype, statustype)) {
      log.info('zaak has that status already', { zaakUrl: zaak.url, statusUrl: current.url });
      return { resource: current, created: false };
    }
  }
  const status = await zgw.post(
    { api: 'zaken', path: '/statussen' },
    {
      zaak: zaak.url,
      statustype,
      datumStatusGezet: new Date().toISOString(),
      ...(statustoelichting ? { statustoelichting } : {}),
    },
    statusSchema,
  );
  log.info('status set', { zaakUrl: zaak.url, statusUrl: status.url });
  return { resource: status, created: true };
}

/**
 * Gives the zaak a resultaat of `resultaattype`, unless it has one of that type already. A zaak has at most one
 * resultaat: one of another type is a NonRetryableError naming both.
 */
export async function setResultaat(
  zgw: ZgwClient,
  log: Logger,
  zaak: Zaak,
  resultaattype: string,
  toelichting?: string,
): Promise<Made<Resultaat>> {
  const existing = (
    await zgw.list({ api: 'zaken', path: '/resultaten' }, resultaatSchema, { zaak: zaak.url })
  ).filter((r) => sameUrl(r.zaak, zaak.url));
  const same = existing.find((r) => sameUrl(r.resultaattype, resultaattype));
  if (same) {
    log.info('zaak has that resultaat already', { zaakUrl: zaak.url, resultaatUrl: same.url });
    return { resource: same, created: false };
  }
  const [other] = existing;
  if (other) {
    throw new NonRetryableError(
      `zaak ${zaak.url} has resultaat ${other.url} of resultaattype ${other.resultaattype} already; a zaak has one resultaat, so resultaattype ${resultaattype} cannot be set`,
    );
  }
  const resultaat = await zgw.post(
    { api: 'zaken', path: '/resultaten' },
    { zaak: zaak.url, resultaattype, ...(toelichting ? { toelichting } : {}) },
    resultaatSchema,
  );
  log.info('resultaat set', { zaakUrl: zaak.url, resultaatUrl: resultaat.url });
  return { resource: resultaat, created: true };
}

/**
 * Gives the zaak a rol of `roltype` for the betrokkene of `rol`, unless it has one already: same roltype and
 * betrokkeneType, and the same `betrokkene` URL or (without one) every field of `betrokkeneIdentificatie` the
 * process gives equal to the stored one.
 */
export async function addRol(
  zgw: ZgwClient,
  log: Logger,
  zaakUrl: string,
  roltype: string,
  rol: RolInput,
): Promise<Made<Rol>> {
  const rollen = await zgw.list({ api: 'zaken', path: '/rollen' }, rolSchema, { zaak: zaakUrl, roltype });
  const same = rollen.find(
    (r) =>
      sameUrl(r.zaak, zaakUrl) &&
      sameUrl(r.roltype, roltype) &&
      r.betrokkeneType === rol.betrokkeneType &&
      sameBetrokkene(r, rol),
  );
  if (same) {
    log.info('zaak has that rol already', { zaakUrl, rolUrl: same.url });
    return { resource: same, created: false };
  }
  const own = Object.fromEntries(Object.entries(rol).filter(([key]) => !ROL_CONTROL_FIELDS.has(key)));
  const created = await zgw.post(
    { api: 'zaken', path: '/rollen' },
    {
      ...own,
      zaak: zaakUrl,
      roltype,
      betrokkeneType: rol.betrokkeneType,
      ...(rol.betrokkene ? { betrokkene: rol.betrokkene } : {}),
      roltoelichting: rol.roltoelichting ?? '',
    },
    rolSchema,
  );
  log.info('rol added', { zaakUrl, rolUrl: created.url });
  return { resource: created, created: true };
}

function sameBetrokkene(stored: Rol, rol: RolInput): boolean {
  if (rol.betrokkene) return sameUrl(stored.betrokkene, rol.betrokkene);
  if (stored.betrokkene) return false;
  return contains(stored.betrokkeneIdentificatie, rol.betrokkeneIdentificatie ?? {});
}

/** Whether `stored` has every non-empty value of `given` (objects compared field by field). */
function contains(stored: unknown, given: unknown): boolean {
  if (given === undefined || given === null || given === '') return true;
  if (Array.isArray(given)) return JSON.stringify(stored) === JSON.stringify(given);
  if (typeof given === 'object') {
    if (typeof stored !== 'object' || stored === null) return false;
    return Object.entries(given).every(([key, value]) =>
      contains((stored as Record<string, unknown>)[key], value),
    );
  }
  return stored !== undefined && stored !== null && String(stored) === String(given);
}
