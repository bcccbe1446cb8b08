/**
 * What the Objects API units share: searching objects of an objecttype by data attributes, and reading
 * objecttypes (their name, labels and latest version) on the Objecttypes API, bound as the alias `objecttypes`.
 */
import { z } from 'zod';
import { NonRetryableError, VariableError } from '../../../../errors.ts';
import type { ZgwClient, ZgwQuery } from '../../../../zgw/zgw-client.ts';
import { objectRecordSchema } from '../../../../zgw/zgw-schemas.ts';
import type { WorkUnitContext } from '../../../define-work-unit.ts';

/** The alias of the Objecttypes API (the objecttypes that objects' `type` names). */
export const OBJECTTYPES_ALIAS = 'objecttypes';

/** Objecttypes API: an objecttype. */
export const objecttypeSchema = z.looseObject({
  url: z.string(),
  name: z.string().optional(),
  namePlural: z.string().optional(),
  labels: z.record(z.string(), z.unknown()).nullish(),
  versions: z.array(z.string()).default([]),
});

/** Objecttypes API: a version of an objecttype. */
export const objecttypeVersionSchema = z.looseObject({
  url: z.string(),
  version: z.number().int(),
  objectType: z.string().optional(),
  jsonSchema: z.record(z.string(), z.unknown()).nullish(),
});

/** An object as the Objects API gives it. */
export type ObjectRecord = z.output<typeof objectRecordSchema>;

/**
 * The query of data attribute filters (`key__operator__value`): one as `data_attr` (its value may hold commas),
 * several as `data_attrs` (comma-separated, so no value may hold a comma). `variable` names them in errors.
 */
export function dataAttrQuery(filters: readonly string[], variable: string): ZgwQuery {
  for (const filter of filters) {
    if (!/^[^_].*?__(exact|gt|gte|lt|lte|icontains|in)__/.test(filter)) {
      throw new VariableError(variable, `filter '${filter}' is not of the form key__operator__value`);
    }
  }
  if (filters.length === 0) return {};
  if (filters.length === 1) return { data_attr: filters[0] };
  const withComma = filters.find((filter) => filter.includes(','));
  if (withComma) {
    throw new VariableError(variable, `filter '${withComma}' holds a comma: with several filters, none may`);
  }
  return { data_attrs: filters.join(',') };
}

/** The objects of `objecttype` that pass the data attribute filters, every page. */
export async function searchObjects(
  zgw: ZgwClient,
  objecttype: string,
  filters: readonly string[],
  variable: string,
): Promise<ObjectRecord[]> {
  return zgw.list({ api: 'objects', path: '/objects' }, objectRecordSchema, {
    type: objecttype,
    ...dataAttrQuery(filters, variable),
  });
}

/** The base URL of the service bound to `alias`, without a trailing slash. */
export function serviceBaseUrl(context: WorkUnitContext<unknown>, alias: string): string {
  const baseUrl = context.services[alias]?.defaults.baseURL;
  if (!baseUrl) throw new NonRetryableError(`no service is bound to the alias '${alias}'`);
  return baseUrl.replace(/\/+$/, '');
}

/** The objecttype named `name` (case-insensitive) on the bound Objecttypes API; none is a NonRetryableError. */
export async function objecttypeNamed(
  zgw: ZgwClient,
  context: WorkUnitContext<unknown>,
  name: string,
  variable: string,
): Promise<z.output<typeof objecttypeSchema>> {
  const all = await zgw.list(`${serviceBaseUrl(context, OBJECTTYPES_ALIAS)}/objecttypes`, objecttypeSchema);
  const found = all.find((objecttype) => objecttype.name?.toLowerCase() === name.toLowerCase());
  if (!found) {
    throw new NonRetryableError(
      `the Objecttypes API has no objecttype named '${name}': set ${variable} to the objecttype's URL`,
    );
  }
  return found;
}

/** The latest version of an objecttype: the one whose URL ends in the highest number (`…/versions/3`). */
export async function latestVersion(
  zgw: ZgwClient,
  objecttype: z.output<typeof objecttypeSchema>,
): Promise<z.output<typeof objecttypeVersionSchema>> {
  const numbered = objecttype.versions.map((url) => ({
    url,
    n: Number(/\/(\d+)\/?$/.exec(url)?.[1] ?? Number.NaN),
  }));
  const latest = numbered
    .filter((version) => Number.isInteger(version.n))
    .reduce<{ url: string; n: number } | undefined>(
      (max, v) => (max === undefined || v.n > max.n ? v : max),
      undefined,
    );
  if (!latest) throw new NonRetryableError(`objecttype ${objecttype.url} has no versions`);
  return zgw.get(latest.url, objecttypeVersionSchema);
}
