/**
 * The names the configuration uses as keys, each pattern defined once: resource names (engines, services, a
 * service's kind) and service aliases (a work unit's name for a service it calls). The configuration file, the
 * store's schemas and `defineWorkUnit` all check against these.
 */
import { z } from 'zod';

/** Names of engines and services: lower-case letters, digits and dashes (they are keys, part of URLs and ids). */
export const RESOURCE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** The longest resource name or service alias. */
export const MAX_NAME_LENGTH = 40;

/** A resource name: an engine's or a service's (part of every workflow id: `camunda/<engine>/<taskId>`). */
export const resourceNameSchema = z
  .string()
  .regex(RESOURCE_NAME_PATTERN, 'lower-case letters, digits and dashes')
  .max(MAX_NAME_LENGTH);

/** A work unit's name for a service it calls, e.g. `zrc`, `mail`: a letter, then letters, digits, _ and -. */
export const SERVICE_ALIAS_PATTERN = /^[a-zA-Z][\w-]*$/;

/** A service alias, as a topic's `services` binding names it. */
export const serviceAliasSchema = z
  .string()
  .regex(SERVICE_ALIAS_PATTERN, 'a letter, then letters, digits, _ and -')
  .max(MAX_NAME_LENGTH);

/** Whether `alias` is a valid service alias (for `defineWorkUnit`, which throws its own TypeError). */
export function isServiceAlias(alias: string): boolean {
  return serviceAliasSchema.safeParse(alias).success;
}
