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

/** The longest Camunda topic name (the engine keeps it in a varchar(255) column). */
export const MAX_TOPIC_LENGTH = 255;

/**
 * A Camunda topic name, as the engine allows it (dots, slashes, spaces, any letter), but without control
 * characters, and neither `.` nor `..` (as a path segment of `/topics/{engine}/{topic}` it could not be read or
 * deleted afterwards).
 */
export const topicNameSchema = z
  .string()
  .min(1)
  .max(MAX_TOPIC_LENGTH)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it refuses
  .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'no control characters (line breaks, tabs, NUL, …)')
  .refine((name) => name !== '.' && name !== '..', 'not `.` or `..`');

/** The longest free-text description (of a topic). */
export const MAX_DESCRIPTION_LENGTH = 1_000;

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
